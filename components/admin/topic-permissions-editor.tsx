'use client';
// One user's topic permissions, per vhost and exchange: the routing keys the user may publish with
// (write) and bind with (read) on a topic exchange. A user with none on an exchange is not limited
// there. Set, change and clear them; the API checks the regular expressions and its reason is shown.
import { useId, useState, type FormEvent } from 'react';
import { deleteTopicPermission, putTopicPermission } from '@/lib/client/admin-api';
import { useInvalidateUsers, useTopicPermissions } from '@/lib/client/queries';
import { toast } from '@/lib/client/toast-store';
import type { TopicPermissionDto } from '@/lib/client/types';
import { confirmAction } from '../ui/confirm';
import { XIcon } from '../ui/icons';

interface Props {
  user: string;
  /** the vhosts to pick from */
  vhosts: readonly string[];
}

const EMPTY = { exchange: 'amq.topic', write: '.*', read: '.*' };

export function TopicPermissionsEditor({ user, vhosts }: Props) {
  const id = useId();
  const all = useTopicPermissions(true);
  const refresh = useInvalidateUsers();
  const rows = (all.data ?? [])
    .filter((p) => p.user === user)
    .sort((a, b) => a.vhost.localeCompare(b.vhost) || a.exchange.localeCompare(b.exchange));
  const [vhost, setVhost] = useState('');
  const [form, setForm] = useState(EMPTY);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const target = vhost || vhosts[0] || '';

  const reset = () => {
    setEditing(false);
    setVhost('');
    setForm(EMPTY);
    setError(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (target === '') return setError('Pick a vhost.');
    if (form.exchange === '') return setError('Name the exchange.');
    setBusy(true);
    setError(null);
    try {
      await putTopicPermission(target, user, form);
      toast.ok('Topic permission set', `${user} on ${form.exchange} in ${target}`);
      reset();
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = (p: TopicPermissionDto) =>
    confirmAction({
      title: 'Clear topic permission?',
      body: (
        <p>
          <strong className="ent">{p.user}</strong> will publish and bind with any routing key on <strong className="ent">{p.exchange}</strong> in vhost{' '}
          <strong className="ent">{p.vhost}</strong> (as far as the vhost permissions allow).
        </p>
      ),
      confirmLabel: 'Clear topic permission',
      action: async () => {
        await deleteTopicPermission(p.vhost, p.user, p.exchange);
        toast.ok('Topic permission cleared', `${p.user} on ${p.exchange} in ${p.vhost}`);
        refresh();
      },
    });

  return (
    <section className="perm-editor topic-perm-editor" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className="perm-editor-title">
        Topic permissions
      </h3>
      {all.error ? (
        <p className="form-error" role="alert">
          Could not load topic permissions: {all.error.message}
        </p>
      ) : rows.length === 0 ? (
        <p className="muted small">No topic permissions: on topic exchanges this user may use any routing key.</p>
      ) : (
        <table className="mini-table" aria-label="Topic permissions">
          <thead>
            <tr>
              <th scope="col">Vhost</th>
              <th scope="col">Exchange</th>
              <th scope="col">Write</th>
              <th scope="col">Read</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={`${p.vhost}|${p.exchange}`}>
                <td className="name">{p.vhost}</td>
                <td className="name">{p.exchange}</td>
                <td className="mono">{p.write || <span className="zero">(empty key only)</span>}</td>
                <td className="mono">{p.read || <span className="zero">(empty key only)</span>}</td>
                <td className="actions">
                  <button
                    type="button"
                    className="btn btn-ghost btn-xs"
                    aria-label={`Edit topic permission of ${p.user} on ${p.exchange} in ${p.vhost}`}
                    onClick={() => {
                      setVhost(p.vhost);
                      setForm({ exchange: p.exchange, write: p.write, read: p.read });
                      setEditing(true);
                      setError(null);
                    }}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="icon-btn icon-btn-sm"
                    aria-label={`Clear topic permission of ${p.user} on ${p.exchange} in ${p.vhost}`}
                    title="Clear"
                    onClick={() => remove(p)}
                  >
                    <XIcon size={13} />
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="perm-form topic-perm-form" onSubmit={submit} aria-label={editing ? 'Change topic permission' : 'Set topic permission'}>
        <label className="field">
          <span>Vhost</span>
          {editing ? (
            <input value={target} readOnly aria-readonly="true" />
          ) : (
            <select value={target} onChange={(e) => setVhost(e.target.value)} disabled={vhosts.length === 0}>
              {vhosts.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          )}
        </label>
        {(['exchange', 'write', 'read'] as const).map((k) => (
          <label key={k} className="field" htmlFor={`${id}-${k}`}>
            <span>{k[0].toUpperCase() + k.slice(1)}</span>
            <input
              id={`${id}-${k}`}
              className="mono"
              aria-describedby={`${id}-hint`}
              value={form[k]}
              readOnly={editing && k === 'exchange'}
              onChange={(e) => setForm({ ...form, [k]: e.target.value })}
              spellCheck={false}
              autoComplete="off"
            />
          </label>
        ))}
        <div className="perm-form-actions">
          {editing && (
            <button type="button" className="btn btn-sm" onClick={reset}>
              Cancel
            </button>
          )}
          <button type="submit" className="btn btn-primary btn-sm" disabled={busy || target === ''}>
            {busy ? 'Saving…' : editing ? 'Save' : 'Set'}
          </button>
        </div>
        <small id={`${id}-hint`} className="hint perm-hint">
          Regular expressions over routing keys on a topic exchange: write for publishing, read for binding. {'{username}'} and {'{vhost}'} stand for the
          user&apos;s and the vhost&apos;s names; an empty one allows only the empty key.
        </small>
        {error && (
          <p className="form-error perm-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
