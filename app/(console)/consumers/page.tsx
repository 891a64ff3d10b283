import type { Metadata } from 'next';
import { ConsumersTable } from '@/components/tables/runtime-tables';

export const metadata: Metadata = { title: 'Consumers · Warren' };

export default function ConsumersPage() {
  return <ConsumersTable />;
}
