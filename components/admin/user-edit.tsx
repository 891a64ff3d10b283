'use client';
// Editing one user: tags, and a new password when one is typed (the current one is kept otherwise).
import { useId, useState, type FormEvent } from 'react';
import { putUser, putUserTags } from '@/lib/client/admin-api';
import { postLogin } from '@/lib/client/api';
import { useSession } from '@/lib/client/session';
import { toast } from '@/lib/client/toast-store';
import { FormFooter } from '../forms/form-footer';

export const USER_TAGS = ['administrator', 'monitoring', 'policymaker', 'management'] as const;

export function EditUserForm({ name, tags: initial, self, onDone, onCancel }: { name: string; tags: string[]; self: boolean; onDone(): void; onCancel(): void }) {
  const id = useId();
  const [tags, setTags] = useState<string[]>(initial);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const custom = initial.filter((t) => !(USER_TAGS as readonly string[]).includes(t));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== again) return setError('The two passwords differ.');
    setBusy(true);
    setError(null);
    try {
      const tagList = [...tags, ...custom.filter((t) => !tags.includes(t))].join(',');
      if (password !== '') await putUser(name, { password, tags: tagList });
      else await putUserTags(name, tagList);
      // the console shows pages by the login's tags, so one's own change applies here at once; a new
      // password ends every login of the user (the server's rule), so this one logs in again with it
      const session = useSession.getState().session;
      if (self && session) {
        if (password !== '') await postLogin(name, password);
        useSession.getState().login({ ...session, tags: tagList.split(',').filter((t) => t !== '') });
      }
      toast.ok('User updated', password !== '' ? `${name}: password and tags` : `${name}: tags`);
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} aria-label={`Edit user ${name}`}>
      <div className="field">
        <span id={`${id}-tags`}>Tags</span>
        <div className="checks tag-checks" role="group" aria-labelledby={`${id}-tags`}>
          {USER_TAGS.map((t) => (
            <label key={t} className="check">
              <input type="checkbox" checked={tags.includes(t)} onChange={(e) => setTags((x) => (e.target.checked ? [...x, t] : x.filter((y) => y !== t)))} />
              <span>{t}</span>
            </label>
          ))}
        </div>
        {custom.length > 0 && <small className="hint">Other tags kept: {custom.join(', ')}</small>}
        {self && !tags.includes('administrator') && <small className="hint warn-hint">Without administrator you lose this page after saving.</small>}
      </div>
      <div className="grid-2">
        <label className="field">
          <span>New password</span>
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" placeholder="unchanged" />
        </label>
        <label className="field">
          <span>Repeat it</span>
          <input name="password-again" type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="new-password" />
        </label>
      </div>
      <small className="hint">Leave the password empty to keep the current one.</small>
      <FormFooter error={error} busy={busy} onCancel={onCancel} submit="Save user" busyLabel="Saving…" />
    </form>
  );
}
