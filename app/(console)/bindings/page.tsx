import type { Metadata } from 'next';
import { BindingsTable } from '@/components/tables/bindings-table';

export const metadata: Metadata = { title: 'Bindings · Warren' };

export default function BindingsPage() {
  return <BindingsTable />;
}
