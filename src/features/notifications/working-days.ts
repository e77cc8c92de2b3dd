/**
 * Working days and the send time. Every rule works on local calendar days (`YYYY-MM-DD` in
 * APP_TIMEZONE): the caller turns an instant into "today" with `localDay`, and a send day back
 * into an instant with `sendInstant`. Calendar arithmetic runs in UTC, where no day is 23 or 25
 * hours long, so it does not depend on the server's own time zone.
 */
import holidayJp from '@holiday-jp/holiday_jp';
import { TZDate } from '@date-fns/tz';
// Per-function entry points, as in src/platform/dates.ts: the package index loads all of date-fns.
import { getISOWeek } from 'date-fns/getISOWeek';
import { getISOWeekYear } from 'date-fns/getISOWeekYear';
import { dayKey } from './external.ts';

export const DEFAULT_SEND_HOUR = 9;

/** When e-mails go out: at `hour`:00 local time in `timeZone`, on working days. */
export interface SendSchedule {
  timeZone: string;
  hour: number;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `YYYY-MM-DD` string that names a real calendar day. */
export function isLocalDay(value: string): boolean {
  const match = DAY.exec(value);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function utc(day: string): TZDate {
  if (!isLocalDay(day)) throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new TZDate(y, m - 1, d, 'UTC');
}

/*
 * A run for 20,000 users asks these a few hundred thousand times about a few hundred distinct
 * days: days are turned into day numbers (days since 1970-01-01) once and kept, and the
 * arithmetic is on those numbers.
 */
const MS_PER_DAY = 86_400_000;
const MAX_CACHED = 20_000;
const dayNumbers = new Map<string, number>();

function dayNumber(day: string): number {
  let n = dayNumbers.get(day);
  if (n === undefined) {
    if (!isLocalDay(day)) throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${JSON.stringify(day)}`);
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    n = Date.UTC(y, m - 1, d) / MS_PER_DAY;
    if (dayNumbers.size >= MAX_CACHED) dayNumbers.clear();
    dayNumbers.set(day, n);
  }
  return n;
}

const dayStrings = new Map<number, string>();

function fromDayNumber(n: number): string {
  let day = dayStrings.get(n);
  if (day === undefined) {
    day = new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
    if (dayStrings.size >= MAX_CACHED) dayStrings.clear();
    dayStrings.set(n, day);
  }
  return day;
}

export function addDays(day: string, days: number): string {
  return fromDayNumber(dayNumber(day) + days);
}

/** `to` minus `from`, in days. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** ISO weekday: 1 Monday … 7 Sunday (1970-01-01, day 0, was a Thursday). */
export function isoWeekday(day: string): number {
  return ((((dayNumber(day) + 3) % 7) + 7) % 7) + 1;
}

/** A Japanese public holiday, substitute holiday or citizens' holiday (data: @holiday-jp/holiday_jp, up to 2050). */
export function isJapaneseHoliday(day: string): boolean {
  return Object.hasOwn(holidayJp.holidays, day);
}

const workingDays = new Map<string, boolean>();

/** Not a Saturday, not a Sunday, not a Japanese public holiday. */
export function isWorkingDay(day: string): boolean {
  let working = workingDays.get(day);
  if (working === undefined) {
    working = isoWeekday(day) <= 5 && !isJapaneseHoliday(day);
    if (workingDays.size >= MAX_CACHED) workingDays.clear();
    workingDays.set(day, working);
  }
  return working;
}

/** The longest run of days off in the data is a week (Golden Week with its weekends); 31 is a safe bound. */
const MAX_DAYS_OFF = 31;

/** The last working day on or before `day`: where a notice that must not be late moves to. */
export function workingDayOnOrBefore(day: string): string {
  let current = day;
  for (let i = 0; i < MAX_DAYS_OFF && !isWorkingDay(current); i += 1) current = addDays(current, -1);
  return current;
}

/** The first working day on or after `day`: where a notice that must not be early moves to. */
export function workingDayOnOrAfter(day: string): string {
  let current = day;
  for (let i = 0; i < MAX_DAYS_OFF && !isWorkingDay(current); i += 1) current = addDays(current, 1);
  return current;
}

/** `2026-W51`: the ISO week (Monday to Sunday) a day belongs to. */
export function isoWeekKey(day: string): string {
  const date = utc(day);
  return `${getISOWeekYear(date)}-W${String(getISOWeek(date)).padStart(2, '0')}`;
}

/** The Monday of the ISO week of `day`. */
export function startOfIsoWeek(day: string): string {
  return addDays(day, 1 - isoWeekday(day));
}

/** The Monday of an ISO week (`2027-W01` → 2027-01-04; 4 January is always in week 1). */
export function mondayOfIsoWeek(week: string): string {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!match) throw new RangeError(`Not an ISO week (YYYY-Www): ${JSON.stringify(week)}`);
  return addDays(startOfIsoWeek(`${match[1]}-01-04`), (Number(match[2]) - 1) * 7);
}

/**
 * The champions' weekly digest day in the week of `day`: the configured weekday (1 Monday …
 * 5 Friday), or, when that is a holiday, the first working day after it in the same week. A
 * week with no working day left from that weekday on has no digest (null); its changes are in
 * the next week's digest, which covers everything since the last one.
 */
export function weeklyDigestDay(day: string, weekday: number = 1): string | null {
  if (!Number.isInteger(weekday) || weekday < 1 || weekday > 5) throw new RangeError(`Digest weekday must be 1 (Monday) to 5 (Friday), not ${weekday}`);
  const monday = startOfIsoWeek(day);
  for (let offset = weekday - 1; offset < 7; offset += 1) {
    const candidate = addDays(monday, offset);
    if (isWorkingDay(candidate)) return candidate;
  }
  return null;
}

/** `YYYY-MM` of a local day. */
export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** The month before `month` (`YYYY-MM`). */
export function previousMonth(month: string): string {
  return monthOf(addDays(`${month}-01`, -1));
}

/** The last calendar day of `month` (`YYYY-MM`). */
export function lastDayOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  // Day 0 of the next month is the last day of this one.
  return fromDayNumber(Date.UTC(y, m, 0) / MS_PER_DAY);
}

/** The first working day of `month` (`YYYY-MM`): 2027-01-04 for January 2027 (the 1st is New Year's Day, then a weekend). */
export function firstWorkingDayOfMonth(month: string): string {
  return workingDayOnOrAfter(`${month}-01`);
}

/** The local calendar day of an instant in `timeZone`. */
export function localDay(instant: Date, timeZone: string): string {
  return dayKey(instant, timeZone);
}

function checkSchedule(schedule: SendSchedule): void {
  if (!Number.isInteger(schedule.hour) || schedule.hour < 0 || schedule.hour > 23) {
    throw new RangeError(`Send hour must be a whole hour from 0 to 23, not ${schedule.hour}`);
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: schedule.timeZone });
  } catch {
    throw new RangeError(`Unknown time zone: ${JSON.stringify(schedule.timeZone)}`);
  }
}

/**
 * The instant of `hour`:00 local time on `day`. An hour that a DST change skips (02:00 on the
 * last Sunday of March in Europe) becomes the first instant after the gap (03:00 summer time);
 * an hour that happens twice is taken in standard time, as @date-fns/tz resolves it. Asia/Tokyo
 * has no DST, so there 09:00 is always 00:00 UTC.
 */
export function sendInstant(day: string, schedule: SendSchedule): Date {
  checkSchedule(schedule);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  if (!isLocalDay(day)) throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  return new Date(new TZDate(y, m - 1, d, schedule.hour, 0, 0, schedule.timeZone).getTime());
}

/** The next send instant at or after `now`: today's send hour if it has not passed and today is a working day, else the next working day's. */
export function nextSendInstant(now: Date, schedule: SendSchedule): Date {
  let day = localDay(now, schedule.timeZone);
  for (let i = 0; i <= MAX_DAYS_OFF; i += 1) {
    if (isWorkingDay(day)) {
      const instant = sendInstant(day, schedule);
      if (instant.getTime() >= now.getTime()) return instant;
    }
    day = addDays(day, 1);
  }
  throw new Error('No working day within a month');
}

/**
 * The local day whose run is due at `now`, or null: today, once its send hour has come, if
 * today is a working day. A scheduler that ticks every few minutes asks this; the triggers
 * themselves catch up whatever a missed day would have sent, so only today is ever run.
 */
export function runDayAt(now: Date, schedule: SendSchedule): string | null {
  const today = localDay(now, schedule.timeZone);
  if (!isWorkingDay(today)) return null;
  return now.getTime() >= sendInstant(today, schedule).getTime() ? today : null;
}
