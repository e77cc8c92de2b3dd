import { describe, expect, it } from 'vitest';
import { ICU_PLURAL as PLURAL, icuArguments as argumentsOf } from '../../platform/i18n/icu-arguments.ts';
import { notificationMessages, notificationText } from './strings.ts';

const COUNTS = ['count', 'days', 'hours'];

describe('notification strings', () => {
  const { ja, en } = notificationMessages;

  it('has the same keys and placeholders in Japanese and English, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ja).sort());
    for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
      expect(ja[key].trim(), key).not.toBe('');
      expect([...argumentsOf(en[key], 'en').keys()].sort(), key).toEqual([...argumentsOf(ja[key], 'ja').keys()].sort());
    }
  });

  it('says every English count with a plural form; Japanese has none', () => {
    for (const [key, text] of Object.entries(en)) {
      for (const [name, uses] of argumentsOf(text, 'en')) if (COUNTS.includes(name)) expect([...uses], `${key}: {${name}}`).toEqual([PLURAL]);
    }
    for (const [key, text] of Object.entries(ja)) {
      for (const [name, uses] of argumentsOf(text, 'ja')) expect(uses.has(PLURAL), `${key}: {${name}}`).toBe(false);
    }
  });

  it('writes polite Japanese (です・ます) and full-width punctuation', () => {
    const sentences = Object.entries(ja).filter(([, text]) => text.endsWith('。'));
    expect(sentences.length).toBeGreaterThan(10);
    for (const [key, text] of sentences) expect(text, key).toMatch(/(です|ます|ました|でした|ません|ください)(（[^）]*）)?。$/);
    for (const [key, text] of Object.entries(ja)) expect(text, key).not.toMatch(/[^\x20-\x7e]:|\(|\)/);
  });

  it('formats counts in each language', () => {
    expect(notificationText('en')('overdue.item', { tier: 'Basic', due: 'x', days: 1 })).toContain('(1 day ago)');
    expect(notificationText('en')('champion.people', { count: 1 })).toBe('1 person');
    expect(notificationText('en')('champion.people', { count: 2 })).toBe('2 people');
    expect(notificationText('ja')('champion.people', { count: 2 })).toBe('2人');
  });
});
