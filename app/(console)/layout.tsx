import type { ReactNode } from 'react';
import './admin-pages.css';
import { ConsoleShell } from '@/components/shell/console-shell';

/** Every page behind the login: the console frame stays mounted while moving between them. */
export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return <ConsoleShell>{children}</ConsoleShell>;
}
