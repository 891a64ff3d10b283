import { describe, expect, it } from 'vitest';
import { HttpError } from './errors';
import { listing, pickColumns, type Page } from './paging';

const rows = ['qc', 'Qd', 'q1', 'qa', 'q4', 'qb'].map((name, i) => ({ name, vhost: '/', messages: i, message_stats: { publish: 10 - i } }));
const q = (s: string) => new URLSearchParams(s);
const names = (r: unknown) => (Array.isArray(r) ? r : (r as Page).items).map((x) => (x as { name: string }).name);

describe('listing', () => {
  it('sorts by vhost then name by default, bytewise like RabbitMQ', () => {
    expect(names(listing(rows, q('')))).toEqual(['Qd', 'q1', 'q4', 'qa', 'qb', 'qc']);
  });

  it('sorts by any column, nested ones too, and reverses', () => {
    expect(names(listing(rows, q('sort=messages')))).toEqual(['qc', 'Qd', 'q1', 'qa', 'q4', 'qb']);
    expect(names(listing(rows, q('sort=message_stats.publish')))).toEqual(['qb', 'q4', 'qa', 'q1', 'Qd', 'qc']);
    expect(names(listing(rows, q('sort=name&sort_reverse=true')))).toEqual(['qc', 'qb', 'qa', 'q4', 'q1', 'Qd']);
  });

  it('keeps only the asked columns, nested ones as nested objects', () => {
    const out = listing(rows, q('columns=name,message_stats.publish,nosuch')) as Record<string, unknown>[];
    expect(out[0]).toEqual({ name: 'Qd', message_stats: { publish: 9 } });
    expect(pickColumns({ a: { b: 1, c: 2 } }, [['a', 'b'], ['a', 'c']])).toEqual({ a: { b: 1, c: 2 } });
  });

  it('keeps the row’s key order, trims lists of objects item by item, and returns map-like values whole', () => {
    const row = { name: 'n', arguments: { a: 1, b: 2 }, listeners: [{ port: 1, ip: 'x' }, { port: 2, ip: 'y' }], tags: ['t'] };
    expect(Object.keys(pickColumns(row, [['tags'], ['name']]))).toEqual(['name', 'tags']);
    expect(pickColumns(row, [['listeners', 'port'], ['arguments', 'a']])).toEqual({ arguments: { a: 1, b: 2 }, listeners: [{ port: 1 }, { port: 2 }] });
    expect(pickColumns({ totals: { a: 1, b: 2 } }, [['totals', 'a']], new Set(['totals']))).toEqual({ totals: { a: 1, b: 2 } });
  });

  it('sorts missing values first, then numbers, booleans, strings; ties by the default order', () => {
    const mixed = [
      { name: 'd', v: 'x' },
      { name: 'c', v: true },
      { name: 'b', v: 2 },
      { name: 'a' },
      { name: 'e', v: false },
      { name: 'f', v: 2 },
    ];
    expect(names(listing(mixed, q('sort=v'), ['name']))).toEqual(['a', 'b', 'f', 'e', 'c', 'd']);
    expect(names(listing(mixed, q('sort=v&sort_reverse=true'), ['name']))).toEqual(['d', 'c', 'e', 'f', 'b', 'a']);
  });

  it('pages with RabbitMQ’s envelope', () => {
    expect(listing(rows, q('page=2&page_size=2&columns=name'))).toEqual({
      filtered_count: 6, item_count: 2, items: [{ name: 'q4' }, { name: 'qa' }], page: 2, page_count: 3, page_size: 2, total_count: 6,
    });
    expect((listing(rows, q('page=1')) as Page).page_size).toBe(100);
  });

  it('filters by name only when paging, case-insensitively, with or without a regex', () => {
    expect(names(listing(rows, q('name=a')))).toHaveLength(6);
    const p = listing(rows, q('page=1&name=A')) as Page;
    expect([p.filtered_count, p.total_count, names(p)]).toEqual([1, 6, ['qa']]);
    expect(names(listing(rows, q('page=1&name=^q[0-9]$&use_regex=true')))).toEqual(['q1', 'q4']);
    const none = listing(rows, q('page=1&name=zzz')) as Page;
    expect([none.filtered_count, none.page_count, none.items]).toEqual([0, 0, []]);
  });

  it('refuses bad pagination as RabbitMQ does', () => {
    const reason = (s: string) => {
      try {
        listing(rows, q(s));
      } catch (e) {
        return e instanceof HttpError ? [e.status, e.error, e.reason] : e;
      }
      return 'no error';
    };
    expect(reason('page=9&page_size=2')).toEqual([400, 'page_out_of_range', 'Page out of range, page: 9 page size: 2, len: 6']);
    expect(reason('page=0')).toEqual([400, 'invalid_pagination_parameters', 'Invalid pagination parameters: page number 0, page size undefined']);
    expect(reason('page=1&page_size=501')).toEqual([400, 'invalid_pagination_parameters', 'Invalid pagination parameters: page number 1, page size 501']);
    expect(reason('page=abc')).toEqual([400, 'bad_request', 'Pagination parameters are invalid']);
    expect(reason('page=1&name=(&use_regex=true')).toEqual([400, 'bad_request', 'Pagination parameters are invalid']);
  });
});
