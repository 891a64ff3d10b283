// What every list endpoint takes, as RabbitMQ's management API: `sort` (a column, dotted for
// nested ones) and `sort_reverse`, `columns` (a comma list, dotted for nested), and pagination
// with `page`, `page_size` (≤ 500, default 100), `name` and `use_regex` — a filter that applies
// only when `page` is given, matching names case-insensitively.
import { HttpError, badRequest } from './errors';

export type Row = Record<string, unknown>;

const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 100;

export interface Page {
  filtered_count: number;
  item_count: number;
  items: Row[];
  page: number;
  page_count: number;
  page_size: number;
  total_count: number;
}

/**
 * Sorts, filters, pages and trims rows as the query asks. `defaultSort` is the order when no
 * `sort` is given (RabbitMQ lists queues and exchanges by vhost, then name).
 */
export function listing(rows: Row[], query: URLSearchParams, defaultSort: string[] = ['vhost', 'name']): Row[] | Page {
  const sortKey = query.get('sort');
  const keys = sortKey !== null && sortKey !== '' ? [sortKey] : defaultSort;
  const sorted = sortRows(rows, keys);
  if (query.get('sort_reverse') === 'true') sorted.reverse();
  const columns = parseColumns(query.get('columns'));
  const pick = (r: Row) => (columns === undefined ? r : pickColumns(r, columns));
  const pageParam = query.get('page');
  if (pageParam === null) return sorted.map(pick);
  const { page, pageSize } = pagination(pageParam, query.get('page_size'));
  const filtered = filterByName(sorted, query.get('name'), query.get('use_regex') === 'true');
  const pageCount = Math.ceil(filtered.length / pageSize);
  if (page > pageCount && pageCount > 0) {
    throw new HttpError(400, 'page_out_of_range', `Page out of range, page: ${page} page size: ${pageSize}, len: ${filtered.length}`);
  }
  const items = filtered.slice((page - 1) * pageSize, page * pageSize).map(pick);
  return {
    filtered_count: filtered.length,
    item_count: items.length,
    items,
    page,
    page_count: pageCount,
    page_size: pageSize,
    total_count: rows.length,
  };
}

function pagination(pageParam: string, sizeParam: string | null): { page: number; pageSize: number } {
  if (!/^\d+$/.test(pageParam) || (sizeParam !== null && !/^\d+$/.test(sizeParam))) {
    throw badRequest('Pagination parameters are invalid');
  }
  const page = Number(pageParam);
  const pageSize = sizeParam === null ? DEFAULT_PAGE_SIZE : Number(sizeParam);
  if (page < 1 || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new HttpError(
      400,
      'invalid_pagination_parameters',
      `Invalid pagination parameters: page number ${page}, page size ${sizeParam === null ? 'undefined' : pageSize}`,
    );
  }
  return { page, pageSize };
}

function filterByName(rows: Row[], name: string | null, regex: boolean): Row[] {
  if (name === null || name === '') return rows;
  let test: (s: string) => boolean;
  if (regex) {
    let re: RegExp;
    try {
      re = new RegExp(name, 'i');
    } catch {
      throw badRequest('Pagination parameters are invalid');
    }
    test = (s) => re.test(s);
  } else {
    const needle = name.toLowerCase();
    test = (s) => s.toLowerCase().includes(needle);
  }
  return rows.filter((r) => typeof r.name === 'string' && test(r.name));
}

function parseColumns(param: string | null): string[][] | undefined {
  if (param === null || param === '') return undefined;
  return param.split(',').filter((c) => c !== '').map((c) => c.split('.'));
}

/** A copy of the row with only the given (possibly nested) columns. */
export function pickColumns(row: Row, columns: string[][]): Row {
  const out: Row = {};
  for (const path of columns) {
    let src: unknown = row;
    let dst: Row = out;
    for (let i = 0; i < path.length; i++) {
      if (typeof src !== 'object' || src === null || !(path[i] in src)) break;
      src = (src as Row)[path[i]];
      if (i === path.length - 1) dst[path[i]] = src;
      else {
        const next = dst[path[i]];
        dst = (dst[path[i]] = typeof next === 'object' && next !== null ? next : {}) as Row;
      }
    }
  }
  return out;
}

function valueAt(row: Row, path: string[]): unknown {
  let v: unknown = row;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Row)[k];
  }
  return v;
}

/** Erlang's term order, roughly: numbers, then missing values, then strings by code unit. */
function compare(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 2 : 1);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return 0;
}

function sortRows(rows: Row[], keys: string[]): Row[] {
  const paths = keys.map((k) => k.split('.'));
  return [...rows].sort((x, y) => {
    for (const p of paths) {
      const c = compare(valueAt(x, p), valueAt(y, p));
      if (c !== 0) return c;
    }
    return 0;
  });
}
