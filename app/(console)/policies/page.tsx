import type { Metadata } from 'next';
import { PoliciesPage } from '@/components/admin/policies-page';

export const metadata: Metadata = { title: 'Policies · Warren' };

export default function Policies() {
  return <PoliciesPage />;
}
