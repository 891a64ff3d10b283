import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  it('lets five failures through, then makes the address wait, doubling up to the maximum', () => {
    let now = 1_000_000;
    const t = new LoginThrottle({ now: () => now, maxMs: 8000 });
    for (let i = 0; i < 4; i++) {
      t.failed('10.0.0.1');
      expect(t.wait('10.0.0.1')).toBe(0);
    }
    t.failed('10.0.0.1');
    expect(t.wait('10.0.0.1')).toBe(1000);
    expect(t.wait('10.0.0.2')).toBe(0);
    now += 1000;
    t.failed('10.0.0.1');
    expect(t.wait('10.0.0.1')).toBe(2000);
    t.failed('10.0.0.1');
    t.failed('10.0.0.1');
    t.failed('10.0.0.1');
    expect(t.wait('10.0.0.1')).toBe(8000);
    now += 8000;
    expect(t.wait('10.0.0.1')).toBe(0);
  });

  it('forgets an address after a success', () => {
    const t = new LoginThrottle({ now: () => 0 });
    for (let i = 0; i < 5; i++) t.failed('a');
    expect(t.wait('a')).toBeGreaterThan(0);
    t.succeeded('a');
    expect(t.wait('a')).toBe(0);
  });

  it('remembers a bounded number of addresses, dropping the oldest', () => {
    const t = new LoginThrottle({ now: () => 0, free: 1, maxAddresses: 2 });
    t.failed('a');
    t.failed('b');
    t.failed('c');
    expect(t.wait('a')).toBe(0);
    expect(t.wait('b')).toBeGreaterThan(0);
    expect(t.wait('c')).toBeGreaterThan(0);
  });
});
