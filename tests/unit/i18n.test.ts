import { describe, expect, it } from 'vitest';
import en from '../../src/lib/i18n/en.json' with { type: 'json' };
import ja from '../../src/lib/i18n/ja.json' with { type: 'json' };
import { pageLocale, translator } from '../../src/lib/i18n/index.ts';

describe('UI strings', () => {
  it('has the same keys in Japanese and English, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
    for (const table of [ja, en]) {
      for (const [key, value] of Object.entries(table)) expect(value.trim(), key).not.toBe('');
    }
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(ja[key]));
    }
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
