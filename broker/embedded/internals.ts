// The parts behind an embedded broker's API (core, AMQP server, store, statistics), for
// broker-side code and tests only: the web side sees the API alone (broker/index.ts).
import type { EmbeddedParts } from './embedded-broker';

const parts = new WeakMap<object, EmbeddedParts>();

export function registerInternals(broker: object, p: EmbeddedParts): void {
  parts.set(broker, p);
}

export function internals(broker: object): EmbeddedParts {
  const p = parts.get(broker);
  if (p === undefined) throw new Error('not an embedded Warren broker');
  return p;
}
