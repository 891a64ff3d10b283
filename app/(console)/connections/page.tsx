import type { Metadata } from 'next';
import { ConnectionsTable } from '@/components/tables/runtime-tables';

export const metadata: Metadata = { title: 'Connections · Warren' };

export default function ConnectionsPage() {
  return <ConnectionsTable />;
}
