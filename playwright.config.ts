// End-to-end tests against the real process: `npm start` (build if needed, then server.ts) on ports
// of its own, with a fresh DATA_DIR. Chromium is Debian's (/usr/bin/chromium); nothing is downloaded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.E2E_PORT || 15680);
const AMQP_PORT = Number(process.env.E2E_AMQP_PORT || 5680);
const BASE_URL = `http://127.0.0.1:${PORT}`;

// Playwright loads this file in every worker too; they inherit the runner's environment, so the
// data directory is made once, by the runner, and removed when the runner exits.
if (!process.env.WARREN_E2E_DATA_DIR) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-e2e-'));
  process.env.WARREN_E2E_DATA_DIR = dir;
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
}

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL: BASE_URL,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-dev-shm-usage',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
  ],
  webServer: {
    command: 'npm start',
    url: `${BASE_URL}/api/health`,
    env: {
      PORT: String(PORT),
      AMQP_PORT: String(AMQP_PORT),
      HOST: '127.0.0.1',
      DATA_DIR: process.env.WARREN_E2E_DATA_DIR,
      LOG_LEVEL: 'warn',
    },
    // The first run builds the console (next build), which takes a while on a cold machine.
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
});
