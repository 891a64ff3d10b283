'use client';
// What an empty page or an empty graph says: what is missing, and the next step — the AMQP URL to
// point a client at, or a button that makes the first thing.
import type { ReactNode } from 'react';
import { amqpUrl } from '@/lib/client/amqp-url';
import { useOverview } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import { toast } from '@/lib/client/toast-store';
import { CopyIcon } from './icons';

export function EmptyState({ title, children, actions, className }: { title: ReactNode; children?: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <div className={`empty-state${className ? ` ${className}` : ''}`}>
      <strong className="empty-state-title">{title}</strong>
      {children && <div className="empty-state-body">{children}</div>}
      {actions && <div className="empty-state-actions">{actions}</div>}
    </div>
  );
}

/** The URL of the vhost on show, with a copy button. */
export function ConnectUrl() {
  const vhost = useSession((s) => s.vhost);
  const { data } = useOverview();
  const listener = data?.listeners?.find((l) => l.protocol === 'amqp');
  const url = listener ? amqpUrl(listener.ip_address, listener.port, vhost) : null;
  return (
    <span className="connect-url">
      <code>{url ?? 'amqp://…'}</code>
      {url && (
        <button
          type="button"
          className="icon-btn icon-btn-sm"
          aria-label="Copy the AMQP URL"
          title="Copy"
          onClick={() => {
            void navigator.clipboard?.writeText(url).then(
              () => toast.ok('Copied', url),
              () => toast.error('Could not copy', url),
            );
          }}
        >
          <CopyIcon size={14} />
        </button>
      )}
    </span>
  );
}
