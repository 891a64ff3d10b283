import type { Metadata } from 'next';
import { QueuesTable } from '@/components/tables/queues-table';

export const metadata: Metadata = { title: 'Queues · Warren' };

export default function QueuesPage() {
  return <QueuesTable />;
}
