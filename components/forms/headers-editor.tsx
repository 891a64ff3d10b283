'use client';
// Key/value rows for AMQP headers or binding arguments. Values are typed: text, number or
// boolean, sent as JSON of that type.
import { useId } from 'react';
import type { JsonObject } from '@/lib/client/types';
import { PlusIcon, XIcon } from '../ui/icons';

export interface HeaderRow {
  id: number;
  key: string;
  value: string;
  type: 'string' | 'number' | 'boolean';
}

let nextRow = 1;
export const newRow = (key = '', value = '', type: HeaderRow['type'] = 'string'): HeaderRow => ({ id: nextRow++, key, value, type });

export function rowsToObject(rows: readonly HeaderRow[]): { value: JsonObject; error: string | null } {
  const out: JsonObject = {};
  for (const r of rows) {
    const key = r.key.trim();
    if (key === '') continue;
    if (r.type === 'number') {
      const n = Number(r.value);
      if (r.value.trim() === '' || !Number.isFinite(n)) return { value: out, error: `"${key}" is not a number` };
      out[key] = n;
    } else if (r.type === 'boolean') out[key] = r.value === 'true';
    else out[key] = r.value;
  }
  return { value: out, error: null };
}

export function objectToRows(o: JsonObject): HeaderRow[] {
  return Object.entries(o).map(([k, v]) =>
    typeof v === 'number' ? newRow(k, String(v), 'number') : typeof v === 'boolean' ? newRow(k, String(v), 'boolean') : newRow(k, typeof v === 'string' ? v : JSON.stringify(v)),
  );
}

interface Props {
  label: string;
  rows: HeaderRow[];
  onChange(rows: HeaderRow[]): void;
  keyPlaceholder?: string;
  addLabel?: string;
}

export function HeadersEditor({ label, rows, onChange, keyPlaceholder = 'name', addLabel = 'Add header' }: Props) {
  const gid = useId();
  const set = (id: number, patch: Partial<HeaderRow>) => onChange(rows.map((r) => (r.id === id ? { ...r, ...patch } : r)));
  return (
    <fieldset className="kv" aria-labelledby={`${gid}-legend`}>
      <legend id={`${gid}-legend`}>{label}</legend>
      {rows.map((r, i) => (
        <div className="kv-row" key={r.id}>
          <input aria-label={`${label} ${i + 1} name`} placeholder={keyPlaceholder} value={r.key} onChange={(e) => set(r.id, { key: e.target.value })} spellCheck={false} />
          {r.type === 'boolean' ? (
            <select aria-label={`${label} ${i + 1} value`} value={r.value === 'true' ? 'true' : 'false'} onChange={(e) => set(r.id, { value: e.target.value })}>
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          ) : (
            <input
              aria-label={`${label} ${i + 1} value`}
              placeholder="value"
              inputMode={r.type === 'number' ? 'decimal' : undefined}
              value={r.value}
              onChange={(e) => set(r.id, { value: e.target.value })}
              spellCheck={false}
            />
          )}
          <select aria-label={`${label} ${i + 1} type`} value={r.type} onChange={(e) => set(r.id, { type: e.target.value as HeaderRow['type'] })}>
            <option value="string">text</option>
            <option value="number">number</option>
            <option value="boolean">boolean</option>
          </select>
          <button type="button" className="icon-btn" aria-label={`Remove ${label.toLowerCase()} ${i + 1}`} onClick={() => onChange(rows.filter((x) => x.id !== r.id))}>
            <XIcon size={14} />
          </button>
        </div>
      ))}
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => onChange([...rows, newRow()])}>
        <PlusIcon size={14} /> {addLabel}
      </button>
    </fieldset>
  );
}
