/**
 * UI strings per language, one JSON file each (keys must match; a unit test checks).
 * Middleware puts a translator on `locals.t` for the request's language.
 * Strings are ICU messages (intl-messageformat): `{name}` fills a value, English counts use
 * `{count, plural, one {# lesson} other {# lessons}}`; Japanese has no plural forms.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import type { Locale } from './locales.ts';
import en from './en.json' with { type: 'json' };
import ja from './ja.json' with { type: 'json' };

export type MessageKey = keyof typeof ja;
export type Translator = (key: MessageKey, params?: Record<string, string | number>) => string;

export const messages: Record<Locale, Record<MessageKey, string>> = { ja, en };

/** Compiled messages, per language and key: parsing is the costly part, formatting is cheap. */
const compiled: Record<Locale, Map<string, IntlMessageFormat>> = { ja: new Map(), en: new Map() };

/** Formats one ICU message; a missing value leaves its `{name}` in place rather than throwing. */
export function formatMessage(locale: Locale, text: string, params: Record<string, string | number>, cacheKey: string = text): string {
  let message = compiled[locale].get(cacheKey);
  if (!message) {
    message = new IntlMessageFormat(text, locale === 'ja' ? 'ja-JP' : 'en-GB');
    compiled[locale].set(cacheKey, message);
  }
  try {
    return String(message.format(params));
  } catch {
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  }
}

export function translator(locale: Locale): Translator {
  const table = messages[locale];
  return (key, params) => {
    const text = table[key] ?? messages.ja[key] ?? key;
    if (!params) return text;
    return formatMessage(locale, text, params, key);
  };
}

/** Language names, always written in their own language. */
export const LANGUAGE_NAMES: Record<Locale, string> = { ja: '日本語', en: 'English' };

/**
 * The page's language and translator. Middleware normally sets both; error pages can render
 * when it did not (an exception before it ran), so fall back to the URL.
 */
export function pageLocale(locals: { locale?: Locale | undefined; t?: Translator | undefined }, url: URL): { locale: Locale; t: Translator } {
  const locale = locals.locale ?? (/^\/en(?:\/|$)/.test(url.pathname) ? 'en' : 'ja');
  return { locale, t: locals.t ?? translator(locale) };
}

/** An action's error message, translated when it is a message key (e.g. `text.invisible.name`), else as it is. */
export function errorText(t: Translator, message: string): string {
  return message in messages.ja ? t(message as MessageKey) : message;
}

/** A form's field errors: the translated messages that are message keys, else the names of the fields. */
export function fieldErrorsText(t: Translator, fields: Record<string, string[] | undefined>): string {
  const known = Object.values(fields).flatMap((list) => (list ?? []).filter((m) => m in messages.ja).map((m) => t(m as MessageKey)));
  return known.length > 0 ? [...new Set(known)].join(' ') : Object.keys(fields).join(', ');
}
