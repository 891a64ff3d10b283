// `npm start`: builds the console with `next build` when there is no production build or when a
// source is newer than it, then runs server.ts in production mode in this same process.
// Flags pass through: `npm start -- --port 8080 --amqp-port 5673`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOrExit } from '../cli-args';
import { USAGE, loadConfig } from '../lib/config';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_ID = path.join(ROOT, '.next', 'BUILD_ID');

/** What the console build is made from. Tests, specs and generated files do not count. */
const SOURCE_DIRS = ['app', 'components', 'lib', 'broker', 'public'];
const SOURCE_FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'next.config.ts',
  'next.config.mjs',
  'next.config.js',
  'postcss.config.mjs',
  'postcss.config.js',
];
const SKIP_DIRS = new Set(['node_modules', 'test', 'tests', '__tests__', '.next']);
const SKIP_FILE = /\.(test|spec)\.[cm]?[jt]sx?$|\.tsbuildinfo$/;

function newestMtime(dir: string): number {
  let newest = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) newest = Math.max(newest, newestMtime(full));
    } else if (!SKIP_FILE.test(entry.name)) {
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  return newest;
}

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Why a build is needed, or undefined when the production build is up to date. */
function buildNeeded(root = ROOT): string | undefined {
  const built = mtime(path.join(root, '.next', 'BUILD_ID'));
  if (!built) return 'no production build yet';
  const newest = Math.max(
    ...SOURCE_DIRS.map((d) => newestMtime(path.join(root, d))),
    ...SOURCE_FILES.map((f) => mtime(path.join(root, f))),
  );
  return newest > built ? 'sources changed since the last build' : undefined;
}

function nextBuild(): Promise<void> {
  const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, 'build'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? '1' },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`next build failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

const BUILD_LOCK = path.join(ROOT, '.next-build.lock');
const LOCK_WAIT_MS = 15 * 60_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One build at a time per checkout: `next build` refuses to run beside another ("Another next build
 * process is already running") rather than waiting, so a second `npm start` (a test suite starting
 * several, or Playwright beside a terminal) waits for the first one's build and then uses it.
 * Returns a release function, or undefined when another process built meanwhile and none is needed.
 */
async function buildLock(): Promise<(() => void) | undefined> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let said = false;
  for (;;) {
    try {
      const fd = fs.openSync(BUILD_LOCK, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      const release = () => fs.rmSync(BUILD_LOCK, { force: true });
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = 0;
    try {
      holder = Number(fs.readFileSync(BUILD_LOCK, 'utf8').trim() || '0');
    } catch {
      continue; // released meanwhile: try to take it
    }
    if (holder > 0 && !alive(holder)) {
      fs.rmSync(BUILD_LOCK, { force: true }); // left by a build that was killed
      continue;
    }
    if (!said) {
      console.log(`warren: waiting for the console build of process ${holder} to finish…`);
      said = true;
    }
    if (Date.now() > deadline) throw new Error(`another console build (process ${holder}, ${BUILD_LOCK}) did not finish in ${LOCK_WAIT_MS / 60_000} minutes`);
    await new Promise((r) => setTimeout(r, 500));
    if (!fs.existsSync(BUILD_LOCK) && buildNeeded() === undefined) return undefined;
  }
}

async function start(): Promise<void> {
  const argv = process.argv.slice(2);
  // Check the flags before spending a minute on a build.
  if (parseOrExit('warren', USAGE, () => loadConfig(argv)).help) {
    process.stdout.write(USAGE);
    return;
  }

  if (buildNeeded() !== undefined) {
    const release = await buildLock();
    try {
      // the build another start made while this one waited may be all that was needed
      const reason = release === undefined ? undefined : buildNeeded();
      if (reason) {
        console.log(`warren: building the console (${reason})…`);
        const t0 = Date.now();
        await nextBuild();
        if (!fs.existsSync(BUILD_ID)) throw new Error('next build finished without writing .next/BUILD_ID');
        console.log(`warren: console built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
    } finally {
      release?.();
    }
  }

  (process.env as Record<string, string | undefined>).NODE_ENV = 'production';
  const { main } = await import('../server');
  await main(argv);
}

start().catch((err: unknown) => {
  console.error(`warren: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
