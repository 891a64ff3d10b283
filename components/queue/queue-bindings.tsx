'use client';
// The queue's bindings: the default exchange's implicit one, the others with a remove button, and
// a picker that opens the binding form (the graph's) for a chosen exchange.
import { useMemo, useState } from 'react';
import { exchangeLabel, bindingLabel } from '@/lib/client/graph/build';
import { useExchanges, useQueueBindings } from '@/lib/client/queries';
import type { BindingDto } from '@/lib/client/types';
import { useBindDialog } from '../graph/bind-dialog';
import { useEntityActions } from '../graph/use-entity-actions';
import { PlusIcon, XIcon } from '../ui/icons';

export function QueueBindings({ vhost, queue }: { vhost: string; queue: string }) {
  const bindings = useQueueBindings(vhost, queue);
  const exchanges = useExchanges(vhost);
  const actions = useEntityActions();
  const openBind = useBindDialog((s) => s.open);
  const types = useMemo(() => new Map((exchanges.data ?? []).map((e) => [e.name, e.type])), [exchanges.data]);
  const choices = (exchanges.data ?? []).filter((e) => e.name !== '' && !e.internal).sort((a, b) => a.name.localeCompare(b.name));
  const [source, setSource] = useState('');
  const picked = source || choices[0]?.name || '';

  const label = (b: BindingDto) => {
    const key = bindingLabel(b, types.get(b.source) ?? 'direct');
    return key === '' ? <span className="zero">(all messages)</span> : key;
  };

  return (
    <section className="card qp-section" aria-label="Bindings">
      <header className="qp-section-head">
        <h3>Bindings</h3>
        <span className="table-count">{bindings.data?.length ?? 0}</span>
      </header>
      {bindings.error ? (
        <p className="form-error" role="alert">
          Could not load: {bindings.error.message}
        </p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">From exchange</th>
                <th scope="col">Routing key / arguments</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(bindings.data ?? []).map((b) => (
                <tr key={`${b.source}|${b.properties_key}`}>
                  <td className={b.source === '' ? 'name default' : 'name'}>{exchangeLabel(b.source)}</td>
                  <td className="mono">{label(b)}</td>
                  <td className="actions">
                    {b.source === '' ? (
                      <span className="muted small">every queue has it</span>
                    ) : (
                      <button type="button" className="icon-btn" aria-label={`Remove binding ${b.source} to ${queue}`} title="Remove binding" onClick={() => actions.unbind(b)}>
                        <XIcon size={14} />
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="qp-add-binding">
        <label className="field field-inline">
          <span>Bind from</span>
          <select value={picked} onChange={(e) => setSource(e.target.value)} aria-label="Exchange to bind from" disabled={choices.length === 0}>
            {choices.map((e) => (
              <option key={e.name} value={e.name}>
                {e.name} ({e.type})
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="btn btn-sm"
          disabled={picked === ''}
          onClick={() => openBind({ source: picked, sourceType: types.get(picked) ?? 'direct', destinationKind: 'queue', destination: queue })}
        >
          <PlusIcon size={14} /> Add binding…
        </button>
      </div>
    </section>
  );
}
