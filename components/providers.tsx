'use client';
// Everything the console's pages share: the query client, the session, the live connection,
// toasts and the confirmation dialog. Mounted once, above every page.
import { QueryCache, QueryClient, QueryClientProvider, MutationCache } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { ApiError } from '@/lib/client/api';
import { useConsume } from '@/lib/client/consume-store';
import { useGraph } from '@/lib/client/graph/store';
import { useStats } from '@/lib/client/stats-store';
import { useSession } from '@/lib/client/session';
import { useLiveConnection } from '@/lib/client/use-live';
import { ConfirmHost } from './ui/confirm';
import { Toaster } from './ui/toaster';

/** A login that stopped working (expired, logged out in another tab, password changed, user
 * deleted) ends the session here too; a 401 for one vhost the user may not see does not. */
function onAuthError(err: unknown): void {
  if (!(err instanceof ApiError) || err.status !== 401 || useSession.getState().session === null) return;
  if (/login failed|login required|login session ended|only log in via localhost/i.test(err.reason) || err.reason === '') useSession.getState().expire();
}

function makeQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({ onError: onAuthError }),
    mutationCache: new MutationCache({ onError: onAuthError }),
    defaultOptions: {
      queries: {
        refetchOnWindowFocus: false,
        retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      },
    },
  });
}

function LiveConnection() {
  useLiveConnection();
  return null;
}

function ClearOnLogout({ client }: { client: QueryClient }) {
  const loggedIn = useSession((s) => s.session !== null);
  useEffect(() => {
    if (loggedIn) return;
    client.clear();
    useGraph.getState().reset();
    useStats.getState().reset(null);
    useConsume.setState({ consumers: {} });
  }, [loggedIn, client]);
  return null;
}

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(makeQueryClient);
  useEffect(() => {
    if (!useSession.getState().hydrated) useSession.getState().hydrate();
  }, []);
  return (
    <QueryClientProvider client={client}>
      <LiveConnection />
      <ClearOnLogout client={client} />
      {children}
      <Toaster />
      <ConfirmHost />
    </QueryClientProvider>
  );
}
