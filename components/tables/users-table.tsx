'use client';
// Users (administrators only): who may log in, their tags, and what they may do in the vhost on
// screen. Add a user with a password, tags and, in one step, access to this vhost; edit tags and
// password, set permissions per vhost; delete one (one's own after typing its name).
import { useId, useState, type FormEvent } from 'react';
import { request, seg } from '@/lib/client/api';
import { deleteUser } from '@/lib/client/admin-api';
import { useInvalidateUsers, usePermissions, useUsers, useVhosts } from '@/lib/client/queries';
import { useSession } from '@/lib/client/session';
import { toast } from '@/lib/client/toast-store';
import type { PermissionDto, UserDto } from '@/lib/client/types';
import { EditIcon, LockIcon } from '../admin/admin-icons';
import { PermissionsEditor } from '../admin/permissions-editor';
import { TopicPermissionsEditor } from '../admin/topic-permissions-editor';
import { TypeToConfirm } from '../admin/type-to-confirm';
import { EditUserForm, USER_TAGS } from '../admin/user-edit';
import { FormFooter } from '../forms/form-footer';
import { confirmAction } from '../ui/confirm';
import { Dialog } from '../ui/dialog';
import { MoreIcon, PlusIcon, TrashIcon } from '../ui/icons';
import { Menu } from '../ui/menu';
import { Tags } from './cells';
import { DataTable, PageHead, type Column } from './data-table';

const TAGS = USER_TAGS;

/** RabbitMQ 3.9+ lists tags as an array, older versions as one comma-separated string. */
const tagsOf = (u: UserDto): string[] => (Array.isArray(u.tags) ? u.tags : u.tags.split(',').filter((t) => t !== ''));

function access(p: PermissionDto | undefined): string {
  if (!p) return 'none';
  if (p.configure === '.*' && p.write === '.*' && p.read === '.*') return 'full';
  return `configure ${p.configure || '∅'} · write ${p.write || '∅'} · read ${p.read || '∅'}`;
}

