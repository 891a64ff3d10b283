import { describe, expect, it } from 'vitest';
import { loginTarget } from './login-target';

const ORIGIN = 'http://console.test:15672';

describe('loginTarget', () => {
  it('keeps paths on this site, with query and hash', () => {
    expect(loginTarget('/queues', ORIGIN)).toBe('/queues');
    expect(loginTarget('/queues?vhost=%2F#top', ORIGIN)).toBe('/queues?vhost=%2F#top');
    expect(loginTarget(null, ORIGIN)).toBe('/');
    expect(loginTarget('', ORIGIN)).toBe('/');
  });

  it.each([
    '/\\evil.example/x',
    '/%5Cevil.example/x'.replace('%5C', '\\'),
    '//evil.example/x',
    '/\t/evil.example/x',
    '/\n/evil.example',
    '/.//evil.example/x',
    '/a/..//evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    'evil.example',
  ])('refuses %j', (next) => {
    const target = loginTarget(next, ORIGIN);
    expect(target).toBe('/');
    expect(new URL(target, ORIGIN).origin).toBe(ORIGIN);
  });

  it('decodes ?next= as the login page does and still refuses /%5Cevil.example', () => {
    const next = new URLSearchParams('?next=/%5Cevil.example/x').get('next');
    expect(loginTarget(next, ORIGIN)).toBe('/');
  });
});
