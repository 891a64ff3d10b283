import type { Metadata } from 'next';
import { VhostsPage } from '@/components/admin/vhosts-page';

export const metadata: Metadata = { title: 'Virtual hosts · Warren' };

export default function Vhosts() {
  return <VhostsPage />;
}
