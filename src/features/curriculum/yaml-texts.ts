/**
 * The human-readable strings of the curriculum's YAML files, with the language each is written in,
 * so `npm run content:lint` can check them with the same terminology dictionary as the lessons.
 */
import type { Locale } from '../../platform/i18n/locales.ts';

export interface YamlText {
  /** Where the string sits in the file, e.g. `objectives.ja[2]` or `questions[3].options[1].text`. */
  where: string;
  locale: Locale;
  text: string;
}

/** Keys of quiz YAML whose values are text shown to learners (ids, flags and numbers are not). */
const QUIZ_TEXT_KEYS = new Set(['title', 'prompt', 'text', 'explanation', 'note']);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Tier and course files: both languages in one file, each text under a `ja:` or `en:` key
 * (a string, or a list of strings for objectives).
 */
export function localizedTexts(data: unknown, where = ''): YamlText[] {
  if (Array.isArray(data)) return data.flatMap((item, i) => localizedTexts(item, `${where}[${i}]`));
  if (!isRecord(data)) return [];
  return Object.entries(data).flatMap(([key, value]) => {
    const path = where ? `${where}.${key}` : key;
    if (key !== 'ja' && key !== 'en') return localizedTexts(value, path);
    const strings = typeof value === 'string' ? [[path, value]] : Array.isArray(value) ? value.map((v, i) => [`${path}[${i}]`, v]) : [];
    return strings.filter((entry): entry is [string, string] => typeof entry[1] === 'string').map(([p, text]) => ({ where: p, locale: key, text }));
  });
}

/** Quiz files: one language per file (the folder), text under title/prompt/text/explanation. */
export function quizTexts(data: unknown, locale: Locale, where = ''): YamlText[] {
  if (Array.isArray(data)) return data.flatMap((item, i) => quizTexts(item, locale, `${where}[${i}]`));
  if (!isRecord(data)) return [];
  return Object.entries(data).flatMap(([key, value]) => {
    const path = where ? `${where}.${key}` : key;
    if (typeof value === 'string') return QUIZ_TEXT_KEYS.has(key) ? [{ where: path, locale, text: value }] : [];
    return quizTexts(value, locale, path);
  });
}
