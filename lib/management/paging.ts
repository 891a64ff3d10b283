// What every list endpoint takes, as RabbitMQ's management API: `sort` (a column, dotted for
// nested ones) and `sort_reverse`, `columns` (a comma list, dotted for nested), and pagination
// with `page`, `page_size` (≤ 500, default 100), `name` and `use_regex` — a filter that applies
// only when `page` is given, matching names case-insensitively. Single objects take `columns` too.
import { compileNamePattern } from '../../broker/index';
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
 * Values RabbitMQ holds as maps rather than proplists: a dotted column into them (rabbitmqadmin's
 * `arguments.x-message-ttl`) returns the whole value, not the one member.
 */
export const WHOLE_VALUES: ReadonlySet<string> = new Set(['arguments', 'client_properties', 'limits', 'metadata', 'effective_policy_definition']);

/**
 * Sorts, filters, pages and trims rows as the query asks. `defaultSort` is the order when no
 * `sort` is given (RabbitMQ lists queues and exchanges by vhost, then name), and breaks ties when
 * one is.
 */
export function listing(rows: Row[], query: URLSearchParams, defaultSort: string[] = ['vhost', 'name']): Row[] | Page {
  const sortKey = query.get('sort');
  const keys = sortKey !== null && sortKey !== '' ? [sortKey, ...defaultSort] : defaultSort;
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
    // PCRE with re's `caseless`, as RabbitMQ; run by the broker's backtracking-free matcher, so no
    // pattern can hold up the broker (a JavaScript RegExp could, for minutes)
    const r = compileNamePattern(name, { caseless: true });
    if (!r.ok) throw badRequest('Pagination parameters are invalid');
    const re = r.regex;
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

/** One object trimmed to `columns` when the query has them (`GET /api/overview?columns=...`). */
export function selectColumns(row: Row, query: URLSearchParams, whole: ReadonlySet<string> = WHOLE_VALUES): Row {
  const columns = parseColumns(query.get('columns'));
  return columns === undefined ? row : pickColumns(row, columns, whole);
}

/** Requested column paths as a tree: `true` where a path ends. */
type ColumnTree = Map<string, ColumnTree | true>;

function columnTree(columns: string[][]): ColumnTree {
  const root: ColumnTree = new Map();
  for (const path of columns) {
    let node = root;
    for (let i = 0; i < path.length; i++) {
      const next = node.get(path[i]);
      if (next === true) break;
      if (i === path.length - 1) node.set(path[i], true);
      else if (next === undefined) node.set(path[i], (node = new Map()));
      else node = next;
    }
  }
  return root;
}

/**
 * A copy of the row with only the given (possibly nested) columns, in the row's own key order as
 * RabbitMQ keeps it; lists of objects are trimmed item by item (`listeners.port`), and keys in
 * `whole` come back entire.
 */
export function pickColumns(row: Row, columns: string[][], whole: ReadonlySet<string> = WHOLE_VALUES): Row {
  return pickTree(row, columnTree(columns), whole);
}

function pickTree(row: Row, tree: ColumnTree, whole: ReadonlySet<string>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) {
    const sub = tree.get(key);
    if (sub === undefined) continue;
    out[key] = sub === true || whole.has(key) ? value : pickNested(value, sub, whole);
  }
  return out;
}

function pickNested(value: unknown, tree: ColumnTree, whole: ReadonlySet<string>): unknown {
  const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(value)) return value.map((v) => (isRow(v) ? pickTree(v, tree, whole) : v));
  return isRow(value) ? pickTree(value, tree, whole) : value;
}

function valueAt(row: Row, path: string[]): unknown {
  let v: unknown = row;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Row)[k];
  }
  return v;
}

/**
 * RabbitMQ's sort order: rows without the value first, then Erlang's term order — numbers,
 * atoms (false < null < true), maps, lists, and strings (binaries) last, by code unit.
 */
function rank(v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return 1;
  if (typeof v === 'boolean' || v === null) return 2;
  if (typeof v === 'string') return 5;
  return Array.isArray(v) ? 4 : 3;
}

function compare(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const text = (v: unknown) => (typeof v === 'string' ? v : ra === 2 ? String(v) : '');
  const ta = text(a);
  const tb = text(b);
  return ta < tb ? -1 : ta > tb ? 1 : 0;
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
