// What the live stream changes in the query cache: a snapshot replaces a vhost's lists, a diff
// adds, updates or removes items by identity. Pure functions over the lists, tested in isolation.
import type { Item, TopologyKind } from '../live/protocol';

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

function nested(item: Item, key: string, field: string): unknown {
  const o = item[key];
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[field] : undefined;
}

/** The identity of an item of each kind, as the hub names it in `remove`. */
export function identityOf(kind: TopologyKind, item: Item): string {
  switch (kind) {
    case 'exchange':
    case 'queue':
    case 'connection':
      return str(item.name);
    case 'binding':
      return [str(item.source), str(item.destination_type), str(item.destination), str(item.properties_key ?? item.routing_key)].join('\u0000');
    case 'consumer': {
      const queue = str(nested(item, 'queue', 'name') ?? item.queue);
      const channel = str(nested(item, 'channel_details', 'name') ?? item.channel);
      return [queue, channel, str(item.consumer_tag)].join('\u0000');
    }
  }
}

export type Change = { op: 'add' | 'remove' | 'update'; kind: TopologyKind; item: Item };

/** Applies the changes of one kind to a list; returns the same list when nothing changed. Linear in
 * the list and the changes: a burst of a thousand removes does not re-index the list per remove. */
export function applyChanges<T extends object>(list: readonly T[], kind: TopologyKind, changes: readonly Change[]): T[] {
  let out: (T | undefined)[] | null = null;
  let index: Map<string, number> | null = null;
  let removed = 0;
  const ensure = (): [(T | undefined)[], Map<string, number>] => {
    if (out === null || index === null) {
      out = [...list];
      index = new Map(out.map((x, i) => [identityOf(kind, x as Item), i]));
    }
    return [out, index];
  };
  for (const c of changes) {
    if (c.kind !== kind) continue;
    const [arr, idx] = ensure();
    const id = identityOf(kind, c.item);
    const at = idx.get(id);
    if (c.op === 'remove') {
      if (at !== undefined) {
        // a hole for now, closed once at the end
        arr[at] = undefined;
        idx.delete(id);
        removed++;
      }
    } else if (at !== undefined) {
      arr[at] = (c.op === 'update' ? { ...arr[at], ...c.item } : c.item) as T;
    } else {
      idx.set(id, arr.length);
      arr.push(c.item as T);
    }
  }
  if (out === null) return list as T[];
  const done: (T | undefined)[] = out;
  return removed === 0 ? (done as T[]) : done.filter((x): x is T => x !== undefined);
}

export function removedNames(changes: readonly Change[], kind: 'queue' | 'exchange'): Set<string> {
  const out = new Set<string>();
  for (const c of changes) if (c.op === 'remove' && c.kind === kind) out.add(str(c.item.name));
  return out;
}
