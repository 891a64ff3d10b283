// MASK_RULES / --mask-rules: a rules file is read and checked at start-up; a wrong one stops
// `npm start` with exit 2 naming the file and what is wrong, before anything is built or listens.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warren-mask-config-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('mask rules configuration', () => {
  it('reads the file from the flag or MASK_RULES', () => {
    const good = file('good.json', JSON.stringify({ headers: ['Authorization'], jsonPaths: ['$.card.number'], bodyPatterns: ['\\d{4}'] }));
    const fromFlag = loadConfig(['--mask-rules', good], {}).config.maskRules;
    expect([...(fromFlag?.headers ?? [])]).toEqual(['authorization']);
    expect(fromFlag?.bodyPatterns).toHaveLength(1);
    expect(loadConfig([], { MASK_RULES: good }).config.maskRules?.jsonPaths).toEqual([[{ name: 'card' }, { name: 'number' }]]);
    expect(loadConfig([], {}).config.maskRules).toBeUndefined();
  });

  it('refuses a missing, non-JSON or wrong file, naming it and the problem', () => {
    const missing = path.join(dir, 'none.json');
    expect(() => loadConfig(['--mask-rules', missing], {})).toThrow(new ConfigError(`--mask-rules ${JSON.stringify(missing)}: no such file`));
    const notJson = file('bad.json', '{headers:');
    expect(() => loadConfig(['--mask-rules', notJson], {})).toThrow(`--mask-rules ${JSON.stringify(notJson)}: not a JSON file`);
    const badPattern = file('pattern.json', JSON.stringify({ bodyPatterns: ['(\\d'] }));
    expect(() => loadConfig([], { MASK_RULES: badPattern })).toThrow(/pattern\.json.*body pattern "\(\\\\d": missing \)/);
  });

  it('stops npm start with exit 2 and the reason', () => {
    const bad = file('stop.json', JSON.stringify({ jsonPaths: ['card.number'] }));
    const r = spawnSync('npx', ['tsx', 'scripts/start.ts', '--mask-rules', bad], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--mask-rules ${JSON.stringify(bad)}: JSON path "card.number" does not start with $`);
  }, 130_000);
});
