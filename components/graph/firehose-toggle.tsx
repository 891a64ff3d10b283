'use client';
// The toolbar's switch for measured flow on a RabbitMQ cluster: its firehose traces every message
// published and delivered in the vhost, which costs the cluster work per message, so turning it on
// asks first. Off, the estimated dots come back. Only shown for a remote broker: Warren's own flow
// is always measured.
import { useFirehose } from '@/lib/client/firehose-store';
import { liveClient } from '@/lib/client/use-live';
import { useSession } from '@/lib/client/session';
import { confirmAction } from '../ui/confirm';
import { useRemoteBroker } from './estimated-flow';

export function FirehoseToggle() {
  const remote = useRemoteBroker();
  const on = useFirehose((s) => s.on);
  const pending = useFirehose((s) => s.pending);
  const reason = useFirehose((s) => s.reason);
  const vhost = useSession((s) => s.vhost);
  if (!remote) return null;

  const turn = (want: boolean) => {
    useFirehose.getState().requested();
    if (!liveClient().send({ type: 'firehose', on: want })) useFirehose.getState().confirmed(false, 'the live connection is not open');
  };

  return (
    <label className="switch" title={reason !== '' ? reason : 'Dots from the cluster\'s firehose (amq.rabbitmq.trace): every message measured, at a cost to the cluster'}>
      <input
        type="checkbox"
        role="switch"
        checked={on}
        disabled={pending}
        aria-describedby={reason !== '' ? 'firehose-reason' : undefined}
        onChange={(e) => {
          if (!e.target.checked) return turn(false);
          confirmAction({
            title: 'Turn on the firehose?',
            tone: 'danger',
            confirmLabel: 'Turn on tracing',
            body: (
              <>
                <p>
                  Tracing makes RabbitMQ copy every message published and delivered in vhost <strong>{vhost}</strong> to <code>amq.rabbitmq.trace</code>: it costs
                  the cluster CPU and memory for every message, for every client, while it is on.
                </p>
                <p>
                  The console reads the copies through a bounded queue (1,000 messages, 5 s) and turns tracing off when you switch this off or leave — unless it was
                  already on.
                </p>
              </>
            ),
            action: () => turn(true),
          });
        }}
      />
      <span className="switch-track" aria-hidden="true" />
      <span>Measured flow (firehose)</span>
      {reason !== '' && !on && (
        <span id="firehose-reason" className="toolbar-note firehose-reason" role="status">
          {reason}
        </span>
      )}
    </label>
  );
}
