import { describe, expect, it } from 'vitest';
import { MAX_ID, parseId } from './id.ts';

describe('parseId', () => {
  it('reads a whole positive number up to the largest 32-bit id', () => {
    expect(parseId('1')).toBe(1);
    expect(parseId('2147483647')).toBe(MAX_ID);
  });

  it('refuses anything else: past the range, zero, signs, leading zeros, exponents, blanks', () => {
    for (const text of ['2147483648', '9999999999', '99999999999', '0', '-1', '+1', '01', '1e3', '1.0', ' 1', '', null, undefined]) expect(parseId(text), String(text)).toBeNull();
  });
});
