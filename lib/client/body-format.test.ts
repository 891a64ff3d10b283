import { describe, expect, it } from 'vitest';
import { checkBody, looksLikeJson, parseBodyFormat } from './body-format';

describe('publish body format', () => {
  it('sends a plain word as text by default, not as invalid JSON', () => {
    expect(checkBody('hello', 'auto')).toEqual({ sentAs: 'text', error: null });
  });

  it('detects a JSON object or array', () => {
    expect(checkBody('{\n  "hello": "world"\n}', 'auto')).toEqual({ sentAs: 'json', error: null });
    expect(checkBody(' [1, 2] ', 'auto').sentAs).toBe('json');
    expect(looksLikeJson('{"broken": ')).toBe(false);
    // scalars are text: 42 apples and 42 alike
    expect(looksLikeJson('42')).toBe(false);
    expect(looksLikeJson('"quoted"')).toBe(false);
  });

  it('refuses invalid JSON only when the user chose JSON', () => {
    expect(checkBody('hello', 'json').error).not.toBeNull();
    expect(checkBody('hello', 'text')).toEqual({ sentAs: 'text', error: null });
    expect(checkBody('{"a":1}', 'text').sentAs).toBe('text');
  });

  it('reads old templates', () => {
    expect(parseBodyFormat('json')).toBe('json');
    expect(parseBodyFormat(undefined)).toBe('auto');
  });
});
