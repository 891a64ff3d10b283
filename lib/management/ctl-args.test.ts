import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ArgError } from '../../cli-args';
import { parseCtlArgs } from './ctl-args';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('parseCtlArgs', () => {
  it('defaults from the environment: WARREN_URL, else PORT on loopback; WARREN_USER, WARREN_PASSWORD', () => {
    expect(parseCtlArgs(['list_queues'], {}).opts).toMatchObject({ url: 'http://127.0.0.1:15672', user: 'guest', password: 'guest', vhost: '/' });
    expect(parseCtlArgs([], { PORT: '8080' }).opts.url).toBe('http://127.0.0.1:8080');
    const env = { WARREN_URL: 'https://w.example:443', WARREN_USER: 'ann', WARREN_PASSWORD: 'pw', PORT: 'ignored when WARREN_URL is set' };
    expect(parseCtlArgs([], env).opts).toMatchObject({ url: 'https://w.example:443', user: 'ann', password: 'pw' });
    expect(parseCtlArgs(['--url', 'http://h:1', '-u', 'bob', '--password', '-pw-'], env).opts).toMatchObject({ url: 'http://h:1', user: 'bob', password: '-pw-' });
  });

  it('takes options anywhere among the command and its arguments, as rabbitmqctl', () => {
    const r = parseCtlArgs(['set_policy', '-p', 'v', 'name', '--priority', '-3', '^q', '--apply-to', 'queues', '{}', '-s'], {});
    expect(r.command).toBe('set_policy');
    expect(r.args).toEqual(['name', '^q', '{}']);
    expect(r.opts).toMatchObject({ vhost: 'v', priority: -3, applyTo: 'queues', quiet: true, headers: false });
    expect(parseCtlArgs(['delete_queue', 'q', '--if-empty', '--if-unused', '--vhost=x'], {}).opts).toMatchObject({ ifEmpty: true, ifUnused: true, vhost: 'x' });
    expect(parseCtlArgs(['-q', '--no-table-headers', '--formatter', 'json', 'list_queues'], {}).opts).toMatchObject({ quiet: true, headers: false, formatter: 'json' });
    // `--` lets an argument start with a dash
    expect(parseCtlArgs(['add_user', '--', 'eve', '-secret'], {}).args).toEqual(['eve', '-secret']);
  });

  it('refuses bad options, values and variables with ArgError', () => {
    const cases: [string[], Record<string, string>, string][] = [
      [['--bogus'], {}, 'unknown option --bogus'],
      [['--formatter', 'xml'], {}, '--formatter must be one of table, json; got "xml"'],
      [['--priority', 'high'], {}, '--priority must be an integer, got "high"'],
      [['list_queues', '-p'], {}, '-p needs a value'],
      [['--url', 'localhost:15672'], {}, '--url must be an http:// or https:// URL, got "localhost:15672"'],
      [[], { WARREN_URL: 'amqp://h' }, 'WARREN_URL must be an http:// or https:// URL, got "amqp://h"'],
      [[], { PORT: 'abc' }, 'PORT must be a port number from 0 to 65535, got "abc"'],
    ];
    for (const [argv, env, message] of cases) expect(() => parseCtlArgs(argv, env)).toThrow(new ArgError(message));
  });
});

describe('warrenctl (bin/warrenctl.ts)', () => {
  const warrenctl = (args: string[], env: Record<string, string> = {}) => {
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['PORT', 'WARREN_URL', 'WARREN_USER', 'WARREN_PASSWORD']) delete base[name];
    return spawnSync(process.execPath, ['--import', 'tsx', 'bin/warrenctl.ts', ...args], { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8', timeout: 30_000 });
  };

  it('exits 2 on a bad option value, naming it, then the usage', () => {
    const r = warrenctl(['list_queues', '--formatter', 'xml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^warrenctl: --formatter must be one of table, json; got "xml"\n\nUsage: warrenctl \[options\] <command>[\s\S]*list_queues/);
    expect(r.stdout).toBe('');
  });

  it('exits 2 on an unknown option and a bad variable; --help prints the usage and exits 0', () => {
    const unknown = warrenctl(['--bogus', 'list_queues']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^warrenctl: unknown option --bogus\n\nUsage:/);
    const env = warrenctl(['list_queues'], { PORT: '15672x' });
    expect(env.status).toBe(2);
    expect(env.stderr).toMatch(/^warrenctl: PORT must be a port number from 0 to 65535, got "15672x"\n\nUsage:/);
    const help = warrenctl(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: warrenctl/);
  }, 60_000);
});
