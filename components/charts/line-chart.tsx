'use client';
// A small SVG line chart, no library: a few series over time, a y axis with round ticks, the
// last value in the legend. Sized to its container with a ResizeObserver so text stays crisp.
import { useEffect, useMemo, useRef, useState } from 'react';

export interface Series {
  key: string;
  label: string;
  className: string;
  values: number[];
  format(v: number): string;
}

interface Props {
  title: string;
  subtitle?: string;
  times: number[];
  series: Series[];
  /** longest window shown, ms; shorter while there is less history */
  windowMs: number;
  height?: number;
  /** shown until there are two samples to draw between */
  emptyText?: string;
}

/** A step of 1, 2 or 5 × 10ⁿ such that four steps cover v. */
function niceStep(v: number): number {
  const raw = v <= 0 ? 0.25 : v / 4;
  const exp = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (raw <= m * exp) return m * exp;
  return 10 * exp;
}

/** Tick spacing on the time axis for a window, in ms. */
function timeStep(windowMs: number): number {
  for (const s of [10_000, 15_000, 30_000, 60_000, 120_000]) if (windowMs / s <= 6) return s;
  return 300_000;
}

const ago = (ms: number) => (ms >= 60_000 ? `-${Math.round(ms / 60_000)}m` : `-${Math.round(ms / 1000)}s`);

const PAD = { left: 44, right: 8, top: 8, bottom: 20 };

export function LineChart({ title, subtitle, times, series, windowMs: maxWindow, height = 180, emptyText = 'Collecting samples from the live stream…' }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => setWidth(Math.max(200, Math.floor(entry.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const now = times.length > 0 ? times[times.length - 1] : Date.now();
  const span = times.length > 1 ? now - times[0] : 0;
  // grows with the history: a minute at first, then up to the longest window
  const windowMs = Math.min(maxWindow, Math.max(60_000, Math.ceil(span / 60_000) * 60_000));
  const start = now - windowMs;
  const step = useMemo(() => niceStep(Math.max(0, ...series.flatMap((s) => s.values.filter((_, i) => times[i] >= start)))), [series, times, start]);
  const max = step * 4;
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + ((t - start) / windowMs) * w;
  const y = (v: number) => PAD.top + h - (v / max) * h;
  const ticks = [0, 1, 2, 3, 4].map((i) => i * step);
  const tStep = timeStep(windowMs);
  const xTicks = Array.from({ length: Math.floor(windowMs / tStep) + 1 }, (_, i) => i * tStep);

  const paths = series.map((s) => {
    let d = '';
    let first: [number, number] | null = null;
    let last: [number, number] | null = null;
    times.forEach((t, i) => {
      if (t < start) return;
      const px = x(t);
      const py = y(s.values[i] ?? 0);
      d += `${d === '' ? 'M' : 'L'}${px.toFixed(1)},${py.toFixed(1)}`;
      first ??= [px, py];
      last = [px, py];
    });
    const area = first && last ? `${d}L${(last as [number, number])[0].toFixed(1)},${y(0)}L${(first as [number, number])[0].toFixed(1)},${y(0)}Z` : '';
    return { s, d, area };
  });

  return (
    <section className="card chart-card" aria-label={title} data-from={times[0]}>
      <div className="chart-head">
        <h3>
          {title}
          {subtitle && <span className="chart-sub">{subtitle}</span>}
        </h3>
        <ul className="chart-legend">
          {series.map((s) => (
            <li key={s.key} className={s.className}>
              <i aria-hidden="true" />
              {s.label} <strong>{s.format(s.values[s.values.length - 1] ?? 0)}</strong>
            </li>
          ))}
        </ul>
      </div>
      <div ref={box} className="chart">
        {times.length < 2 ? (
          <div className="chart-empty">{emptyText}</div>
        ) : (
          <svg width={width} height={height} role="img" aria-label={`${title} over the last ${Math.round(windowMs / 60_000)} minutes`}>
            {ticks.map((t) => (
              <g key={t}>
                <line className="grid-line" x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} />
                <text className="axis-label" x={PAD.left - 6} y={y(t) + 3.5} textAnchor="end">
                  {series[0]?.format(t) ?? t}
                </text>
              </g>
            ))}
            {xTicks.map((back) => (
              <text key={back} className="axis-label" x={x(now - back)} y={height - 4} textAnchor={back === 0 ? 'end' : back === windowMs ? 'start' : 'middle'}>
                {back === 0 ? 'now' : ago(back)}
              </text>
            ))}
            {paths.map(({ s, d, area }) => (
              <g key={s.key} className={s.className}>
                {area && <path className="area" d={area} />}
                <path className="series" d={d} />
              </g>
            ))}
          </svg>
        )}
      </div>
    </section>
  );
}
