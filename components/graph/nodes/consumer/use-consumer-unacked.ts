'use client';
// Unacknowledged messages a consumer holds. The API reports them per channel; a channel with one
// consumer (the usual case) gives that consumer's number. Browser consumers are counted locally.
import { useQuery } from '@tanstack/react-query';
import { useConsume } from '@/lib/client/consume-store';
import { channelsQuery } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import type { ChannelDto } from '@/lib/client/types';

export function useConsumerUnacked(channel: string, tag: string): number | null {
  const vhost = useSession((s) => s.vhost);
  const local = useConsume((s) => {
    for (const c of Object.values(s.consumers)) {
      if (c.tag === tag && c.state === 'active') return c.deliveries.reduce((n, d) => n + (d.settled === null ? 1 : 0), 0);
    }
    return null;
  });
  // reads the channels listing that the graph view keeps polling; never fetches by itself
  const { data } = useQuery<ChannelDto[], Error, number | null>({
    ...channelsQuery(vhost),
    enabled: false,
    select: (channels) => {
      const ch = channels.find((c) => c.name === channel);
      return ch === undefined || ch.consumer_count > 1 ? null : ch.messages_unacknowledged;
    },
  });
  return local ?? data ?? null;
}
