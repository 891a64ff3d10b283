'use client';
// The frame of every console page: brand, navigation, vhost switcher, live status and the user.
// Pages render inside it only once someone is logged in; otherwise it sends them to /login.
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { useSession } from '@/lib/client/session';
import { ChartIcon, GraphIcon, LogoutIcon, TableIcon } from '../ui/icons';
import { BrokerSwitcher } from './broker-switcher';
import { LiveBadge } from './live-badge';
import { ThemeToggle } from './theme-toggle';
import { VhostSwitcher } from './vhost-switcher';

const NAV: { href: string; label: string; icon: ReactNode; admin?: boolean }[] = [
  { href: '/', label: 'Graph', icon: <GraphIcon /> },
  { href: '/overview', label: 'Overview', icon: <ChartIcon /> },
  { href: '/queues', label: 'Queues', icon: <TableIcon /> },
  { href: '/exchanges', label: 'Exchanges', icon: <TableIcon /> },
  { href: '/bindings', label: 'Bindings', icon: <TableIcon /> },
  { href: '/connections', label: 'Connections', icon: <TableIcon /> },
  { href: '/channels', label: 'Channels', icon: <TableIcon /> },
  { href: '/consumers', label: 'Consumers', icon: <TableIcon /> },
  { href: '/users', label: 'Users', icon: <TableIcon />, admin: true },
  { href: '/vhosts', label: 'Vhosts', icon: <TableIcon />, admin: true },
  { href: '/policies', label: 'Policies', icon: <TableIcon /> },
  { href: '/scenarios', label: 'Scenarios', icon: <ChartIcon /> },
];

export function ConsoleShell({ children }: { children: ReactNode }) {
  const hydrated = useSession((s) => s.hydrated);
  const session = useSession((s) => s.session);
  const logout = useSession((s) => s.logout);
  const router = useRouter();
  const pathname = usePathname();

  useEffect(() => {
    if (hydrated && session === null) {
      const next = pathname && pathname !== '/' ? `?next=${encodeURIComponent(pathname + location.search)}` : '';
      router.replace(`/login${next}`);
    }
  }, [hydrated, session, router, pathname]);

  if (!hydrated || session === null) {
    return (
      <div className="boot" aria-busy="true">
        <img src="/warren.svg" alt="" width={40} height={40} />
      </div>
    );
  }

  return (
    <div className="app">
      <header className="appbar">
        <Link href="/" className="appbar-brand" aria-label="Warren home">
          <img src="/warren.svg" alt="" width={26} height={26} />
          <h1>Warren</h1>
        </Link>
        <nav className="appbar-nav" aria-label="Console">
          {NAV.filter((item) => !item.admin || session.tags.includes('administrator')).map((item) => {
            const active = item.href === '/' ? pathname === '/' : pathname?.startsWith(item.href);
            return (
              <Link key={item.href} href={item.href} className={active ? 'nav-link active' : 'nav-link'} aria-current={active ? 'page' : undefined}>
                {item.label}
              </Link>
            );
          })}
        </nav>
        <div className="appbar-end">
          <BrokerSwitcher />
          <VhostSwitcher />
          <LiveBadge />
          <div className="user-chip" title={session.tags.length ? `tags: ${session.tags.join(', ')}` : undefined}>
            <span className="avatar" aria-hidden="true">
              {session.username.slice(0, 1).toUpperCase()}
            </span>
            <span className="user-name">{session.username}</span>
          </div>
          <ThemeToggle />
          <button
            type="button"
            className="icon-btn"
            aria-label="Log out"
            title="Log out"
            onClick={() => {
              void logout().then(() => router.replace('/login'));
            }}
          >
            <LogoutIcon />
          </button>
        </div>
      </header>
      <div className="app-main">{children}</div>
    </div>
  );
}
