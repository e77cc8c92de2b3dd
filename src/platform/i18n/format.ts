/** Numbers for people, in the page's language. */
import type { Locale } from './locales.ts';

export type Unit = 'rate' | 'percent' | 'hours' | 'count' | 'rating';

const numberFormats = new Map<string, Intl.NumberFormat>();
function nf(locale: Locale, digits: number): Intl.NumberFormat {
  const key = `${locale}/${digits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    numberFormats.set(key, format);
  }
  return format;
}

/** rate: a fraction shown as %, percent: already in %, hours, count, rating (out of 5). */
export function formatValue(value: number | null, unit: Unit, locale: Locale): string {
  if (value === null || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'rate':
      return `${nf(locale, 1).format(value * 100)}%`;
    case 'percent':
      return `${nf(locale, 1).format(value)}%`;
    case 'hours':
      return locale === 'ja' ? `${nf(locale, 1).format(value)}時間` : `${nf(locale, 1).format(value)} h`;
    case 'rating':
      return `${nf(locale, 2).format(value)} / 5`;
    default:
      return nf(locale, 0).format(value);
  }
}

/** A signed change: rates in percentage points. */
export function formatChange(change: number | null, unit: Unit, locale: Locale): string {
  if (change === null || !Number.isFinite(change)) return '—';
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±';
  const magnitude = Math.abs(change);
  if (unit === 'rate') return `${sign}${nf(locale, 1).format(magnitude * 100)}${locale === 'ja' ? 'ポイント' : ' pt'}`;
  return `${sign}${formatValue(magnitude, unit, locale)}`;
}
