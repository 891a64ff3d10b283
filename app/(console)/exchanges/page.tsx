import type { Metadata } from 'next';
import { ExchangesTable } from '@/components/tables/exchanges-table';

export const metadata: Metadata = { title: 'Exchanges · Warren' };

export default function ExchangesPage() {
  return <ExchangesTable />;
}
