/**
 * The one clock. Every date decision in Manabi (sessions, due dates, renewal windows,
 * certificate validity, KPI months) reads the time here, never `Date.now()` or `new Date()`
 * directly (src/platform/boundaries.test.ts), so a test can move time forward — a renewal
 * window opening, a certificate expiring — without sleeping or editing rows by hand.
 * Production uses the system clock; only tests replace it (`setClock`, or the server's
 * MANABI_CLOCK_FILE in src/platform/clock.server.ts).
 */

/** Milliseconds since the epoch, like `Date.now()`. */
export type TimeSource = () => number;

const systemTime: TimeSource = () => Date.now();

/**
 * One clock per process, kept on `globalThis`: the server's bundle (dist/server) carries its own
 * copy of this module, while `npm start` (src/cli/serve.ts) installs MANABI_CLOCK_FILE's clock on
 * the unbundled one; both must read the same source.
 */
const holder = ((globalThis as { [key: symbol]: unknown })[Symbol.for('manabi.clock')] ??= { source: systemTime }) as { source: TimeSource };

/** The current time in milliseconds since the epoch. */
export function nowMs(): number {
  return holder.source();
}

/** The current time as a Date. */
export function now(): Date {
  return new Date(holder.source());
}

/** Replaces the clock (tests); `null` goes back to the system clock. */
export function setClock(next: TimeSource | null): void {
  holder.source = next ?? systemTime;
}

/** A clock that runs with the system clock, shifted by a fixed amount (tests: "31 days later"). */
export function shiftedClock(offsetMs: number): TimeSource {
  return () => Date.now() + offsetMs;
}

/** A clock stopped at one instant (tests). */
export function fixedClock(at: Date | number): TimeSource {
  const ms = typeof at === 'number' ? at : at.getTime();
  return () => ms;
}