export function UsersPage() {
  const session = useSession((s) => s.session);
  const vhost = useSession((s) => s.vhost);
  const admin = session?.tags.includes('administrator') ?? false;
  const users = useUsers(admin);
  const permissions = usePermissions(admin);
  const refresh = useInvalidateUsers();
  const vhosts = useVhosts();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<{ kind: 'edit' | 'permissions' | 'delete-self'; user: UserDto } | null>(null);
  const close = () => setEditing(null);

  const here = (name: string) => permissions.data?.find((p) => p.user === name && p.vhost === vhost);
  const columns: Column<UserDto>[] = [
    { key: 'name', header: 'Name', className: 'name', render: (u) => u.name, sort: (u) => u.name },
    { key: 'tags', header: 'Tags', render: (u) => <Tags items={tagsOf(u)} />, sort: (u) => tagsOf(u).join(',') },
    { key: 'access', header: `Access to ${vhost}`, className: 'mono', render: (u) => access(here(u.name)), sort: (u) => access(here(u.name)) },
    {
      key: 'actions',
      header: '',
      className: 'actions',
      render: (u) => (
        <Menu
          label={`Actions for user ${u.name}`}
          trigger={<MoreIcon />}
          items={[
            { label: 'Edit…', icon: <EditIcon />, onSelect: () => setEditing({ kind: 'edit', user: u }) },
            { label: 'Permissions…', icon: <LockIcon />, onSelect: () => setEditing({ kind: 'permissions', user: u }) },
            {
              label: u.name === session?.username ? 'Delete user… (you)' : 'Delete user…',
              icon: <TrashIcon />,
              danger: true,
              onSelect: () =>
                u.name === session?.username
                  ? setEditing({ kind: 'delete-self', user: u })
                  : confirmAction({
                      title: 'Delete user?',
                      body: (
                        <p>
                          <strong>{u.name}</strong> will no longer be able to log in; its open connections are closed.
                        </p>
                      ),
                      confirmLabel: 'Delete user',
                      action: async () => {
                        await deleteUser(u.name);
                        toast.ok('User deleted', u.name);
                        refresh();
                      },
                    }),
            },
          ]}
        />
      ),
    },
  ];

  if (!admin) {
    return (
      <div className="page">
        <PageHead title="Users">Only administrators see and change users.</PageHead>
      </div>
    );
  }
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h2>Users</h2>
          <p>Who may log in to Warren, over AMQP and here, and what each may do in vhost {vhost}.</p>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
          <PlusIcon size={14} /> Add user
        </button>
      </div>
      <DataTable label="Users" rows={users.data} columns={columns} rowKey={(u) => u.name} filterText={(u) => `${u.name} ${tagsOf(u).join(' ')}`} empty="No users." error={users.error} />
      <Dialog open={editing?.kind === 'edit'} onClose={close} title={`Edit user ${editing?.user.name ?? ''}`} width={480}>
        {editing?.kind === 'edit' && (
          <EditUserForm
            name={editing.user.name}
            tags={tagsOf(editing.user)}
            self={editing.user.name === session?.username}
            onCancel={close}
            onDone={() => {
              close();
              refresh();
            }}
          />
        )}
      </Dialog>
      <Dialog open={editing?.kind === 'permissions'} onClose={close} title={`Permissions of ${editing?.user.name ?? ''}`} width={680}>
        {editing?.kind === 'permissions' && (
          <>
            <PermissionsEditor of={{ user: editing.user.name }} choices={(vhosts.data ?? []).map((v) => v.name)} />
            <TopicPermissionsEditor user={editing.user.name} vhosts={(vhosts.data ?? []).map((v) => v.name)} />
          </>
        )}
      </Dialog>
      <TypeToConfirm
        open={editing?.kind === 'delete-self'}
        title="Delete your own user?"
        word={editing?.kind === 'delete-self' ? editing.user.name : ''}
        confirmLabel="Delete my user"
        onClose={close}
        body={
          <p>
            You are logged in as <strong className="ent">{editing?.user.name}</strong>. After this you cannot log in again as this user, here or over AMQP, and
            its open connections are closed.
          </p>
        }
        action={async () => {
          if (editing?.kind !== 'delete-self') return;
          await deleteUser(editing.user.name);
          toast.ok('User deleted', editing.user.name);
          useSession.getState().logout();
        }}
      />
      <Dialog open={adding} onClose={() => setAdding(false)} title="New user" width={460}>
        {adding && (
          <AddUserForm
            vhost={vhost}
            onDone={() => {
              setAdding(false);
              refresh();
            }}
            onCancel={() => setAdding(false)}
          />
        )}
      </Dialog>
    </div>
  );
}

function AddUserForm({ vhost, onDone, onCancel }: { vhost: string; onDone(): void; onCancel(): void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [tags, setTags] = useState<string[]>([]);
  const [grant, setGrant] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const user = name.trim();
    if (user === '') return setError('Name the user.');
    if (password === '') return setError('Give the user a password.');
    setError(null);
    setBusy(true);
    try {
      await request<void>(`/api/users/${seg(user)}`, { method: 'PUT', body: { password, tags: tags.join(',') } });
      if (grant) await request<void>(`/api/permissions/${seg(vhost)}/${seg(user)}`, { method: 'PUT', body: { configure: '.*', write: '.*', read: '.*' } });
      toast.ok('User added', user);
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label="New user">
      <label className="field">
        <span>Name</span>
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} required spellCheck={false} autoComplete="off" placeholder="alice" />
      </label>
      <label className="field">
        <span>Password</span>
        <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="new-password" />
      </label>
      <div className="field">
        <span id={`${id}-tags`}>Tags</span>
        <div className="checks tag-checks" role="group" aria-labelledby={`${id}-tags`}>
          {TAGS.map((t) => (
            <label key={t} className="check">
              <input type="checkbox" checked={tags.includes(t)} onChange={(e) => setTags((x) => (e.target.checked ? [...x, t] : x.filter((y) => y !== t)))} />
              <span>{t}</span>
            </label>
          ))}
        </div>
        <small className="hint">No tag: AMQP only, no console. management: the console, for its own vhosts. administrator: everything.</small>
      </div>
      <label className="check">
        <input type="checkbox" checked={grant} onChange={(e) => setGrant(e.target.checked)} />
        <span>Full access to vhost {vhost} (configure, write, read: .*)</span>
      </label>
      <FormFooter error={error} busy={busy} onCancel={onCancel} submit="Add user" busyLabel="Adding…" />
    </form>
  );
}
