/**
 * This feature's strings, one JSON file per language like src/platform/i18n (ICU messages, the same
 * keys in both; strings.test.ts checks). Kept beside the feature so the parallel
 * reorganisation of the app's string files cannot conflict with them.
 */
import type { Locale } from './external.ts';
import { formatMessage } from './external.ts';
import en from './i18n/en.json' with { type: 'json' };
import ja from './i18n/ja.json' with { type: 'json' };

export type NotificationMessageKey = keyof typeof ja;
export type NotificationText = (key: NotificationMessageKey, params?: Record<string, string | number>) => string;

export const notificationMessages: Record<Locale, Record<NotificationMessageKey, string>> = { ja, en };

export function notificationText(locale: Locale): NotificationText {
  const table = notificationMessages[locale];
  return (key, params) => {
    const text = table[key];
    if (!params) return text;
    // The cache key keeps these apart from the app's own messages of the same name.
    return formatMessage(locale, text, params, `notifications:${key}`);
  };
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', options);
    numberFormats.set(key, format);
  }
  return format;
}

/** 0.625 → 62.5% (rates are fractions). */
export function formatPercent(value: number, locale: Locale): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

/** Names as one list: 佐藤、鈴木、田中 / Sato, Suzuki, Tanaka. */
export function formatList(items: readonly string[], locale: Locale): string {
  return new Intl.ListFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', { style: 'short', type: 'unit' }).format(items);
}
