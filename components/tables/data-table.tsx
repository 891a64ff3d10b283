'use client';
// A sortable, filterable, paginated table. Columns say how to render a cell and what to sort
// by; everything runs on the rows already loaded (the API lists a vhost's entities whole).
import { useMemo, useState, type ReactNode } from 'react';
import { SearchIcon } from '../ui/icons';

export interface Column<T> {
  key: string;
  header: string;
  render(row: T): ReactNode;
  sort?(row: T): string | number;
  numeric?: boolean;
  className?: string;
}

interface Props<T> {
  label: string;
  rows: readonly T[] | undefined;
  columns: Column<T>[];
  rowKey(row: T): string;
  /** what the filter box matches against */
  filterText(row: T): string;
  defaultSort?: { key: string; dir: 'asc' | 'desc' };
  empty: ReactNode;
  loading?: boolean;
  error?: Error | null;
  tools?: ReactNode;
  /** the filter box's text on arrival (a link to one row: `/connections?name=…`) */
  initialFilter?: string;
}

const PAGE_SIZES = [25, 50, 100, 250];

export function DataTable<T>({ label, rows, columns, rowKey, filterText, defaultSort, empty, loading, error, tools, initialFilter }: Props<T>) {
  const [filter, setFilter] = useState(initialFilter ?? '');
  const [sort, setSort] = useState(defaultSort ?? { key: columns[0].key, dir: 'asc' as 'asc' | 'desc' });
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(50);

  const filtered = useMemo(() => {
    const all = rows ?? [];
    const needle = filter.trim().toLowerCase();
    const list = needle === '' ? [...all] : all.filter((r) => filterText(r).toLowerCase().includes(needle));
    const col = columns.find((c) => c.key === sort.key);
    if (col?.sort) {
      const get = col.sort;
      list.sort((a, b) => {
        const x = get(a);
        const y = get(b);
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return sort.dir === 'asc' ? c : -c;
      });
    }
    return list;
  }, [rows, filter, sort, columns, filterText]);

  const pages = Math.max(1, Math.ceil(filtered.length / pageSize));
  const current = Math.min(page, pages - 1);
  const shown = filtered.slice(current * pageSize, (current + 1) * pageSize);

  const toggle = (key: string) => {
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: columns.find((c) => c.key === key)?.numeric ? 'desc' : 'asc' }));
  };

  return (
    <section className="card table-card" aria-label={label}>
      <div className="table-tools">
        <div className="search">
          <SearchIcon />
          <input
            type="search"
            placeholder="Filter…"
            aria-label={`Filter ${label.toLowerCase()}`}
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value);
              setPage(0);
            }}
          />
        </div>
        {tools}
        <span className="table-count" aria-live="polite">
          {rows === undefined ? '' : filter ? `${filtered.length} of ${rows.length}` : `${rows.length} ${rows.length === 1 ? 'row' : 'rows'}`}
        </span>
      </div>
      <div className="table-wrap">
        {/* a vhost with none of these: the empty state alone, without a header over nothing */}
        {rows !== undefined && rows.length === 0 && !loading && !error ? null : (
          <table>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th
                    key={c.key}
                    className={c.numeric ? 'num' : undefined}
                    aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                    scope="col"
                  >
                    {c.sort ? (
                      <button type="button" onClick={() => toggle(c.key)}>
                        {c.header}
                        <span className="sort-arrow" aria-hidden="true">
                          {sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                        </span>
                      </button>
                    ) : (
                      c.header
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={rowKey(r)}>
                  {columns.map((c) => (
                    <td key={c.key} className={[c.numeric ? 'num' : '', c.className ?? ''].join(' ').trim() || undefined}>
                      {c.render(r)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {error ? (
          <div className="table-empty" role="alert">
            Could not load: {error.message}
          </div>
        ) : rows === undefined || loading ? (
          <div className="table-empty">Loading…</div>
        ) : filtered.length === 0 ? (
          <div className="table-empty">{rows.length === 0 ? empty : `Nothing matches “${filter.trim()}”.`}</div>
        ) : null}
      </div>
      {filtered.length > PAGE_SIZES[0] && (
        <div className="pager">
          <label>
            Rows per page{' '}
            <select
              value={pageSize}
              onChange={(e) => {
                setPageSize(Number(e.target.value));
                setPage(0);
              }}
            >
              {PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <span>
            {current * pageSize + 1}–{Math.min(filtered.length, (current + 1) * pageSize)} of {filtered.length}
          </span>
          <button type="button" className="btn btn-xs" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous
          </button>
          <button type="button" className="btn btn-xs" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            Next
          </button>
        </div>
      )}
    </section>
  );
}

export function PageHead({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-head">
      <div>
        <h2>{title}</h2>
        {children && <p>{children}</p>}
      </div>
    </header>
  );
}
