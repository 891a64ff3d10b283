import type { Metadata } from 'next';
import { LoginForm } from '@/components/login/login-form';

export const metadata: Metadata = { title: 'Log in · Warren' };

export default function LoginPage() {
  return <LoginForm />;
}
