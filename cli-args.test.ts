import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgError, directory, integer, oneOf, parseCommandLine, port, positiveInt, usageError } from './cli-args';

const OPTIONS = {
  'amqp-port': { type: 'string', env: 'AMQP_PORT', parse: port },
  name: { type: 'string', short: 'n' },
  level: { type: 'string', env: 'LEVEL', parse: oneOf(['low', 'high']) },
  count: { type: 'string', parse: integer },
  dev: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

const parse = (argv: string[], env: Record<string, string> = {}, allowPositionals = false) =>
  parseCommandLine(OPTIONS, argv, env, { allowPositionals });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ArgError);
    return (err as Error).message;
  }
  throw new Error('expected an ArgError');
}

describe('parseCommandLine', () => {
  it('reads flags in both spellings, switches and short options', () => {
    const { values, positionals } = parse(['--amqp-port', '5673', '--level=HIGH', '-qn', 'x', '--dev']);
    expect(values).toEqual({ 'amqp-port': 5673, name: 'x', level: 'high', count: undefined, dev: true, quiet: true });
    expect(positionals).toEqual([]);
  });

  it('leaves absent settings undefined and switches false', () => {
    expect(parse([]).values).toEqual({ 'amqp-port': undefined, name: undefined, level: undefined, count: undefined, dev: false, quiet: false });
  });

  it('falls back to the variable of the same name; the flag wins; an empty variable is unset', () => {
    expect(parse([], { AMQP_PORT: ' 5674 ' }).values['amqp-port']).toBe(5674);
    expect(parse(['--amqp-port', '1'], { AMQP_PORT: '2' }).values['amqp-port']).toBe(1);
    expect(parse([], { AMQP_PORT: '' }).values['amqp-port']).toBeUndefined();
    expect(parse([], { AMQP_PORT: '  ' }).values['amqp-port']).toBeUndefined();
  });

  it('names the flag or the variable, and the value, when a value is bad', () => {
    expect(refusal(() => parse(['--amqp-port', 'abc']))).toBe('--amqp-port must be a port number from 0 to 65535, got "abc"');
    expect(refusal(() => parse([], { AMQP_PORT: '70000' }))).toBe('AMQP_PORT must be a port number from 0 to 65535, got "70000"');
    expect(refusal(() => parse([], { LEVEL: 'mid' }))).toBe('LEVEL must be one of low, high; got "mid"');
    // a bad variable does not matter when the flag overrides it
    expect(parse(['--level', 'low'], { LEVEL: 'mid' }).values.level).toBe('low');
  });

  it('refuses unknown options, missing values and values given to switches', () => {
    expect(refusal(() => parse(['--bogus']))).toBe('unknown option --bogus');
    expect(refusal(() => parse(['--bogus=1']))).toBe('unknown option --bogus');
    expect(refusal(() => parse(['-qx']))).toBe('unknown option -x in "-qx"');
    expect(refusal(() => parse(['-x']))).toBe('unknown option -x');
    expect(refusal(() => parse(['--amqp-port']))).toBe('--amqp-port needs a value');
    expect(refusal(() => parse(['-n']))).toBe('-n needs a value');
    expect(refusal(() => parse(['--amqp-port', '--dev']))).toBe('--amqp-port needs a value');
    expect(refusal(() => parse(['--dev=yes']))).toBe('--dev takes no value, got "yes"');
  });

  it('takes a separate value that starts with one dash, and `--name=--x` for one with two', () => {
    expect(parse(['--count', '-3']).values.count).toBe(-3);
    expect(parse(['--name', '-secret']).values.name).toBe('-secret');
    expect(parse(['--name=--x']).values.name).toBe('--x');
  });

  it('refuses positionals unless allowed; then options may come anywhere and `--` ends them', () => {
    expect(refusal(() => parse(['extra']))).toBe('unexpected argument "extra"');
    const { values, positionals } = parse(['cmd', '-q', 'a', '--name', 'n', '--', '--dev', 'b'], {}, true);
    expect(positionals).toEqual(['cmd', 'a', '--dev', 'b']);
    expect(values).toMatchObject({ quiet: true, name: 'n', dev: false });
  });

  it('treats the prototype’s names as unknown options', () => {
    expect(refusal(() => parse(['--constructor']))).toBe('unknown option --constructor');
    expect(refusal(() => parse(['--toString=1']))).toBe('unknown option --toString');
  });
});

describe('value parsers', () => {
  it('port: 0 to 65535, digits only', () => {
    expect(port('0', 'P')).toBe(0);
    expect(port('65535', 'P')).toBe(65535);
    for (const bad of ['', '-1', '65536', '1e3', '0x10', '12.5', 'abc', '123456']) {
      expect(() => port(bad, 'P')).toThrow(ArgError);
    }
  });

  it('positiveInt and integer', () => {
    expect(positiveInt('42', 'N')).toBe(42);
    for (const bad of ['0', '-1', '1.5', 'x', '', '99999999999999999999']) expect(() => positiveInt(bad, 'N')).toThrow(ArgError);
    expect(integer('-7', 'N')).toBe(-7);
    expect(integer('+7', 'N')).toBe(7);
    expect(() => integer('7x', 'N')).toThrow('N must be an integer, got "7x"');
  });

  it('oneOf returns the choice as listed, whatever the case given', () => {
    expect(oneOf(['debug', 'info'])(' INFO ', 'LOG_LEVEL')).toBe('info');
  });

  describe('directory', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-args-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('resolves a directory, existing or not yet', () => {
      expect(directory(dir, 'DATA_DIR')).toBe(dir);
      expect(directory('rel/dir', 'DATA_DIR')).toBe(path.resolve('rel/dir'));
    });

    it('refuses an empty path and a file', () => {
      const file = path.join(dir, 'file');
      writeFileSync(file, '');
      expect(() => directory('', '--data-dir')).toThrow('--data-dir must be a directory path, got ""');
      expect(() => directory(file, '--data-dir')).toThrow(`--data-dir must be a directory, got ${JSON.stringify(file)}, which is not one`);
    });
  });
});

it('usageError: the reason on one line, a blank line, then the usage', () => {
  expect(usageError('warren', '--port needs a value', 'Usage: warren\n')).toBe('warren: --port needs a value\n\nUsage: warren\n');
});
