/**
 * How the core reports a failure it contained. Timer and event callbacks (TTL expiry, dead-lettering,
 * x-expires) run with no caller to hand an error to: one that threw would reach the process and end
 * it (`npm run broker`) or vanish into Next's handler (`npm start`). Each such callback catches, says
 * what failed through this, and carries on. createBroker points BrokerCore's at the broker's log.
 */
export type FailureReport = (what: string, err: unknown) => void;

/** The report until the broker's log is attached: stderr. Never throws. */
export const reportToStderr: FailureReport = (what, err) => {
  try {
    console.error(`warren: ${what}: ${describeError(err)}`);
  } catch {
    // nothing left to tell it to
  }
};

export function describeError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
