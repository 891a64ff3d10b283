import { describe, expect, it } from 'vitest';
import { quotePlus } from '../api/quote-plus';
import { propertiesKey } from './bindings';

describe('properties_key', () => {
  it('is the quoted routing key, "~" alone for an empty key, key~hash with arguments', () => {
    expect(propertiesKey('k1', {})).toBe('k1');
    expect(propertiesKey('', {})).toBe('~');
    expect(propertiesKey('k*#.x y/z', {})).toBe('k%2A%23.x+y%2Fz');
    expect(propertiesKey('a~b', {})).toBe('a%7Eb');
    expect(propertiesKey('k1', { a: 1 })).toMatch(/^k1~[A-Za-z0-9_-]{6}$/);
    expect(propertiesKey('', { a: 1 })).toMatch(/^~[A-Za-z0-9_-]{6}$/);
    expect(propertiesKey('k1', { a: 1 })).toBe(propertiesKey('k1', { a: 1 }));
    expect(propertiesKey('k1', { a: 1 })).not.toBe(propertiesKey('k1', { a: 2 }));
    expect(quotePlus('é')).toBe('%C3%A9');
  });
});
