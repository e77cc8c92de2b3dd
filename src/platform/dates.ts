/**
 * Calendar dates in the company's time zone (APP_TIMEZONE), not the server's, with date-fns.
 * Days are `YYYY-MM-DD`, months `YYYY-MM`.
 */
import { TZDate } from '@date-fns/tz';
// Per-function entry points: the package index would load all of date-fns (~2 s per server start).
import { addMonths as addMonthsFns } from 'date-fns/addMonths';
import { endOfDay as endOfDayFns } from 'date-fns/endOfDay';
import { format } from 'date-fns/format';
import { parse } from 'date-fns/parse';
import type { Locale } from './i18n/locales.ts';

let lastDay: { minute: number; timeZone: string; key: string } | null = null;

/** `YYYY-MM-DD` of `date` in `timeZone`. */
export function dayKey(date: Date, timeZone: string): string {
  // Called on every lesson view: within one minute the local day cannot change (time zone
  // offsets and their transitions fall on whole minutes), so the last answer is reused.
  const minute = Math.floor(date.getTime() / 60_000);
  if (lastDay && lastDay.minute === minute && lastDay.timeZone === timeZone) return lastDay.key;
  const key = format(new TZDate(date, timeZone), 'yyyy-MM-dd');
  if (!Number.isNaN(minute)) lastDay = { minute, timeZone, key };
  return key;
}

/** A month as the app writes it, `YYYY-MM` (forms, query strings, CSV files). */
export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

let lastMonth: { minute: number; timeZone: string; key: string } | null = null;

/** `YYYY-MM` of `date` in `timeZone`. */
export function monthKey(date: Date, timeZone: string): string {
  // Every write keys its roll-ups by month (a TZDate each: 6 % of a completion's CPU): within
  // one minute the local month cannot change either, so the last answer is reused as in dayKey.
  const minute = Math.floor(date.getTime() / 60_000);
  if (lastMonth && lastMonth.minute === minute && lastMonth.timeZone === timeZone) return lastMonth.key;
  const key = format(new TZDate(date, timeZone), 'yyyy-MM');
  if (!Number.isNaN(minute)) lastMonth = { minute, timeZone, key };
  return key;
}

/** `YYYY-MM` plus `delta` months. */
export function addMonths(month: string, delta: number): string {
  return format(addMonthsFns(parse(month, 'yyyy-MM', new Date(2000, 0, 1)), delta), 'yyyy-MM');
}

/** The months from `from` to `to` inclusive; empty when `from` is after `to`. */
export function monthRange(from: string, to: string): string[] {
  const months: string[] = [];
  for (let month = from; month <= to && months.length < 600; month = addMonths(month, 1)) months.push(month);
  return months;
}

/** The last instant of a calendar day in `timeZone` ("due on this day" means until its end). */
export function endOfDay(day: string, timeZone: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(endOfDayFns(new TZDate(year, month - 1, date, timeZone)).getTime());
}

/** The first instant of a month in `timeZone`. */
export function startOfMonth(month: string, timeZone: string): Date {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return new Date(new TZDate(year, m - 1, 1, timeZone).getTime());
}

/** Intl formatters are costly to build: one per language, zone and style, reused. */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: Locale, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', { ...options, timeZone });
    formatters.set(key, format);
  }
  return format;
}

/*
 * One date style per language, everywhere a person reads a date: 2026年12月1日 / 1 December 2026
 * (days), 2026年12月 / December 2026 (months), 2026年12月1日 9:30 / 1 December 2026, 09:30.
 * Never 2026/12/01, 2026-12-01 or Dec 2026 on a page (tests/e2e/japanese-typography.test.ts).
 */

/** A date for people: 2026年11月27日 / 27 November 2026. */
export function formatDate(date: Date, locale: Locale, timeZone: string): string {
  return formatter(locale, timeZone, { dateStyle: 'long' }).format(date);
}

/** A calendar day stored as `YYYY-MM-DD` (wave dates, due dates) in the same style; another string is shown as it is. */
export function formatDay(day: string, locale: Locale): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return day;
  const [, year, month, date] = match.map(Number) as [number, number, number, number];
  return formatDate(new Date(Date.UTC(year, month - 1, date)), locale, 'UTC');
}

/** A date and time for people: 2026年11月27日 18:05 / 27 November 2026, 18:05 (with seconds on request, for logs). */
export function formatDateTime(date: Date, locale: Locale, timeZone: string, options: { seconds?: boolean } = {}): string {
  // 9:30 in Japanese, 09:30 in British English: each language's usual clock.
  const time: Intl.DateTimeFormatOptions = {
    hour: locale === 'ja' ? 'numeric' : '2-digit',
    minute: '2-digit',
    ...(options.seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  };
  const day = formatDate(date, locale, timeZone);
  const clock = formatter(locale, timeZone, time).format(date);
  return locale === 'ja' ? `${day} ${clock}` : `${day}, ${clock}`;
}

/** A `YYYY-MM` month for people: 2026年11月 / November 2026. */
export function formatMonth(month: string, locale: Locale): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return formatter(locale, 'UTC', { year: 'numeric', month: 'long' }).format(new Date(Date.UTC(year, m - 1, 1)));
}

/** A month on a chart's axis, where the year is said elsewhere: 11月 / Nov. */
export function formatMonthAxis(month: string, locale: Locale): string {
  const m = Number(month.slice(5));
  return locale === 'ja' ? `${m}月` : formatter('en', 'UTC', { month: 'short' }).format(new Date(Date.UTC(2000, m - 1, 1)));
}

/** `date` plus whole calendar months in `timeZone` (31 January + 1 month = 28/29 February). */
export function addMonthsAt(date: Date, months: number, timeZone: string): Date {
  return new Date(addMonthsFns(new TZDate(date, timeZone), months).getTime());
}

/** `date` plus whole calendar days in `timeZone` (the same wall-clock time, across DST changes). */
export function addDaysAt(date: Date, days: number, timeZone: string): Date {
  const local = new TZDate(date, timeZone);
  local.setDate(local.getDate() + days);
  return new Date(local.getTime());
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `date`, in minutes (+540 for Tokyo). */
function offsetMinutes(date: Date, timeZone: string): number {
  let format = offsetFormats.get(timeZone);
  if (!format) offsetFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })));
  // "GMT+09:00", "GMT-03:30", or "GMT" for UTC itself
  const name = format.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
}

/**
 * ISO 8601 with milliseconds and the zone's offset, e.g. `2026-04-01T09:30:00.000+09:00`
 * (exports an auditor reads in local time). One Intl lookup per call, not a TZDate: exports
 * write it for every row.
 */
export function isoWithOffset(date: Date, timeZone: string): string {
  const minutes = offsetMinutes(date, timeZone);
  const abs = Math.abs(minutes);
  const offset = `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return new Date(date.getTime() + minutes * 60_000).toISOString().replace('Z', offset);
}
