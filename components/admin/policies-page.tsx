'use client';
// Policies of the vhost on screen: which queues and exchanges each one matches, what it sets, and
// a form like RabbitMQ's (name, pattern, apply to, priority, definition as typed key/value rows).
// The broker validates; its reason ("… is not a valid maximum length") is shown as RabbitMQ words it.
// Below them the operator policies: an administrator's limits that apply together with the user
// policy of a queue, the stricter value winning.
import { useState, type FormEvent } from 'react';
import { deleteOperatorPolicy, deletePolicy, putOperatorPolicy, putPolicy, type PolicySettings } from '@/lib/client/admin-api';
import { reasonText } from '@/lib/client/api-reason';
import { useInvalidatePolicies, useOperatorPolicies, usePolicies } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import { toast } from '@/lib/client/toast-store';
import type { JsonValue, PolicyDto } from '@/lib/client/types';
import { FormFooter } from '../forms/form-footer';
import { HeadersEditor, newRow, objectToRows, rowsToObject, type HeaderRow } from '../forms/headers-editor';
import { DataTable, type Column } from '../tables/data-table';
import { confirmAction } from '../ui/confirm';
import { Dialog } from '../ui/dialog';
import { MoreIcon, PlusIcon, TrashIcon } from '../ui/icons';
import { Menu } from '../ui/menu';
import { EditIcon } from './admin-icons';

/** The keys RabbitMQ's policy form offers as shortcuts, with the type each takes. */
const KNOWN_KEYS: { key: string; type: HeaderRow['type']; applies: 'queues' | 'exchanges' }[] = [
  { key: 'max-length', type: 'number', applies: 'queues' },
  { key: 'max-length-bytes', type: 'number', applies: 'queues' },
  { key: 'overflow', type: 'string', applies: 'queues' },
  { key: 'message-ttl', type: 'number', applies: 'queues' },
  { key: 'expires', type: 'number', applies: 'queues' },
  { key: 'dead-letter-exchange', type: 'string', applies: 'queues' },
  { key: 'dead-letter-routing-key', type: 'string', applies: 'queues' },
  { key: 'queue-mode', type: 'string', applies: 'queues' },
  { key: 'max-priority', type: 'number', applies: 'queues' },
  { key: 'alternate-exchange', type: 'string', applies: 'exchanges' },
];

/** The only keys RabbitMQ 3.10 takes in an operator policy: limits, each a number. */
const OPERATOR_KEYS: typeof KNOWN_KEYS = ['max-length', 'max-length-bytes', 'message-ttl', 'expires', 'delivery-limit', 'max-in-memory-length', 'max-in-memory-bytes'].map(
  (key) => ({ key, type: 'number', applies: 'queues' }),
);

interface Kind {
  /** 'Policy', 'Operator policy' */
  noun: string;
  put(vhost: string, name: string, p: PolicySettings): Promise<void>;
  remove(vhost: string, name: string): Promise<void>;
  keys: typeof KNOWN_KEYS;
}

const USER_KIND: Kind = { noun: 'Policy', put: putPolicy, remove: deletePolicy, keys: KNOWN_KEYS };
const OPERATOR_KIND: Kind = { noun: 'Operator policy', put: putOperatorPolicy, remove: deleteOperatorPolicy, keys: OPERATOR_KEYS };

