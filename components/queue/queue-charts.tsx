'use client';
// The queue's own history from the API (`?lengths_age=&msg_rates_age=`, five-second samples):
// messages ready and unacknowledged, and publish, deliver and ack rates between samples.
import { useMemo } from 'react';
import { countSeries, rateSeries } from '@/lib/client/queue-samples';
import type { QueueDetailDto } from '@/lib/client/types';
import { LineChart, type Series } from '../charts/line-chart';
import { compact, rate } from '../graph/format';

const WINDOW_MS = 10 * 60_000;
const WAITING = 'The broker samples this queue every 5 s from when its page opened; the lines start with the second sample.';

export function QueueCharts({ q }: { q: QueueDetailDto }) {
  const counts = useMemo(
    () => countSeries({ ready: q.messages_ready_details, unacked: q.messages_unacknowledged_details }),
    [q.messages_ready_details, q.messages_unacknowledged_details],
  );
  const stats = q.message_stats;
  const rates = useMemo(
    () => rateSeries({ publish: stats?.publish_details, deliver: stats?.deliver_get_details, ack: stats?.ack_details }),
    [stats?.publish_details, stats?.deliver_get_details, stats?.ack_details],
  );
  const countLines: Series[] = [
    { key: 'ready', label: 'Ready', className: 'c-ready', values: counts.values.ready ?? [], format: compact },
    { key: 'unacked', label: 'Unacked', className: 'c-unacked', values: counts.values.unacked ?? [], format: compact },
  ];
  const rateLines: Series[] = [
    { key: 'publish', label: 'Publish', className: 'c-publish', values: rates.values.publish ?? [], format: rate },
    { key: 'deliver', label: 'Deliver / get', className: 'c-deliver', values: rates.values.deliver ?? [], format: rate },
    { key: 'ack', label: 'Ack', className: 'c-ack', values: rates.values.ack ?? [], format: rate },
  ];
  return (
    <div className="charts">
      <LineChart title="Queued messages" subtitle="5 s samples" times={counts.times} series={countLines} windowMs={WINDOW_MS} emptyText={WAITING} />
      <LineChart title="Message rates" subtitle="per second, between 5 s samples" times={rates.times} series={rateLines} windowMs={WINDOW_MS} emptyText={WAITING} />
    </div>
  );
}
