/** Calendar dates in the company's time zone (not the server's). */

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DD` of `date` in `timeZone`. */
export function dayKey(date: Date, timeZone: string): string {
  let format = dayFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(timeZone, format);
  }
  return format.format(date);
}

/** A date for people: 2026年11月27日 / 27 November 2026. */
export function formatDate(date: Date, locale: 'ja' | 'en', timeZone: string): string {
  return new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', { timeZone, dateStyle: 'long' }).format(date);
}

/** A date and time for people: 2026/11/27 18:05 / 27 Nov 2026, 18:05. */
export function formatDateTime(date: Date, locale: 'ja' | 'en', timeZone: string): string {
  return new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(date);
}
