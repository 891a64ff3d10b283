// `npm run readme:animation`: the README's opening picture — a built-in scenario playing on a running
// Warren, filmed from its live graph in Chromium and written as an animated GIF. Everything in it is
// what the console really drew: the scenario's actors are real AMQP clients, the rates and dots are
// the broker's own counters.
//
//   npm start &                                       # a Warren with its console (default :15672)
//   npm run readme:animation -- --scenario work-queues --seconds 16 --out docs/scenario-work-queues.gif
import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import gifenc from 'gifenc';
import { PNG } from 'pngjs';

// gifenc is CommonJS whose exports Node cannot name statically: take them from its default export
const { GIFEncoder, applyPalette, quantize } = gifenc;
import { ArgError, parseCommandLine, parseOrExit } from '../cli-args';

const HELP = `Usage: npm run readme:animation -- [options]

Plays a built-in scenario on a running Warren and films its graph into an animated GIF.

  --url <http-url>      the console (default http://127.0.0.1:15672)
  --user <name>         an administrator (default guest)
  --password <text>     (default guest)
  --scenario <id>       built-in scenario id (default work-queues)
  --seconds <n>         at most this long (default 30; stops when the scenario has finished)
  --fps <n>             frames per second (default 4)
  --width <px>          (default 1280)
  --height <px>         (default 720)
  --theme light|dark    (default light)
  --out <file.gif>      (default docs/scenario-<id>.gif)
  --frames <dir>        also keep every frame there as PNG, to look at them one by one
  -h, --help            this text
`;

function positive(max: number) {
  return (raw: string, source: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0 || n > max) throw new ArgError(`${source} must be a number above 0 and at most ${max}, got ${JSON.stringify(raw)}`);
    return n;
  };
}

const OPTIONS = {
  url: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  scenario: { type: 'string' },
  seconds: { type: 'string', parse: positive(120) },
  fps: { type: 'string', parse: positive(20) },
  width: { type: 'string', parse: positive(2000) },
  height: { type: 'string', parse: positive(2000) },
  theme: {
    type: 'string',
    parse: (raw: string, source: string) => {
      if (raw !== 'light' && raw !== 'dark') throw new ArgError(`${source} must be light or dark, got ${JSON.stringify(raw)}`);
      return raw;
    },
  },
  out: { type: 'string' },
  frames: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

async function act(url: string, auth: string, id: string, action: string): Promise<{ vhost: string }> {
  const res = await fetch(`${url}/api/scenarios/${encodeURIComponent(id)}/actions`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ action }),
  });
  if (!res.ok) throw new Error(`${action} ${id}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as { vhost: string };
}

/** The console lists a vhost once the user has permissions there; the player grants them after creating it. */
async function mayUse(url: string, auth: string, vhost: string, user: string): Promise<boolean> {
  const res = await fetch(`${url}/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`, { headers: { authorization: auth } });
  return res.ok;
}

async function status(url: string, auth: string, id: string): Promise<string | undefined> {
  const res = await fetch(`${url}/api/scenarios/${encodeURIComponent(id)}`, { headers: { authorization: auth } });
  return res.ok ? ((await res.json()) as { state: { status: string } | null }).state?.status : undefined;
}

async function logIn(page: Page, user: string, password: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Warren' }).waitFor();
}

async function main(): Promise<void> {
  const { values } = parseOrExit('readme:animation', HELP, () => parseCommandLine(OPTIONS, process.argv.slice(2)));
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const url = (values.url ?? 'http://127.0.0.1:15672').replace(/\/$/, '');
  const user = values.user ?? 'guest';
  const password = values.password ?? 'guest';
  const id = values.scenario ?? 'work-queues';
  const seconds = values.seconds ?? 30;
  const fps = values.fps ?? 4;
  const width = Math.round(values.width ?? 1280);
  const height = Math.round(values.height ?? 720);
  const out = values.out ?? `docs/scenario-${id}.gif`;
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  const info = await fetch(`${url}/api/scenarios/${encodeURIComponent(id)}`, { headers: { authorization: auth } });
  if (!info.ok) throw new Error(`scenario ${id}: HTTP ${info.status} ${await info.text()}`);
  const { scenario } = (await info.json()) as { scenario: { title: string } };

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const frames: Uint8Array[] = [];
  try {
    const context = await browser.newContext({ baseURL: url, viewport: { width, height } });
    await context.addInitScript((theme) => localStorage.setItem('warren.theme', theme), values.theme ?? 'light');
    const login = await context.newPage();
    await logIn(login, user, password);
    // the scenario makes its vhost when it starts: start it, hold its actors until the graph shows
    // that vhost, then let them go, so the film begins with the first message
    await act(url, auth, id, 'reset');
    const { vhost } = await act(url, auth, id, 'play');
    for (let i = 0; i < 100 && !(await mayUse(url, auth, vhost, user)); i++) await new Promise((r) => setTimeout(r, 100));
    await act(url, auth, id, 'pause');
    // choose the scenario's vhost as a user would, once the switcher lists it
    const page = login;
    const switcher = page.locator('.vhost-switcher select').first();
    await switcher.locator(`option[value="${vhost}"]`).waitFor({ state: 'attached', timeout: 15_000 });
    await switcher.selectOption(vhost);
    // the scenario's vhost may still be empty here (its topology comes with its first step)
    await page.locator('.react-flow').first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(1000);
    await act(url, auth, id, 'play');
    const interval = 1000 / fps;
    const count = Math.round(seconds * fps);
    let next = Date.now();
    let finishedAt: number | undefined;
    for (let i = 0; i < count; i++) {
      next += interval;
      const shot = await page.screenshot({ type: 'png' });
      if (values.frames) {
        await mkdir(values.frames, { recursive: true });
        writeFileSync(`${values.frames}/frame-${String(i).padStart(3, '0')}.png`, shot);
      }
      const png = PNG.sync.read(shot);
      frames.push(new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length));
      if (finishedAt === undefined && i % fps === 0 && (await status(url, auth, id)) === 'finished') finishedAt = Date.now();
      // a second and a half of the finished picture, then stop
      if (finishedAt !== undefined && Date.now() - finishedAt > 1500) break;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  } finally {
    await browser.close();
    await act(url, auth, id, 'reset').catch(() => {});
  }

  // one palette for the whole film (from a few frames spread over it), so colours do not flicker
  const sample = [0, Math.floor(frames.length / 2), frames.length - 1].map((i) => frames[i]);
  const joined = new Uint8Array(sample.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of sample) {
    joined.set(f, at);
    at += f.length;
  }
  const palette = quantize(joined, 256);
  const gif = GIFEncoder();
  for (const f of frames) gif.writeFrame(applyPalette(f, palette), width, height, { palette, delay: 1000 / fps });
  gif.finish();
  await mkdir(dirname(out), { recursive: true });
  writeFileSync(out, gif.bytes());
  process.stderr.write(`readme:animation: ${frames.length} frames of "${scenario.title}" → ${out} (${(gif.bytes().length / 1024).toFixed(0)} KiB)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`readme:animation: ${(err as Error).message}\n`);
  process.exit(1);
});
