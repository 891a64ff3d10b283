// npm run fuzz [-- options]: long runs of the wire fuzzer (broker/test/wire-fuzz.ts) against an
// in-process broker. Progress goes to stderr; the report to stdout.
import { EXIT_USAGE, integer, parseCommandLine, parseOrExit, positiveInt } from '../../cli-args';
import { describeReport, runWireFuzz } from './wire-fuzz';
import { compareWithBroker } from './wire-fuzz-compare';

const HELP = `Usage: npm run fuzz -- [options]

Sends generated AMQP byte sequences to a broker started in this process, with a healthy
amqplib connection publishing and consuming beside them, and checks every case (see
broker/test/wire-fuzz.ts). A failing case is shrunk and printed with the seed and path
that replay it.

  --runs <n>          cases to run (default 1000; with --minutes, at most this many)
  --minutes <n>       run for this long (runs default to unlimited)
  --seed <n>          fast-check seed (default: random, printed)
  --path <path>       replay the case fast-check printed for this seed (needs --seed)
  --latency-ms <n>    side connection round trip bound (default 2000)
  --heap-mb <n>       heap growth bound over the run (default 64)
  --compare <url>     instead: run the same cases (default 200) against Warren and the broker at
                      this amqp:// URL (e.g. RabbitMQ) and list where their answers differ;
                      each case gets a vhost of its own there, through its management API
  --management <url>  that broker's management API (default http://<host>:15672)
  -h, --help          this text

Exit status: 0 when every case and the end checks passed, 1 when one failed, 2 on bad flags.
`;

const OPTIONS = {
  runs: { type: 'string', parse: positiveInt },
  minutes: { type: 'string', parse: positiveInt },
  seed: { type: 'string', parse: integer },
  path: { type: 'string' },
  'latency-ms': { type: 'string', parse: positiveInt },
  'heap-mb': { type: 'string', parse: positiveInt },
  compare: { type: 'string' },
  management: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(): Promise<number> {
  const { values } = parseOrExit('fuzz', HELP, () => parseCommandLine(OPTIONS, process.argv.slice(2)));
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.path !== undefined && values.seed === undefined) {
    process.stderr.write(`fuzz: --path needs the --seed it was printed with\n\n${HELP}`);
    return EXIT_USAGE;
  }
  if (values.compare !== undefined) return compare(values.compare, values.management, values.runs ?? 200, values.seed);
  const minutes = values.minutes;
  const runs = values.runs ?? (minutes === undefined ? 1000 : Number.MAX_SAFE_INTEGER);
  const report = await runWireFuzz({
    runs,
    ...(values.seed === undefined ? {} : { seed: values.seed }),
    ...(values.path === undefined ? {} : { path: values.path }),
    ...(minutes === undefined ? {} : { timeLimitMs: minutes * 60_000 }),
    latencyBoundMs: values['latency-ms'] ?? 2000,
    heapBoundBytes: (values['heap-mb'] ?? 64) * 1048576,
    progress: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
    progressEveryMs: 30_000,
  });
  process.stdout.write(`${describeReport(report)}\n`);
  return report.failure === undefined && report.endProblems.length === 0 ? 0 : 1;
}

async function compare(url: string, managementUrl: string | undefined, runs: number, seed = Date.now() | 0): Promise<number> {
  const r = await compareWithBroker({ url, runs, seed, ...(managementUrl === undefined ? {} : { managementUrl }) });
  const lines = [`${r.cases} cases, seed ${seed}: ${r.same} ended alike, ${r.cases - r.same} differently`];
  for (const d of r.differences) {
    lines.push(`\n${d.count} x  Warren: ${d.warren}  other: ${d.other}`);
    lines.push(`  stage ${d.example.stage}, frame_max ${d.example.frameMax}, ${d.example.ops.length} ops; Warren: ${d.warrenClose || '-'}; other: ${d.otherClose || '-'}`);
    for (const op of d.example.ops) lines.push(`    ${op.what}: ${op.hex.length > 160 ? `${op.hex.slice(0, 160)}...` : op.hex}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fuzz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
