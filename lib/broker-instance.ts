// The one broker of this process, shared between server.ts and the Next.js route handlers and pages.
// Next bundles route handlers separately from server.ts, so a module-level variable here would exist
// twice; a globalThis slot is the one place both see. Nothing else in Warren touches globalThis.
import type { Broker } from '../broker/index';

const SLOT = Symbol.for('warren.broker');

type Slot = { [SLOT]?: Broker };

/** Called once by server.ts after the broker is listening (and with undefined after it closed). */
export function setBroker(broker: Broker | undefined): void {
  (globalThis as Slot)[SLOT] = broker;
}

/** The running broker, or undefined when this process has none (e.g. `next build`, `next start`). */
export function getBroker(): Broker | undefined {
  return (globalThis as Slot)[SLOT];
}

/** Like getBroker, for callers that cannot do anything useful without one. */
export function requireBroker(): Broker {
  const broker = getBroker();
  if (!broker) throw new Error('Warren broker is not running in this process (start it with `npm start`)');
  return broker;
}