const showValue = (v: JsonValue): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function PoliciesPage() {
  const vhost = useSession((s) => s.vhost);
  const session = useSession((s) => s.session);
  const admin = session?.tags.includes('administrator') ?? false;
  const mayEdit = admin || (session?.tags.includes('policymaker') ?? false);
  const policies = usePolicies(vhost);
  const operatorPolicies = useOperatorPolicies(vhost);
  const [editing, setEditing] = useState<PolicyDto | 'new' | null>(null);
  const [editingOperator, setEditingOperator] = useState<PolicyDto | 'new' | null>(null);

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h2>Policies</h2>
          <p>
            Settings for the queues and exchanges of vhost {vhost} whose names match a pattern; the highest priority wins.
            {mayEdit ? '' : ' Changing them takes the policymaker or administrator tag.'}
          </p>
        </div>
        {mayEdit && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            <PlusIcon size={14} /> Add policy
          </button>
        )}
      </div>
      <PolicyTable kind={USER_KIND} vhost={vhost} rows={policies.data} error={policies.error} mayEdit={mayEdit} editing={editing} setEditing={setEditing} />
      <div className="page-head page-subhead">
        <div>
          <h3>Operator policies</h3>
          <p>
            Limits set by an administrator that apply to matching queues together with their policy: where both set a limit, the smaller one holds.
            {admin ? '' : ' Changing them takes the administrator tag.'}
          </p>
        </div>
        {admin && (
          <button type="button" className="btn" onClick={() => setEditingOperator('new')}>
            <PlusIcon size={14} /> Add operator policy
          </button>
        )}
      </div>
      <PolicyTable
        kind={OPERATOR_KIND}
        vhost={vhost}
        rows={operatorPolicies.data}
        error={operatorPolicies.error}
        mayEdit={admin}
        editing={editingOperator}
        setEditing={setEditingOperator}
      />
    </div>
  );
}

function PolicyTable({
  kind,
  vhost,
  rows,
  error,
  mayEdit,
  editing,
  setEditing,
}: {
  kind: Kind;
  vhost: string;
  rows: PolicyDto[] | undefined;
  error: Error | null;
  mayEdit: boolean;
  editing: PolicyDto | 'new' | null;
  setEditing(p: PolicyDto | 'new' | null): void;
}) {
  const refresh = useInvalidatePolicies();
  const noun = kind.noun.toLowerCase();

  const remove = (p: PolicyDto) =>
    confirmAction({
      title: `Delete ${noun}?`,
      body: (
        <p>
          {kind.noun} <strong className="ent">{p.name}</strong> stops applying to the {p['apply-to'] === 'all' ? 'queues and exchanges' : p['apply-to']} matching{' '}
          <code>{p.pattern}</code>.
        </p>
      ),
      confirmLabel: `Delete ${noun}`,
      action: async () => {
        await kind.remove(p.vhost, p.name);
        toast.ok(`${kind.noun} deleted`, p.name);
        refresh(p.vhost);
      },
    });

  const columns: Column<PolicyDto>[] = [
    { key: 'name', header: 'Name', className: 'name', render: (p) => p.name, sort: (p) => p.name },
    { key: 'pattern', header: 'Pattern', className: 'mono', render: (p) => p.pattern, sort: (p) => p.pattern },
    { key: 'apply', header: 'Apply to', render: (p) => p['apply-to'], sort: (p) => p['apply-to'] },
    {
      key: 'definition',
      header: 'Definition',
      render: (p) => (
        <span className="def-list">
          {Object.entries(p.definition).map(([k, v]) => (
            <span key={k} className="def-item">
              <span className="def-key">{k}</span>
              <span className="def-eq">=</span>
              <span className="def-val">{showValue(v)}</span>
            </span>
          ))}
        </span>
      ),
    },
    { key: 'priority', header: 'Priority', numeric: true, render: (p) => p.priority, sort: (p) => p.priority },
    {
      key: 'actions',
      header: '',
      className: 'actions',
      render: (p) =>
        mayEdit ? (
          <Menu
            label={`Actions for ${noun} ${p.name}`}
            trigger={<MoreIcon />}
            items={[
              { label: 'Edit…', icon: <EditIcon />, onSelect: () => setEditing(p) },
              { label: 'Delete…', icon: <TrashIcon />, danger: true, onSelect: () => remove(p) },
            ]}
          />
        ) : null,
    },
  ];

  return (
    <>
      <DataTable
        label={`${kind.noun === 'Policy' ? 'Policies' : 'Operator policies'}`}
        rows={rows}
        columns={columns}
        rowKey={(p) => p.name}
        filterText={(p) => `${p.name} ${p.pattern} ${Object.keys(p.definition).join(' ')}`}
        defaultSort={{ key: 'priority', dir: 'desc' }}
        empty={`No ${noun === 'policy' ? 'policies' : 'operator policies'} in vhost ${vhost}.`}
        error={error}
      />
      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? `New ${noun}` : `Edit ${noun} ${editing?.name ?? ''}`} width={600}>
        {editing !== null && (
          <PolicyForm
            kind={kind}
            vhost={vhost}
            existing={editing === 'new' ? undefined : editing}
            onCancel={() => setEditing(null)}
            onDone={() => {
              setEditing(null);
              refresh(vhost);
            }}
          />
        )}
      </Dialog>
    </>
  );
}

