// TanStack Query hooks over the management API, with one invalidate hook per query family. While
// the live stream keeps a vhost's topology fresh its queries do not poll; otherwise they poll.
import { useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useCallback } from 'react';
import { request, seg } from './api';
import { useAwaitingSnapshot, useIsLive } from './live-status';
import { warrenKeys } from './query-keys';
import { useSession } from './session';
import type {
  BindingDto,
  ChannelDto,
  ConnectionDto,
  ConsumerDto,
  ExchangeDto,
  OverviewDto,
  PermissionDto,
  TopicPermissionDto,
  PolicyDto,
  QueueDetailDto,
  QueueDto,
  UserDto,
  VhostDetailDto,
  VhostDto,
  WhoamiDto,
} from './types';

const POLL_MS = 3000;

/** `alwaysPoll`: the stream keeps the list's members fresh, but not numbers it does not carry. */
function useTopologyQuery<T>(key: QueryKey, path: string, vhost: string, enabled = true, alwaysPoll = false) {
  const live = useIsLive(vhost) && !alwaysPoll;
  const awaiting = useAwaitingSnapshot(vhost) && !alwaysPoll;
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: key,
    queryFn: ({ signal }) => request<T[]>(path, { signal }),
    enabled: enabled && loggedIn && !awaiting,
    staleTime: live ? Infinity : 1000,
    refetchInterval: live ? false : POLL_MS,
    // live, the stream's diffs already keep every unchanged item as it was (live-cache.ts): a deep
    // comparison of the whole list on each apply of a burst would only cost time
    structuralSharing: !live,
  });
}

export const useExchanges = (vhost: string) =>
  useTopologyQuery<ExchangeDto>(warrenKeys.exchanges(vhost), `/api/exchanges/${seg(vhost)}`, vhost);
export const useQueues = (vhost: string) => useTopologyQuery<QueueDto>(warrenKeys.queues(vhost), `/api/queues/${seg(vhost)}`, vhost);
export const useBindings = (vhost: string) =>
  useTopologyQuery<BindingDto>(warrenKeys.bindings(vhost), `/api/bindings/${seg(vhost)}`, vhost);
export const useConsumers = (vhost: string) =>
  useTopologyQuery<ConsumerDto>(warrenKeys.consumers(vhost), `/api/consumers/${seg(vhost)}`, vhost);
/** Polled even while live: the stream adds and removes connections, but their byte rates are not in it. */
export const useConnections = (vhost: string) =>
  useTopologyQuery<ConnectionDto>(warrenKeys.connections(vhost), `/api/vhosts/${seg(vhost)}/connections`, vhost, true, true);

export const channelsQuery = (vhost: string) => ({
  queryKey: warrenKeys.channels(vhost),
  queryFn: ({ signal }: { signal: AbortSignal }) => request<ChannelDto[]>(`/api/vhosts/${seg(vhost)}/channels`, { signal }),
});

/** Channels are not in the live stream: always polled. */
export function useChannels(vhost: string, enabled = true) {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({ ...channelsQuery(vhost), enabled: enabled && loggedIn, refetchInterval: POLL_MS });
}

export function useOverview() {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: warrenKeys.overview(),
    queryFn: ({ signal }) => request<OverviewDto>('/api/overview', { signal }),
    enabled: loggedIn,
    refetchInterval: 5000,
  });
}

export function useVhosts() {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: warrenKeys.vhosts(),
    queryFn: ({ signal }) => request<VhostDto[]>('/api/vhosts', { signal }),
    enabled: loggedIn,
    staleTime: 10_000,
    refetchInterval: 15_000,
  });
}

export function useWhoami() {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: warrenKeys.whoami(),
    queryFn: ({ signal }) => request<WhoamiDto>('/api/whoami', { signal }),
    enabled: loggedIn,
    staleTime: 60_000,
  });
}

/** Users and every vhost's permissions: administrators only. */
export function useUsers(enabled: boolean) {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: warrenKeys.users(),
    queryFn: ({ signal }) => request<UserDto[]>('/api/users', { signal }),
    enabled: enabled && loggedIn,
    refetchInterval: 10_000,
  });
}

export function usePermissions(enabled: boolean) {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: warrenKeys.permissions(),
    queryFn: ({ signal }) => request<PermissionDto[]>('/api/permissions', { signal }),
    enabled: enabled && loggedIn,
    refetchInterval: 10_000,
  });
}

export function useTopicPermissions(enabled: boolean) {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: warrenKeys.topicPermissions(),
    queryFn: ({ signal }) => request<TopicPermissionDto[]>('/api/topic-permissions', { signal }),
    enabled: enabled && loggedIn,
    refetchInterval: 10_000,
  });
}

