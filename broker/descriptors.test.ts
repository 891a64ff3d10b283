import { describe, expect, it } from 'vitest';
import { connectionCaps, descriptorLimit, openDescriptors } from './descriptors';

describe('connection caps', () => {
  it('read the process limit and what is open', () => {
    const limit = descriptorLimit();
    expect(limit === undefined || limit > 0).toBe(true);
    expect(openDescriptors()).toBeGreaterThan(2);
  });

  it('leave a tenth for files and a fifth (at most 1000) for HTTP, the rest free for AMQP', () => {
    expect(connectionCaps(20_000, 30)).toEqual({ amqp: 20_000 - 30 - 2000 - 1000, http: 1000 });
    expect(connectionCaps(1024, 20)).toEqual({ amqp: 1024 - 20 - 102 - 204, http: 204 });
    expect(connectionCaps(64, 30)).toEqual({ amqp: 64 - 30 - 16 - 12, http: 12 });
    // never zero
    expect(connectionCaps(20, 30).amqp).toBe(1);
  });
});
