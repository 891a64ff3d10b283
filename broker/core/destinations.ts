import type { Destination } from './binding';
import type { Queue } from './queue';

/** Stamps are unique across every collection, so that a nested publish never takes another's. */
let lastStamp = 0;

/**
 * The queues and exchanges one publish reaches, each once, in the order found. It was a Set, but
 * emptying a Set for the next publish gives it a new hash table (V8's Set.prototype.clear), about
 * 90 B for every message routed by an exchange other than the default one. This one keeps its array,
 * and a destination it took carries the collection's stamp (`routeStamp`) instead of being looked up.
 */
export class Destinations {
  private readonly list: Destination[] = [];
  private count = 0;
  private stamp = 0;

  get size(): number {
    return this.count;
  }

  /** Starts a collection; `source` counts as taken (it is where the message came in). */
  begin(source: Destination): void {
    this.count = 0;
    this.stamp = ++lastStamp;
    source.routeStamp = this.stamp;
  }

  add(d: Destination): void {
    if (d.routeStamp === this.stamp) return;
    d.routeStamp = this.stamp;
    this.list[this.count++] = d;
  }

  /** The destination at `i` (< size); ones added while reading are read too. */
  at(i: number): Destination {
    return this.list[i];
  }

  /** Drops the queues `refused` says no to. */
  dropQueues(refused: (q: Queue) => boolean): void {
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      const d = this.list[i];
      if (d.kind === 'queue' && refused(d)) continue;
      this.list[n++] = d;
    }
    for (let i = n; i < this.count; i++) this.list[i] = undefined as unknown as Destination;
    this.count = n;
  }

  /** Ends the collection, letting go of what it took (a deleted queue must not stay reachable from here). */
  end(): void {
    for (let i = 0; i < this.count; i++) this.list[i] = undefined as unknown as Destination;
    this.count = 0;
  }
}