/** Vhosts with their descriptions, tags and message rates, as the vhosts page lists them. */
export function useVhostDetails(enabled: boolean) {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: [...warrenKeys.vhosts(), 'details'],
    queryFn: ({ signal }) => request<VhostDetailDto[]>('/api/vhosts', { signal }),
    enabled: enabled && loggedIn,
    refetchInterval: POLL_MS,
  });
}

/** A vhost's user policies (not in the live stream: polled). */
export function usePolicies(vhost: string) {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: warrenKeys.policies(vhost),
    queryFn: ({ signal }) => request<PolicyDto[]>(`/api/policies/${seg(vhost)}`, { signal }),
    enabled: loggedIn,
    refetchInterval: 10_000,
  });
}

/** A vhost's operator policies (an administrator's limits; listed to every management user). */
export function useOperatorPolicies(vhost: string) {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: warrenKeys.operatorPolicies(vhost),
    queryFn: ({ signal }) => request<PolicyDto[]>(`/api/operator-policies/${seg(vhost)}`, { signal }),
    enabled: loggedIn,
    refetchInterval: 10_000,
  });
}

/** Ten minutes at the broker's five-second step: what the queue page charts. */
export const QUEUE_HISTORY_S = { age: 600, incr: 5 };

/**
 * One queue with its consumers and its own sample history, polled at the sampling step. Asking
 * for the history is what makes the broker sample this queue, so the page keeps asking.
 */
export function useQueueDetail(vhost: string, name: string) {
  const loggedIn = useSession((s) => s.session !== null);
  const { age, incr } = QUEUE_HISTORY_S;
  return useQuery({
    queryKey: warrenKeys.queue(vhost, name),
    queryFn: ({ signal }) =>
      request<QueueDetailDto>(`/api/queues/${seg(vhost)}/${seg(name)}?lengths_age=${age}&lengths_incr=${incr}&msg_rates_age=${age}&msg_rates_incr=${incr}`, {
        signal,
      }),
    enabled: loggedIn,
    refetchInterval: incr * 1000,
    retry: (n, err) => n < 2 && !(err instanceof Error && 'status' in err && (err as { status: number }).status === 404),
  });
}

export function useQueueBindings(vhost: string, name: string) {
  const loggedIn = useSession((s) => s.session !== null);
  return useQuery({
    queryKey: warrenKeys.queueBindings(vhost, name),
    queryFn: ({ signal }) => request<BindingDto[]>(`/api/queues/${seg(vhost)}/${seg(name)}/bindings`, { signal }),
    enabled: loggedIn,
    refetchInterval: POLL_MS,
  });
}

// ---- invalidation --------------------------------------------------------------------------

/** Refetches every list of one vhost (after a change the live stream may not have reported yet). */
export function useInvalidateVhost() {
  const qc = useQueryClient();
  return useCallback((vhost: string) => qc.invalidateQueries({ queryKey: warrenKeys.vhost(vhost) }), [qc]);
}

export function useInvalidateOverview() {
  const qc = useQueryClient();
  return useCallback(() => qc.invalidateQueries({ queryKey: warrenKeys.overview() }), [qc]);
}

export function useInvalidateVhosts() {
  const qc = useQueryClient();
  return useCallback(() => qc.invalidateQueries({ queryKey: warrenKeys.vhosts() }), [qc]);
}

export function useInvalidatePolicies() {
  const qc = useQueryClient();
  return useCallback(
    (vhost: string) => {
      void qc.invalidateQueries({ queryKey: warrenKeys.policies(vhost) });
      void qc.invalidateQueries({ queryKey: warrenKeys.operatorPolicies(vhost) });
    },
    [qc],
  );
}

export function useInvalidateUsers() {
  const qc = useQueryClient();
  return useCallback(() => {
    void qc.invalidateQueries({ queryKey: warrenKeys.users() });
    void qc.invalidateQueries({ queryKey: warrenKeys.permissions() });
    void qc.invalidateQueries({ queryKey: warrenKeys.topicPermissions() });
  }, [qc]);
}

/** The whole topology of a vhost, once all four lists have loaded. */
export function useTopology(vhost: string) {
  const exchanges = useExchanges(vhost);
  const queues = useQueues(vhost);
  const bindings = useBindings(vhost);
  const consumers = useConsumers(vhost);
  const error = exchanges.error ?? queues.error ?? bindings.error ?? consumers.error;
  const ready = exchanges.data !== undefined && queues.data !== undefined && bindings.data !== undefined && consumers.data !== undefined;
  return {
    ready,
    error,
    exchanges: exchanges.data,
    queues: queues.data,
    bindings: bindings.data,
    consumers: consumers.data,
  };
}
