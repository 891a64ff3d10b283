'use client';
// Virtual hosts (administrators): their descriptions, tags, messages and rates as the API gives
// them; create, edit, delete (after typing the name) and who may use each one.
import { useState, type FormEvent } from 'react';
import { deleteVhost, putVhost } from '@/lib/client/admin-api';
import { useInvalidateUsers, useInvalidateVhosts, useUsers, useVhostDetails } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import { toast } from '@/lib/client/toast-store';
import type { VhostDetailDto } from '@/lib/client/types';
import { FormFooter } from '../forms/form-footer';
import { Count, Rate, Tags } from '../tables/cells';
import { DataTable, PageHead, type Column } from '../tables/data-table';
import { Dialog } from '../ui/dialog';
import { MoreIcon, PlusIcon, TrashIcon } from '../ui/icons';
import { EditIcon, LockIcon } from './admin-icons';
import { Menu } from '../ui/menu';
import { PermissionsEditor } from './permissions-editor';
import { TypeToConfirm } from './type-to-confirm';

type Editing = { kind: 'new' } | { kind: 'edit'; vhost: VhostDetailDto } | { kind: 'permissions'; vhost: string } | { kind: 'delete'; vhost: string } | null;

export function VhostsPage() {
  const session = useSession((s) => s.session);
  const current = useSession((s) => s.vhost);
  const setVhost = useSession((s) => s.setVhost);
  const admin = session?.tags.includes('administrator') ?? false;
  const vhosts = useVhostDetails(admin);
  const users = useUsers(admin);
  const refresh = useInvalidateVhosts();
  const refreshUsers = useInvalidateUsers();
  const [editing, setEditing] = useState<Editing>(null);
  const close = () => setEditing(null);

  const columns: Column<VhostDetailDto>[] = [
    { key: 'name', header: 'Name', className: 'name', render: (v) => v.name, sort: (v) => v.name },
    { key: 'description', header: 'Description', render: (v) => v.description || <span className="zero">—</span>, sort: (v) => v.description ?? '' },
    { key: 'tags', header: 'Tags', render: (v) => <Tags items={v.tags ?? []} />, sort: (v) => (v.tags ?? []).join(',') },
    { key: 'ready', header: 'Ready', numeric: true, render: (v) => <Count value={v.messages_ready ?? 0} />, sort: (v) => v.messages_ready ?? 0 },
    { key: 'unacked', header: 'Unacked', numeric: true, render: (v) => <Count value={v.messages_unacknowledged ?? 0} />, sort: (v) => v.messages_unacknowledged ?? 0 },
    {
      key: 'publish',
      header: 'Publish',
      numeric: true,
      render: (v) => <Rate value={v.message_stats?.publish_details?.rate ?? 0} />,
      sort: (v) => v.message_stats?.publish_details?.rate ?? 0,
    },
    {
      key: 'deliver',
      header: 'Deliver',
      numeric: true,
      render: (v) => <Rate value={v.message_stats?.deliver_get_details?.rate ?? 0} />,
      sort: (v) => v.message_stats?.deliver_get_details?.rate ?? 0,
    },
    {
      key: 'actions',
      header: '',
      className: 'actions',
      render: (v) => (
        <Menu
          label={`Actions for vhost ${v.name}`}
          trigger={<MoreIcon />}
          items={[
            { label: 'Edit…', icon: <EditIcon />, onSelect: () => setEditing({ kind: 'edit', vhost: v }) },
            { label: 'Permissions…', icon: <LockIcon />, onSelect: () => setEditing({ kind: 'permissions', vhost: v.name }) },
            { label: 'Delete…', icon: <TrashIcon />, danger: true, onSelect: () => setEditing({ kind: 'delete', vhost: v.name }) },
          ]}
        />
      ),
    },
  ];

  if (!admin) {
    return (
      <div className="page">
        <PageHead title="Virtual hosts">Only administrators see and change virtual hosts.</PageHead>
      </div>
    );
  }
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h2>Virtual hosts</h2>
          <p>Each vhost has its own exchanges, queues, bindings, policies and user permissions.</p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setEditing({ kind: 'new' })}>
          <PlusIcon size={14} /> Add vhost
        </button>
      </div>
      <DataTable
        label="Virtual hosts"
        rows={vhosts.data}
        columns={columns}
        rowKey={(v) => v.name}
        filterText={(v) => `${v.name} ${v.description ?? ''} ${(v.tags ?? []).join(' ')}`}
        empty="No virtual hosts."
        error={vhosts.error}
      />
      <Dialog open={editing?.kind === 'new' || editing?.kind === 'edit'} onClose={close} title={editing?.kind === 'edit' ? `Edit vhost ${editing.vhost.name}` : 'New vhost'} width={460}>
        {(editing?.kind === 'new' || editing?.kind === 'edit') && (
          <VhostForm
            existing={editing.kind === 'edit' ? editing.vhost : undefined}
            onCancel={close}
            onDone={() => {
              close();
              void refresh();
              refreshUsers();
            }}
          />
        )}
      </Dialog>
      <Dialog open={editing?.kind === 'permissions'} onClose={close} title={editing?.kind === 'permissions' ? `Who may use vhost ${editing.vhost}` : ''} width={680}>
        {editing?.kind === 'permissions' && <PermissionsEditor of={{ vhost: editing.vhost }} choices={(users.data ?? []).map((u) => u.name)} />}
      </Dialog>
      <TypeToConfirm
        open={editing?.kind === 'delete'}
        title="Delete vhost?"
        word={editing?.kind === 'delete' ? editing.vhost : ''}
        confirmLabel="Delete vhost"
        onClose={close}
        body={
          editing?.kind === 'delete' && (
            <p>
              Vhost <strong className="ent">{editing.vhost}</strong> goes with every exchange, queue, message, binding, policy and permission in it; its
              connections are closed.
            </p>
          )
        }
        action={async () => {
          if (editing?.kind !== 'delete') return;
          await deleteVhost(editing.vhost);
          toast.ok('Vhost deleted', editing.vhost);
          if (editing.vhost === current) setVhost('/');
          void refresh();
          refreshUsers();
        }}
      />
    </div>
  );
}

function VhostForm({ existing, onDone, onCancel }: { existing?: VhostDetailDto; onDone(): void; onCancel(): void }) {
  const [name, setName] = useState(existing?.name ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [tags, setTags] = useState((existing?.tags ?? []).join(', '));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const vhost = existing?.name ?? name.trim();
    if (vhost === '') return setError('Name the vhost.');
    setBusy(true);
    setError(null);
    try {
      const tagList = tags
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '');
      await putVhost(vhost, { description, tags: tagList.join(',') });
      toast.ok(existing ? 'Vhost updated' : 'Vhost added', vhost);
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label={existing ? 'Edit vhost' : 'New vhost'}>
      {!existing && (
        <label className="field">
          <span>Name</span>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} required spellCheck={false} autoComplete="off" placeholder="staging" />
        </label>
      )}
      <label className="field">
        <span>Description</span>
        <input name="description" value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />
      </label>
      <label className="field">
        <span>Tags</span>
        <input name="tags" value={tags} onChange={(e) => setTags(e.target.value)} spellCheck={false} autoComplete="off" placeholder="production, eu" />
        <small className="hint">Comma-separated. {existing ? '' : 'You get full permissions on a vhost you create, as in RabbitMQ.'}</small>
      </label>
      <FormFooter error={error} busy={busy} onCancel={onCancel} submit={existing ? 'Save' : 'Add vhost'} busyLabel="Saving…" />
    </form>
  );
}
