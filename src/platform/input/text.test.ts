import { describe, expect, it } from 'vitest';
import { hasInvisibleCharacters, normalizeDisplayName } from './text.ts';

describe('hasInvisibleCharacters', () => {
  it('allows a variation selector after a kanji or an emoji, and the joiner inside an emoji', () => {
    expect(hasInvisibleCharacters('辻\uFE00 太郎')).toBe(false);
    expect(hasInvisibleCharacters('❤\uFE0F')).toBe(false);
    expect(hasInvisibleCharacters('👩\u200D💻')).toBe(false);
  });

  it('refuses a variation selector after white space: trimmed, it would stand first and invisible', () => {
    for (const value of [' \uFE0F', '\u3000\uFE0F名前', '名前 \uFE0E', '\t\u{E0100}']) {
      expect(hasInvisibleCharacters(value), JSON.stringify(value)).toBe(true);
    }
    // What a name field stores after the check must pass the same check (the SCIM property test found ' \uFE0F').
    expect(hasInvisibleCharacters(normalizeDisplayName(' \uFE0F'))).toBe(true);
  });

  it('refuses zero-width, bidi and control characters', () => {
    for (const value of ['a\u200Bb', 'a\u202Eb', '\uFEFFa', 'a\u0007', 'a\u2800']) expect(hasInvisibleCharacters(value), JSON.stringify(value)).toBe(true);
  });
});