function PolicyForm({ kind, vhost, existing, onDone, onCancel }: { kind: Kind; vhost: string; existing?: PolicyDto; onDone(): void; onCancel(): void }) {
  const [name, setName] = useState(existing?.name ?? '');
  const [pattern, setPattern] = useState(existing?.pattern ?? '');
  const [applyTo, setApplyTo] = useState<string>(existing?.['apply-to'] ?? 'queues');
  const [priority, setPriority] = useState(String(existing?.priority ?? 0));
  const [rows, setRows] = useState<HeaderRow[]>(() => (existing ? objectToRows(existing.definition) : [newRow()]));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const policy = existing?.name ?? name.trim();
    if (policy === '') return setError('Name the policy.');
    const prio = Number(priority);
    if (priority.trim() === '' || !Number.isFinite(prio)) return setError('Priority is a number.');
    const definition = rowsToObject(rows);
    if (definition.error) return setError(definition.error);
    setBusy(true);
    setError(null);
    try {
      await kind.put(vhost, policy, { pattern, 'apply-to': applyTo, priority: prio, definition: definition.value });
      toast.ok(existing ? `${kind.noun} updated` : `${kind.noun} added`, policy);
      onDone();
    } catch (err) {
      setError(reasonText(err));
      setBusy(false);
    }
  };

  const add = (key: string, type: HeaderRow['type']) => {
    const blank = rows.find((r) => r.key.trim() === '' && r.value === '');
    const row = newRow(key, '', type);
    setRows(blank ? rows.map((r) => (r === blank ? row : r)) : [...rows, row]);
  };

  return (
    <form className="form policy-form" onSubmit={submit} aria-label={existing ? `Edit ${kind.noun.toLowerCase()}` : `New ${kind.noun.toLowerCase()}`}>
      <div className="grid-2">
        <label className="field">
          <span>Name</span>
          <input name="name" value={existing?.name ?? name} onChange={(e) => setName(e.target.value)} readOnly={existing !== undefined} required spellCheck={false} autoComplete="off" placeholder="limit-orders" />
        </label>
        <label className="field">
          <span>Pattern</span>
          <input name="pattern" className="mono" value={pattern} onChange={(e) => setPattern(e.target.value)} spellCheck={false} autoComplete="off" placeholder="^orders\." />
        </label>
        <label className="field">
          <span>Apply to</span>
          <select name="apply-to" value={applyTo} onChange={(e) => setApplyTo(e.target.value)}>
            <option value="queues">Queues</option>
            <option value="exchanges">Exchanges</option>
            <option value="all">Exchanges and queues</option>
          </select>
        </label>
        <label className="field">
          <span>Priority</span>
          <input name="priority" type="number" value={priority} onChange={(e) => setPriority(e.target.value)} inputMode="numeric" />
        </label>
      </div>
      <HeadersEditor label="Definition" rows={rows} onChange={setRows} keyPlaceholder="key" addLabel="Add key" />
      <div className="known-keys" role="group" aria-label="Add a known key">
        <span className="muted small">Add:</span>
        {kind.keys.filter((k) => applyTo === 'all' || k.applies === applyTo).map((k) => (
          <button key={k.key} type="button" className="btn btn-ghost btn-xs" disabled={rows.some((r) => r.key === k.key)} onClick={() => add(k.key, k.type)}>
            {k.key}
          </button>
        ))}
      </div>
      <FormFooter error={error} busy={busy} onCancel={onCancel} submit={existing ? `Save ${kind.noun.toLowerCase()}` : `Add ${kind.noun.toLowerCase()}`} busyLabel="Saving…" />
    </form>
  );
}
