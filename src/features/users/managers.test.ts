import { describe, expect, it } from 'vitest';
import { reportingCycle } from './managers.ts';

const lines =
  (pairs: Record<string, string>) =>
  (key: string): string | null =>
    pairs[key] ?? null;

describe('reportingCycle', () => {
  it('finds none for a plain chain up to the top', () => {
    expect(reportingCycle('a', 'b', lines({ b: 'c', c: 'd' }))).toBeNull();
  });

  it('finds the person themself as their manager', () => {
    expect(reportingCycle('a', 'a', lines({}))).toEqual(['a', 'a']);
  });

  it('finds a two-person and a longer loop back to the person', () => {
    expect(reportingCycle('a', 'b', lines({ b: 'a' }))).toEqual(['a', 'b', 'a']);
    expect(reportingCycle('a', 'b', lines({ b: 'c', c: 'd', d: 'a' }))).toEqual(['a', 'b', 'c', 'd', 'a']);
  });

  it('stops on a loop above the person that does not involve them', () => {
    expect(reportingCycle('a', 'b', lines({ b: 'c', c: 'd', d: 'c' }))).toBeNull();
  });

  it('treats a chain longer than the limit as a cycle, and stops there', () => {
    let calls = 0;
    const endless = (key: number): number => {
      calls++;
      return key + 1;
    };
    expect(reportingCycle(0, 1, endless, 50)).toHaveLength(51);
    expect(calls).toBeLessThanOrEqual(50);
    expect(reportingCycle(0, 1, (k) => (k < 40 ? k + 1 : null), 50)).toBeNull();
  });
});
