// What the scenarios share: queue options, warm-up and settle times, size labels.

export const QUEUE_OPTIONS = { durable: false, autoDelete: false, exclusive: false } as const;

/** Warm-up before the measured window: 1 s, or a fifth of a short duration. */
export function warmupMs(durationSec: number): number {
  return Math.min(1000, durationSec * 200);
}

/** However long the broker may take, after publishing stopped, to hold every published message. */
export function settleMs(durationSec: number): number {
  return Math.max(10_000, durationSec * 3000);
}

export function sizeLabel(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

export function sizeSlug(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024}k` : `${bytes}b`;
}
