import { describe, expect, it } from 'vitest';
import { amqpUrl } from './amqp-url';

describe('amqpUrl', () => {
  it('uses the listener address, guest only on loopback', () => {
    expect(amqpUrl('127.0.0.1', 5672)).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(amqpUrl('10.0.0.5', 5672)).toBe('amqp://10.0.0.5:5672');
  });
  it('falls back to the page host for a wildcard listener', () => {
    expect(amqpUrl('::', 5672, '/', 'broker.example')).toBe('amqp://broker.example:5672');
    expect(amqpUrl('0.0.0.0', 5672, '/', '::1')).toBe('amqp://guest:guest@[::1]:5672');
  });
  it('puts a vhost other than the default in the path, encoded', () => {
    expect(amqpUrl('127.0.0.1', 5690, 'empty')).toBe('amqp://guest:guest@127.0.0.1:5690/empty');
    expect(amqpUrl('127.0.0.1', 5690, 'a/b')).toBe('amqp://guest:guest@127.0.0.1:5690/a%2Fb');
  });
});
