import type { Metadata } from 'next';
import { ChannelsTable } from '@/components/tables/runtime-tables';

export const metadata: Metadata = { title: 'Channels · Warren' };

export default function ChannelsPage() {
  return <ChannelsTable />;
}
