import type { Metadata } from 'next';
import { OverviewPage } from '@/components/overview/overview-page';

export const metadata: Metadata = { title: 'Overview · Warren' };

export default function Overview() {
  return <OverviewPage />;
}
