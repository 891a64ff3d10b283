// Number formatting for nodes, edges and tables.
export function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

export function rate(r: number): string {
  if (r <= 0) return '0/s';
  if (r < 10) return `${r.toFixed(1).replace(/\.0$/, '')}/s`;
  return `${compact(Math.round(r))}/s`;
}

// one formatter for all: toLocaleString builds a new one per call, which a burst of hundreds of
// nodes mounting at once pays for hundreds of times
const INT = new Intl.NumberFormat('en-US');
export const int = (n: number): string => INT.format(n);

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** "1 msg", "12 msgs": a count with its unit. */
export const count = (n: number, unit: string): string => `${compact(n)} ${unit}${n === 1 ? '' : 's'}`;
