'use client';
// The destructive and side-panel actions on graph entities, shared by node menus, the inspector,
// the tables and the Delete key. Every destructive one asks first.
import { useMemo } from 'react';
import { deleteBinding, deleteExchange, deleteQueue, purgeQueue } from '@/lib/client/api';
import { exchangeLabel } from '@/lib/client/graph/build';
import { usePanel } from '@/lib/client/panel-store';
import { useInvalidateVhost } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import { toast } from '@/lib/client/toast-store';
import type { BindingDto } from '@/lib/client/types';
import { confirmAction } from '../ui/confirm';

export function useEntityActions() {
  const vhost = useSession((s) => s.vhost);
  const invalidate = useInvalidateVhost();
  const open = usePanel((s) => s.open);

  return useMemo(
    () => ({
      publishTo(exchange: string) {
        open('publish', exchange);
      },
      consumeFrom(queue: string) {
        open('consume', queue);
      },
      deleteExchange(name: string) {
        confirmAction({
          title: 'Delete exchange?',
          body: (
            <p>
              The exchange <strong className="ent">{exchangeLabel(name)}</strong> and every binding from or to it will be removed.
            </p>
          ),
          confirmLabel: 'Delete exchange',
          action: async () => {
            await deleteExchange(vhost, name);
            toast.ok('Exchange deleted', name);
            void invalidate(vhost);
          },
        });
      },
      deleteQueue(name: string, messages: number) {
        confirmAction({
          title: 'Delete queue?',
          body: (
            <p>
              The queue <strong className="ent">{name}</strong>
              {messages > 0 ? ` and its ${messages.toLocaleString('en-US')} message${messages === 1 ? '' : 's'}` : ''} will be removed. Its
              consumers are cancelled.
            </p>
          ),
          confirmLabel: 'Delete queue',
          action: async () => {
            await deleteQueue(vhost, name);
            toast.ok('Queue deleted', name);
            void invalidate(vhost);
          },
        });
      },
      purgeQueue(name: string, messages: number) {
        confirmAction({
          title: 'Purge queue?',
          body: (
            <p>
              {messages > 0 ? `All ${messages.toLocaleString('en-US')} ready messages` : 'All ready messages'} in <strong className="ent">{name}</strong> will
              be discarded. Unacknowledged messages stay with their consumers.
            </p>
          ),
          confirmLabel: 'Purge',
          action: async () => {
            await purgeQueue(vhost, name);
            toast.ok('Queue purged', name);
            void invalidate(vhost);
          },
        });
      },
      unbind(b: BindingDto) {
        confirmAction({
          title: 'Remove binding?',
          body: (
            <p>
              Messages from <strong className="ent">{exchangeLabel(b.source)}</strong> will no longer reach the {b.destination_type}{' '}
              <strong className="ent">{b.destination}</strong>
              {b.routing_key !== '' ? (
                <>
                  {' '}
                  with routing key <code>{b.routing_key}</code>
                </>
              ) : null}
              .
            </p>
          ),
          confirmLabel: 'Remove binding',
          action: async () => {
            await deleteBinding(b);
            toast.ok('Binding removed');
            void invalidate(vhost);
          },
        });
      },
    }),
    [vhost, invalidate, open],
  );
}
