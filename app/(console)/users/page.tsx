import type { Metadata } from 'next';
import { UsersPage } from '@/components/tables/users-table';

export const metadata: Metadata = { title: 'Users · Warren' };

export default function Users() {
  return <UsersPage />;
}
