/** The app-time-zone month of a moment, cached: the roll-ups ask it for every event they count. */
import { monthKey } from '../../platform/dates.ts';

// A month boundary is a local midnight, always on a quarter hour in UTC: one zone lookup per quarter.
const QUARTER_MS = 900_000;
const months = new Map<string, string>();

export function monthOf(ms: number, timeZone: string): string {
  const key = `${timeZone}|${Math.floor(ms / QUARTER_MS)}`;
  let month = months.get(key);
  if (month === undefined) {
    if (months.size > 100_000) months.clear();
    month = monthKey(new Date(ms), timeZone);
    months.set(key, month);
  }
  return month;
}
