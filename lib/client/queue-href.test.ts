import { describe, expect, it } from 'vitest';
import { queuePageHref } from './queue-href';

describe('queuePageHref', () => {
  it('encodes the default vhost and odd names into one path segment each', () => {
    expect(queuePageHref('/', 'a b/c?d#e%')).toBe('/queues/%2F/a%20b%2Fc%3Fd%23e%25');
  });
});
