import { describe, expect, it } from 'vitest';
import { parseJsonPath } from '../core/mask-rules';
import { JsonSpans } from './json-spans';

/** The text with each span replaced by "***", scanning `chunk` characters at a time. */
function masked(text: string, paths: string[], chunk = 1): { out: string; invalid: boolean } {
  const scan = new JsonSpans(text, paths.map(parseJsonPath));
  while (!scan.scan(chunk));
  let out = '';
  let done = 0;
  for (const [s, e] of scan.spans) {
    out += `${text.slice(done, s)}"***"`;
    done = e;
  }
  return { out: out + text.slice(done), invalid: scan.invalid };
}

describe('JSON spans', () => {
  const doc = '{ "card": {"number": "4111", "exp":"12/30"}, "items": [ {"pan": 1}, {"pan": [2, {"x": 3}]}, {"other": null} ],\n "n": -1.5e3, "\\u0063vv": true, "t": "a \\"quoted\\" }" }';

  it('finds values at names, indexes and wildcards, whatever the chunking, layout kept', () => {
    for (const chunk of [1, 3, 7, 1000]) {
      const r = masked(doc, ['$.card.number', '$.items[*].pan', '$.n', '$.cvv'], chunk);
      expect(r.invalid).toBe(false);
      expect(r.out).toBe('{ "card": {"number": "***", "exp":"12/30"}, "items": [ {"pan": "***"}, {"pan": "***"}, {"other": null} ],\n "n": "***", "\\u0063vv": "***", "t": "a \\"quoted\\" }" }');
      expect(JSON.parse(r.out)).toBeTruthy();
    }
    expect(masked(doc, ['$.items[1]']).out).toContain('"items": [ {"pan": 1}, "***", {"other": null} ]');
    expect(masked(doc, ['$.card']).out.startsWith('{ "card": "***", "items"')).toBe(true);
    expect(masked('[[1,2],[3,[]],{}]', ['$[*][0]']).out).toBe('[["***",2],["***",[]],{}]');
  });

  it('masks every member of a name, as a reader keeping either would show it', () => {
    expect(masked('{"a":1,"a":2}', ['$.a']).out).toBe('{"a":"***","a":"***"}');
  });

  it('says when the text is not JSON, keeping what it found before', () => {
    expect(masked('{"a": 1, "b": ', ['$.a']).invalid).toBe(true);
    expect(masked('{"a": 1, "b": ', ['$.a']).out).toBe('{"a": "***", "b": ');
    expect(masked('[1,]', ['$[0]']).invalid).toBe(true);
    expect(masked('{"a":1} x', ['$.a']).invalid).toBe(true);
    expect(masked('{} ', ['$.a'])).toEqual({ out: '{} ', invalid: false });
  });
});
