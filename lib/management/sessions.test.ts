// Login sessions are bounded: idle ones and old ones end, and however many logins come, the store
// holds at most its limit, per user and in all, dropping the least recently used.
import { describe, expect, it } from 'vitest';
import { LoginSessions } from './sessions';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('LoginSessions', () => {
  it('gives 256-bit random ids and finds a session by its id only', () => {
    const s = new LoginSessions();
    const a = s.open('ann', 'x');
    const b = s.open('ann', 'x');
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.id, 'base64url')).toHaveLength(32);
    expect(a.id).not.toBe(b.id);
    expect(s.use(a.id)?.user).toBe('ann');
    expect(s.use(a.id.slice(0, -1) + (a.id.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
    expect(s.use('')).toBeUndefined();
  });

  it('ends a session idle longer than the timeout, and any session older than its lifetime', () => {
    const c = clock();
    const s = new LoginSessions({ idleMs: 1000, lifetimeMs: 5000, now: c.now });
    const idle = s.open('ann', undefined);
    const busy = s.open('bob', undefined);
    for (let i = 0; i < 5; i++) {
      c.advance(900);
      expect(s.use(busy.id)).toBeDefined();
    }
    expect(s.use(idle.id)).toBeUndefined();
    c.advance(900);
    // used 900 ms ago, but 5400 ms old
    expect(s.use(busy.id)).toBeUndefined();
    expect(s.size).toBe(0);
  });

  it('holds at most maxPerUser sessions of one user and maxSessions in all, least recently used dropped', () => {
    const s = new LoginSessions({ maxPerUser: 3, maxSessions: 5 });
    const ended: string[] = [];
    s.onEnd((ids) => ended.push(...ids));
    const ann = Array.from({ length: 4 }, () => s.open('ann', undefined));
    expect(s.use(ann[0].id)).toBeUndefined();
    expect(ended).toEqual([ann[0].id]);
    const bob = s.open('bob', undefined);
    s.use(ann[1].id);
    // ann[2] is now the least recently used of all
    s.open('cat', undefined);
    s.open('cat', undefined);
    expect(s.size).toBe(5);
    expect(s.use(ann[2].id)).toBeUndefined();
    expect(s.use(ann[1].id)).toBeDefined();
    expect(s.use(bob.id)).toBeDefined();
    for (let i = 0; i < 10_000; i++) s.open(`flood${i % 50}`, undefined);
    expect(s.size).toBe(5);
  });

  it('revokes one session, or every session of a user', () => {
    const s = new LoginSessions();
    const a = s.open('ann', undefined);
    const a2 = s.open('ann', undefined);
    const b = s.open('bob', undefined);
    s.revoke(a.id);
    expect(s.use(a.id)).toBeUndefined();
    expect(s.use(a2.id)).toBeDefined();
    s.revokeUser('ann');
    expect(s.use(a2.id)).toBeUndefined();
    expect(s.use(b.id)).toBeDefined();
  });
});
