'use client';
// The configure / write / read permissions of one vhost (one row per user) or of one user (one row
// per vhost): set, change and clear them. The API checks the regular expressions; its reason is
// shown as it comes.
import { useId, useState, type FormEvent } from 'react';
import { deletePermission, putPermission } from '@/lib/client/admin-api';
import { useInvalidateUsers, usePermissions } from '@/lib/client/queries';
import { toast } from '@/lib/client/toast-store';
import type { PermissionDto } from '@/lib/client/types';
import { confirmAction } from '../ui/confirm';
import { XIcon } from '../ui/icons';

interface Props {
  /** the side that is fixed: this vhost's users, or this user's vhosts */
  of: { vhost: string } | { user: string };
  /** names to pick the other side from */
  choices: readonly string[];
}

const ALL = { configure: '.*', write: '.*', read: '.*' };

export function PermissionsEditor({ of, choices }: Props) {
  const id = useId();
  const permissions = usePermissions(true);
  const refresh = useInvalidateUsers();
  const byVhost = 'vhost' in of;
  const otherOf = (p: PermissionDto) => (byVhost ? p.user : p.vhost);
  const rows = (permissions.data ?? []).filter((p) => (byVhost ? p.vhost === of.vhost : p.user === of.user)).sort((a, b) => otherOf(a).localeCompare(otherOf(b)));
  const free = choices.filter((c) => !rows.some((p) => otherOf(p) === c));
  const [other, setOther] = useState('');
  const [form, setForm] = useState(ALL);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const target = other || free[0] || '';
  const otherLabel = byVhost ? 'User' : 'Vhost';
  const pair = (o: string) => (byVhost ? { vhost: of.vhost, user: o } : { vhost: o, user: of.user });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (target === '') return setError(`Pick a ${otherLabel.toLowerCase()}.`);
    setBusy(true);
    setError(null);
    try {
      const { vhost, user } = pair(target);
      await putPermission(vhost, user, form);
      toast.ok('Permissions set', `${user} in ${vhost}`);
      setOther('');
      setForm(ALL);
      setEditing(false);
      refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = (p: PermissionDto) =>
    confirmAction({
      title: 'Clear permissions?',
      body: (
        <p>
          <strong className="ent">{p.user}</strong> will no longer be able to use vhost <strong className="ent">{p.vhost}</strong>.
        </p>
      ),
      confirmLabel: 'Clear permissions',
      action: async () => {
        await deletePermission(p.vhost, p.user);
        toast.ok('Permissions cleared', `${p.user} in ${p.vhost}`);
        refresh();
      },
    });

  return (
    <div className="perm-editor">
      {permissions.error ? (
        <p className="form-error" role="alert">
          Could not load permissions: {permissions.error.message}
        </p>
      ) : rows.length === 0 ? (
        <p className="muted small">{byVhost ? 'No user may use this vhost yet.' : 'This user may use no vhost yet.'}</p>
      ) : (
        <table className="mini-table" aria-label="Permissions">
          <thead>
            <tr>
              <th scope="col">{otherLabel}</th>
              <th scope="col">Configure</th>
              <th scope="col">Write</th>
              <th scope="col">Read</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={`${p.vhost}|${p.user}`}>
                <td className="name">{otherOf(p)}</td>
                <td className="mono">{p.configure || <span className="zero">(none)</span>}</td>
                <td className="mono">{p.write || <span className="zero">(none)</span>}</td>
                <td className="mono">{p.read || <span className="zero">(none)</span>}</td>
                <td className="actions">
                  <button
                    type="button"
                    className="btn btn-ghost btn-xs"
                    aria-label={`Edit permissions of ${p.user} in ${p.vhost}`}
                    onClick={() => {
                      setOther(otherOf(p));
                      setForm({ configure: p.configure, write: p.write, read: p.read });
                      setEditing(true);
                      setError(null);
                    }}
                  >
                    Edit
                  </button>
                  <button type="button" className="icon-btn icon-btn-sm" aria-label={`Clear permissions of ${p.user} in ${p.vhost}`} title="Clear" onClick={() => remove(p)}>
                    <XIcon size={13} />
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="perm-form" onSubmit={submit} aria-label={editing ? 'Change permissions' : 'Set permissions'}>
        <label className="field">
          <span>{otherLabel}</span>
          {editing ? (
            <input value={target} readOnly aria-readonly="true" />
          ) : (
            <select value={target} onChange={(e) => setOther(e.target.value)} disabled={free.length === 0}>
              {free.length === 0 && <option value="">(all have permissions)</option>}
              {free.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          )}
        </label>
        {(['configure', 'write', 'read'] as const).map((k) => (
          <label key={k} className="field" htmlFor={`${id}-${k}`}>
            <span>{k[0].toUpperCase() + k.slice(1)}</span>
            <input id={`${id}-${k}`} className="mono" aria-describedby={`${id}-hint`} value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} spellCheck={false} autoComplete="off" />
          </label>
        ))}
        <div className="perm-form-actions">
          {editing && (
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => {
                setEditing(false);
                setOther('');
                setForm(ALL);
                setError(null);
              }}
            >
              Cancel
            </button>
          )}
          <button type="submit" className="btn btn-primary btn-sm" disabled={busy || target === ''}>
            {busy ? 'Saving…' : editing ? 'Save' : 'Set permission'}
          </button>
        </div>
        <small id={`${id}-hint`} className="hint perm-hint">
          Regular expressions over the names of exchanges and queues; an empty one allows nothing.
        </small>
        {error && (
          <p className="form-error perm-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
