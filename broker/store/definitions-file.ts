import fs from 'node:fs';
import { unpackTable, type StoredDefinitions } from './stored-definitions';

/**
 * DATA_DIR/definitions.json as the store keeps it: the stored definitions, and the queue ids whose
 * messages the log keeps although no stored queue owns them (see DurableStore.recoverMessages).
 */
export type DefinitionsFile = StoredDefinitions & {
  unattributed?: number[];
  /** the generation of definitions.journal that completes this snapshot; absent in files from before the journal (0) */
  journal?: number;
};

/** The file is there but is not one Warren can use: start-up stops, nothing is written. */
export class DefinitionsFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot start from ${file}: ${reason}. Nothing on disk was changed.`, options);
    this.name = 'DefinitionsFileError';
  }
}

/**
 * Reads and checks the file. `undefined` only when nothing at all is at that path (a first start):
 * any other failure throws, because starting empty would rewrite the file and let the message log
 * reclaim the messages of every queue it no longer knows.
 */
export function readDefinitionsFile(file: string): DefinitionsFile | undefined {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') {
      const link = danglingLinkTarget(file);
      if (link === undefined) return undefined;
      // e.g. a data volume that is not mounted: not a first start
      throw new DefinitionsFileError(file, `it is a symbolic link to '${link}', which does not exist (ENOENT)`, { cause: err });
    }
    throw new DefinitionsFileError(file, err instanceof Error ? err.message : String(err), { cause: err });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new DefinitionsFileError(file, 'it is not UTF-8 text, so not a file Warren wrote', { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const what = bytes.length === 0 ? 'it is empty' : `it is not complete, valid JSON (${(err as Error).message})`;
    throw new DefinitionsFileError(file, what, { cause: err });
  }
  const problem = checkDefinitions(json);
  if (problem !== undefined) throw new DefinitionsFileError(file, problem);
  return json as DefinitionsFile;
}

function readRegularFile(file: string): Buffer {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new Error('it is a directory, not a file (EISDIR)');
    if (!st.isFile()) throw new Error(`it is ${kindOf(st)}, not a regular file`);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'something else';
}

function errnoOf(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function danglingLinkTarget(file: string): string | undefined {
  try {
    return fs.lstatSync(file).isSymbolicLink() ? fs.readlinkSync(file) : undefined;
  } catch {
    return undefined;
  }
}

// --- the shape Warren writes (collectDefinitions) ----------------------------------------------

type FieldKind = 'string' | 'boolean' | 'number' | 'id' | 'strings' | 'object' | 'table';

const ENTRIES: Record<string, Record<string, FieldKind>> = {
  users: { name: 'string', password_hash: 'string', hashing_algorithm: 'string', tags: 'strings' },
  permissions: { vhost: 'string', user: 'string', configure: 'string', write: 'string', read: 'string' },
  exchanges: { vhost: 'string', name: 'string', type: 'string', auto_delete: 'boolean', internal: 'boolean', arguments: 'table' },
  queues: { vhost: 'string', name: 'string', id: 'id', auto_delete: 'boolean', arguments: 'table' },
  bindings: {
    vhost: 'string', source: 'string', destination: 'string', destination_type: 'string', routing_key: 'string', arguments: 'table',
  },
  policies: { vhost: 'string', name: 'string', pattern: 'string', apply_to: 'string', priority: 'number', definition: 'object' },
  operator_policies: { vhost: 'string', name: 'string', pattern: 'string', apply_to: 'string', priority: 'number', definition: 'object' },
  topic_permissions: { vhost: 'string', user: 'string', exchange: 'string', write: 'string', read: 'string' },
};

/** Sections newer than the first files: absent in those, read as empty. */
const ADDED_LATER = new Set(['policies', 'operator_policies', 'topic_permissions']);

const ONE_OF: Record<string, readonly string[]> = {
  type: ['direct', 'fanout', 'topic', 'headers'],
  destination_type: ['queue', 'exchange'],
  apply_to: ['queues', 'exchanges', 'all'],
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

function fieldProblem(kind: FieldKind, v: unknown): string | undefined {
  switch (kind) {
    case 'string':
    case 'boolean':
    case 'number':
      return typeof v === kind ? undefined : `is not a ${kind}`;
    case 'id':
      return isId(v) ? undefined : 'is not a positive integer';
    case 'strings':
      return Array.isArray(v) && v.every((s) => typeof s === 'string') ? undefined : 'is not a list of strings';
    case 'object':
      return isObject(v) ? undefined : 'is not an object';
    case 'table':
      if (typeof v !== 'string') return 'is not a string';
      try {
        unpackTable(v);
        return undefined;
      } catch {
        return 'is not an encoded field table';
      }
  }
}

/** What is wrong with `json` as a definitions file, or undefined when it is one Warren would write. */
export function checkDefinitions(json: unknown): string | undefined {
  if (!isObject(json)) return 'it is not a JSON object';
  if (json.version !== 1) return `unknown version ${JSON.stringify(json.version) ?? 'undefined'} (this Warren reads version 1)`;
  if (!isId(json.nextQueueId)) return "'nextQueueId' is not a positive integer";
  const vhosts = json.vhosts;
  if (!Array.isArray(vhosts) || !vhosts.every((v) => typeof v === 'string')) return "'vhosts' is not a list of strings";
  const known = new Set<unknown>(vhosts);
  for (const [section, fields] of Object.entries(ENTRIES)) {
    const list = json[section];
    if (list === undefined && ADDED_LATER.has(section)) continue;
    if (!Array.isArray(list)) return `'${section}' is not a list`;
    for (const [i, entry] of list.entries()) {
      const where = `${section}[${i}]`;
      if (!isObject(entry)) return `${where} is not an object`;
      for (const [field, kind] of Object.entries(fields)) {
        const problem = fieldProblem(kind, entry[field]);
        if (problem !== undefined) return `${where}.${field} ${problem}`;
        const allowed = ONE_OF[field];
        if (allowed !== undefined && !allowed.includes(entry[field] as string)) return `${where}.${field} is '${String(entry[field])}', not one of ${allowed.join(', ')}`;
      }
      if ('vhost' in fields && !known.has(entry.vhost)) return `${where} is in vhost '${String(entry.vhost)}', which the file does not list`;
    }
  }
  // two entries for one queue would share, or orphan, its messages in the log
  const ids = new Set<number>();
  const names = new Set<string>();
  for (const [i, q] of (json.queues as Record<string, unknown>[]).entries()) {
    const name = JSON.stringify([q.vhost, q.name]);
    if (ids.has(q.id as number)) return `queues[${i}].id ${String(q.id)} is used twice`;
    if (names.has(name)) return `queues[${i}] ('${String(q.name)}' in vhost '${String(q.vhost)}') is listed twice`;
    ids.add(q.id as number);
    names.add(name);
  }
  const unattributed = json.unattributed;
  if (unattributed !== undefined && !(Array.isArray(unattributed) && unattributed.every(isId))) return "'unattributed' is not a list of queue ids";
  const journal = json.journal;
  if (journal !== undefined && !(Number.isSafeInteger(journal) && (journal as number) >= 0)) return "'journal' is not a generation number";
  return undefined;
}
