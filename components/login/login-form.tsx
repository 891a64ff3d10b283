'use client';
// Log in with a broker user. The server checks the password once, at /api/login, and answers with an
// HttpOnly session cookie that every tab of this browser then uses; the password is kept nowhere.
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, postLogin } from '@/lib/client/api';
import { chooseBroker, chosenBroker } from '@/lib/client/broker-choice';
import { loginTarget } from '@/lib/client/login-target';
import { useSession } from '@/lib/client/session';
import { FormError } from '@/components/forms/form-error';

function nextPath(): string {
  return loginTarget(new URLSearchParams(location.search).get('next'), location.origin);
}

export function LoginForm() {
  const router = useRouter();
  const hydrated = useSession((s) => s.hydrated);
  const session = useSession((s) => s.session);
  const login = useSession((s) => s.login);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** a broker other than the default: each keeps its own logins, so this one is for it */
  const [broker, setBroker] = useState<string | null>(null);

  useEffect(() => {
    setBroker(chosenBroker());
    if (!useSession.getState().hydrated) useSession.getState().hydrate();
  }, []);

  const backToDefault = () => {
    chooseBroker(null);
    // afresh, so the tab asks the default broker whether this browser is logged in there
    location.assign(nextPath());
  };
  useEffect(() => {
    if (hydrated && session !== null) router.replace(nextPath());
  }, [hydrated, session, router]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await postLogin(username, password);
      setPassword('');
      login({ username: me.name, tags: me.tags });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setError(err.reason === 'Login failed' || err.reason === '' ? 'Wrong username or password.' : err.reason);
      } else {
        setError(err instanceof Error ? err.message : String(err));
      }
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <div className="login-card">
        <div className="login-brand">
          <img src="/warren.svg" alt="" width={44} height={44} />
          <div>
            <h1>Warren</h1>
            <p>{broker === null ? 'AMQP 0-9-1 broker console' : <>Log in to the broker <strong>{broker}</strong></>}</p>
          </div>
        </div>
        <form onSubmit={submit} className="login-form" aria-label="Log in">
          <label className="field">
            <span>Username</span>
            <input
              name="username"
              autoComplete="username"
              autoFocus
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              spellCheck={false}
              autoCapitalize="off"
            />
          </label>
          <label className="field">
            <span>Password</span>
            <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </label>
          <FormError error={error} />
          <button type="submit" className="btn btn-primary btn-block" disabled={busy || username === ''}>
            {busy ? 'Logging in…' : 'Log in'}
          </button>
        </form>
        <p className="login-hint">
          Use a broker user with a management tag. On this machine, <code>guest</code> / <code>guest</code> works.
        </p>
        {broker !== null && (
          <p className="login-hint">
            Each broker has its own users and logins.{' '}
            <button type="button" className="link-btn" onClick={backToDefault}>
              Back to the default broker
            </button>
          </p>
        )}
      </div>
    </main>
  );
}
