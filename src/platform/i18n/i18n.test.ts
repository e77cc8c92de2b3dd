import { describe, expect, it } from 'vitest';
import { ICU_PLURAL as PLURAL, icuArguments as argumentsOf } from './icu-arguments.ts';
import en from './en.json' with { type: 'json' };
import ja from './ja.json' with { type: 'json' };
import { pageLocale, translator } from './index.ts';

/** Parameters that count things: in English they always go through a plural form. */
const COUNTS = ['count', 'attempts', 'created', 'updated', 'sent', 'skipped', 'days', 'assigned', 'hours'];

describe('UI strings', () => {
  it('has the same keys in Japanese and English, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
    for (const table of [ja, en]) {
      for (const [key, value] of Object.entries(table)) expect(value.trim(), key).not.toBe('');
    }
  });

  it('uses the same placeholders in both languages, each a valid ICU message', () => {
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      const names = (text: string, locale: 'ja' | 'en') => [...argumentsOf(text, locale).keys()].sort();
      expect(names(en[key], 'en'), key).toEqual(names(ja[key], 'ja'));
    }
  });

  it('says every English count with a plural form, never "(s)" or "1 people"', () => {
    for (const [key, text] of Object.entries(en)) {
      expect(text, key).not.toMatch(/\(s\)|\(es\)/);
      for (const [name, uses] of argumentsOf(text, 'en')) {
        if (COUNTS.includes(name)) expect([...uses], `${key}: {${name}} must be {${name}, plural, …}`).toEqual([PLURAL]);
      }
    }
    // Japanese has no plural forms: a count is a plain number there.
    for (const [key, text] of Object.entries(ja)) {
      for (const [name, uses] of argumentsOf(text, 'ja')) expect(uses.has(PLURAL), `${key}: {${name}}`).toBe(false);
    }
  });

  it('formats English plurals and Japanese counters', () => {
    const en_ = translator('en');
    expect(en_('home.quizBest', { score: 80, attempts: 1 })).toBe('Best score 80% (1 attempt)');
    expect(en_('home.quizBest', { score: 80, attempts: 2 })).toBe('Best score 80% (2 attempts)');
    expect(en_('users.total', { count: 1 })).toBe('1 person');
    expect(en_('users.total', { count: 1234 })).toBe('1,234 people');
    expect(en_('assign.dueAfter', { days: 1 })).toBe('Within 1 day of joining');
    expect(translator('ja')('users.total', { count: 1 })).toBe('1人');
  });

  it('leaves a missing value visible rather than failing the page', () => {
    expect(translator('en')('home.greeting', {})).toBe('Hello, {name}');
  });

  it('fills placeholders', () => {
    expect(translator('ja')('home.greeting', { name: '佐藤' })).toBe('佐藤さん、こんにちは');
    expect(translator('en')('home.greeting', { name: 'Sato' })).toBe('Hello, Sato');
  });

  it('falls back to the URL when middleware did not run', () => {
    expect(pageLocale({}, new URL('http://x/en/broken')).locale).toBe('en');
    expect(pageLocale({}, new URL('http://x/broken')).locale).toBe('ja');
  });
});
