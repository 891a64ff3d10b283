// Markdown tables for stdout and the JSON file.

import { writeFile } from 'node:fs/promises';
import type { MetricSpec, Scenario, ScenarioOutcome, TargetResult, Unit } from './types';

export interface RunInfo {
  startedAt: string;
  durationSec: number;
  /** each scenario ran this many times, round after round; figures are medians when above 1 */
  rounds: number;
  node: string;
  amqplib: string;
  cpus: number;
  platform: string;
}

interface Row {
  label: string;
  unit: Unit;
  better: MetricSpec['better'];
  /** per target: a number, or an error string */
  cells: Array<number | string>;
}

function rows(scenarios: Scenario[], targets: TargetResult[]): Row[] {
  const out: Row[] = [];
  for (const s of scenarios) {
    for (const m of s.metrics) {
      const cells = targets.map((t): number | string => {
        if (t.error) return 'not run';
        const o = t.outcomes.find((x) => x.id === s.id);
        if (!o) return 'not run';
        if (o.error !== undefined) return `error: ${o.error}`;
        const v = o.values?.[m.key];
        return v === undefined || Number.isNaN(v) ? 'no value' : v;
      });
      out.push({ label: m.label ? `${s.name} — ${m.label}` : s.name, unit: m.unit, better: m.better, cells });
    }
  }
  return out;
}

export function formatValue(v: number, unit: Unit): string {
  if (unit === 'msgs/s' || unit === 'B/msg' || unit === '% of a core' || unit === 'MiB' || unit === 'times') return Math.round(v).toLocaleString('en-US');
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function cell(c: number | string, unit: Unit): string {
  if (typeof c === 'number') return formatValue(c, unit);
  const oneLine = c.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  return oneLine.length > 90 ? `${oneLine.slice(0, 87)}...` : oneLine;
}

function table(header: string[], body: string[][], align: Array<'l' | 'r'>): string {
  const lines = [
    `| ${header.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`,
    ...body.map((r) => `| ${r.join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** The table printed on stdout: one value column per target, plus a ratio when there are two. */
export function markdown(scenarios: Scenario[], targets: TargetResult[], info: RunInfo): string {
  const rs = rows(scenarios, targets);
  const compare = targets.length === 2;
  const header = ['scenario', ...targets.map((t) => t.label)];
  if (compare) header.push('ratio');
  const body = rs.map((r) => {
    const line = [`${r.label} (${r.unit})`, ...r.cells.map((c) => cell(c, r.unit))];
    if (compare) {
      const [a, b] = r.cells;
      line.push(typeof a === 'number' && typeof b === 'number' && b > 0 ? `${(a / b).toFixed(2)}×` : '—');
    }
    return line;
  });
  const out: string[] = [];
  out.push(
    `Benchmark: ${info.durationSec} s per scenario${info.rounds > 1 ? `, median of ${info.rounds} rounds` : ''}, Node ${info.node}, amqplib ${info.amqplib}, ` +
      `${info.cpus} CPUs, ${info.platform}, ${info.startedAt}`,
  );
  for (const t of targets) {
    out.push(`- ${t.label}: ${t.url}${t.error ? ` — not run: ${t.error.split('\n')[0]}` : ''}`);
  }
  out.push('');
  out.push(table(header, body, header.map((_, i) => (i === 0 ? 'l' : 'r'))));
  out.push('');
  if (compare) {
    out.push(
      `ratio = ${targets[0].label} ÷ ${targets[1].label}: above 1 is better for msgs/s, below 1 is better for ms, µs/msg and B/msg.`,
    );
  }
  out.push(
    'msgs/s: transient messages, non-durable queues. publish: until queue.declare(passive) counts them all; ' +
      'publish+consume: consumed per second with publishers running; latency: publish→deliver, hrtime in the body; ' +
      'broker CPU: the broker process\'s CPU time (all threads, /proc) ÷ messages in the window.',
  );
  const notes = targets.flatMap((t) =>
    t.outcomes.flatMap((o) => (o.notes ?? []).map((n) => `- ${t.label}, ${o.name}: ${n}`)),
  );
  if (notes.length > 0) {
    out.push('');
    out.push('Notes:');
    out.push(...dedupe(notes));
  }
  return out.join('\n');
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}

/** One progress line for stderr after a scenario finishes. */
export function progressLine(s: Scenario, o: ScenarioOutcome): string {
  if (o.error !== undefined) return `${s.name}: error: ${o.error}`;
  const parts = s.metrics.map((m) => {
    const v = o.values?.[m.key];
    const text = v === undefined ? '?' : formatValue(v, m.unit);
    return `${m.label ? `${m.label} ` : ''}${text} ${m.unit}`;
  });
  return `${s.name}: ${parts.join(', ')}  (${(o.elapsedMs / 1000).toFixed(1)} s)`;
}

export async function writeJson(
  file: string,
  scenarios: Scenario[],
  targets: TargetResult[],
  info: RunInfo,
): Promise<void> {
  const doc = {
    ...info,
    scenarios: scenarios.map((s) => ({ id: s.id, name: s.name, description: s.description, metrics: s.metrics })),
    targets,
    rows: rows(scenarios, targets).map((r) => ({
      scenario: r.label,
      unit: r.unit,
      better: r.better,
      values: Object.fromEntries(targets.map((t, i) => [t.label, r.cells[i]])),
      ratio:
        targets.length === 2 && typeof r.cells[0] === 'number' && typeof r.cells[1] === 'number' && r.cells[1] > 0
          ? r.cells[0] / r.cells[1]
          : null,
    })),
  };
  await writeFile(file, `${JSON.stringify(doc, null, 2)}\n`);
}
