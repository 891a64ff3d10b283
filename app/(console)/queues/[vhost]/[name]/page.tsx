import type { Metadata } from 'next';
import { QueuePageAtAddress } from '@/components/queue/queue-page';

export const metadata: Metadata = { title: 'Queue · Warren' };

/** The vhost and queue name are read from the address in the browser (see QueuePageAtAddress). */
export default function Queue() {
  return <QueuePageAtAddress />;
}
