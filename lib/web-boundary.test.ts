// DESIGN.md: the web side — lib/, app/, components/, bin/, server.ts, scripts/, e2e/ — reaches the
// broker through one door, broker/index.ts (the broker API), so that a remote RabbitMQ can stand
// behind the same interface. This fails the build when any file there, tests included, imports
// another module of broker/ (type-only imports and re-exports too).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BROKER = join(ROOT, 'broker');
const WEB = ['lib', 'app', 'components', 'bin', 'scripts', 'e2e', 'server.ts'];
const DOOR = new Set([BROKER, join(BROKER, 'index'), join(BROKER, 'index.ts')]);

/** Why `specifier`, imported by `file`, goes around the door; undefined when it does not. */
export function violation(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(file), specifier);
  const inBroker = relative(BROKER, target);
  if (inBroker.startsWith('..') || DOOR.has(target)) return undefined;
  return `imports '${specifier}' (broker/${inBroker})`;
}

function specifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

function sourceFiles(path: string): string[] {
  if (statSync(path).isFile()) return /\.(ts|tsx|mts)$/.test(path) ? [path] : [];
  return readdirSync(path).flatMap((name) => (name === 'node_modules' || name.startsWith('.') ? [] : sourceFiles(join(path, name))));
}

describe('the web side uses the broker API only', () => {
  it('holds for every file of lib, app, components, bin, scripts, e2e and server.ts', () => {
    const files = WEB.flatMap((p) => sourceFiles(join(ROOT, p)));
    const broken: string[] = [];
    let brokerImports = 0;
    for (const file of files) {
      for (const s of specifiers(readFileSync(file, 'utf8'))) {
        if (relative(BROKER, resolve(dirname(file), s)).startsWith('..') === false && s.startsWith('.')) brokerImports++;
        const why = violation(file, s);
        if (why !== undefined) broken.push(`${relative(ROOT, file)} ${why}`);
      }
    }
    expect(broken, 'import from broker/index.ts instead').toEqual([]);
    // the scan saw the web side and its use of the door, so an empty list means something
    expect(files.length).toBeGreaterThan(100);
    expect(brokerImports).toBeGreaterThan(20);
  });

  it('tells the door from the rest', () => {
    const file = join(ROOT, 'lib', 'management', 'example.ts');
    const cases: [string, boolean][] = [
      ['../../broker/index', false],
      ['../../broker/index.ts', false],
      ['../../broker/core/vhost', true],
      ['../../broker/embedded/internals', true],
      ['../../broker', false],
      ['./paging', false],
      ['amqplib', false],
    ];
    expect(cases.map(([s]) => [s, violation(file, s) !== undefined])).toEqual(cases);
  });
});
