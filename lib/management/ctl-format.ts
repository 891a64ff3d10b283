// rabbitmqctl's output: a header line and tab-separated rows, or with `--formatter json` a JSON
// array with one object per line (`,` leading every line after the first).

export type Formatter = 'table' | 'json';

export type Accessor = (row: Record<string, unknown>) => unknown;

/** A column value as rabbitmqctl shows it in a table: text as is, everything else as JSON. */
function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function formatRows(
  rows: Record<string, unknown>[],
  columns: string[],
  access: (column: string) => Accessor,
  formatter: Formatter,
  headers = true,
): string {
  const values = rows.map((r) => columns.map((c) => access(c)(r)));
  if (formatter === 'json') {
    const lines = values.map((vs) => JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, vs[i] ?? null]))));
    // rabbitmqctl starts each row after the first with the comma
    return `[\n${lines.join('\n,')}${lines.length > 0 ? '\n' : ''}]\n`;
  }
  const lines = values.map((vs) => vs.map(cell).join('\t'));
  if (headers) lines.unshift(columns.join('\t'));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
