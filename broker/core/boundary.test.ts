// DESIGN.md: broker/core is the model with no protocol inside; the wire lives in broker/amqp and
// reaches the core only through what it is given (PropertiesCodec). This fails the build when a
// core file imports anything outside what the core may use, type-only imports included.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const CORE = dirname(fileURLToPath(import.meta.url));
const BROKER = dirname(CORE);

/**
 * Folders of broker/ the core may import from: itself, the store's interfaces and the users and
 * permissions. Anything else there (amqp, index.ts, embedded, another protocol some day) and any
 * package is refused; node's own modules are allowed.
 */
const ALLOWED = ['core', 'store', 'auth'];

/** Why `specifier`, imported by the core file `file`, breaks the rule; undefined when it does not. */
export function violation(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('node:')) return undefined;
  if (!specifier.startsWith('.')) return `imports the package '${specifier}'`;
  const inBroker = relative(BROKER, resolve(dirname(file), specifier));
  const top = inBroker.split(/[\\/]/)[0];
  if (inBroker.startsWith('..') || !ALLOWED.includes(top)) return `imports '${specifier}' (broker/${inBroker})`;
  return undefined;
}

/** Every module specifier in `source`: static, type-only, re-exports and dynamic import(). */
function specifiers(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

const coreFiles = readdirSync(CORE)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => join(CORE, f));

describe('broker/core imports no protocol', () => {
  it('holds for every core file', () => {
    const broken: string[] = [];
    let imports = 0;
    for (const file of coreFiles) {
      for (const s of specifiers(readFileSync(file, 'utf8'))) {
        imports++;
        const why = violation(file, s);
        if (why !== undefined) broken.push(`broker/core/${relative(CORE, file)} ${why}`);
      }
    }
    expect(broken, 'the core must get protocol code by injection (see core/properties.ts)').toEqual([]);
    // the scan saw the files and their imports, so an empty list means something
    expect(coreFiles.length).toBeGreaterThan(20);
    expect(imports).toBeGreaterThan(50);
  });

  it('finds every kind of import, and tells the allowed from the rest', () => {
    const source = [
      "import type { FieldTable } from '../amqp/field-table';",
      "import {\n  encodeProperties,\n} from '../amqp/generated/protocol';",
      "export { x } from '../mqtt/codec';",
      "const lazy = () => import('../index');",
      "import amqplib from 'amqplib';",
      "// import { nothing } from '../amqp/in-a-comment';",
      "import { EventEmitter } from 'node:events';",
      "import { Queue } from './queue';",
      "import type { UserStore } from '../auth/users';",
    ].join('\n');
    const file = join(CORE, 'example.ts');
    expect(specifiers(source).map((s) => [s, violation(file, s) !== undefined])).toEqual([
      ['../amqp/field-table', true],
      ['../amqp/generated/protocol', true],
      ['../mqtt/codec', true],
      ['../index', true],
      ['amqplib', true],
      ['node:events', false],
      ['./queue', false],
      ['../auth/users', false],
    ]);
  });
});
