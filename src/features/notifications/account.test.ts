import { describe, expect, it } from 'vitest';
import { MANDATORY_KINDS, optionalKindsFor, parseKindsParam } from './account.ts';

describe('the kinds a user decides', () => {
  it('gives each role its optional kinds: the check-in for all, the weekly digest to champions, the monthly summary to admins', () => {
    expect(optionalKindsFor('learner')).toEqual(['check-in']);
    expect(optionalKindsFor('champion')).toEqual(['check-in', 'champion-weekly']);
    expect(optionalKindsFor('admin')).toEqual(['check-in', 'admin-monthly']);
  });

  it('names every other kind mandatory', () => {
    expect(MANDATORY_KINDS).toEqual(['overdue', 'policy', 'due-soon', 'certificate-expiring', 'renewal-opened', 'assignment-new']);
  });

  it('reads ?kinds= as optional kinds only, once each, whatever else it names', () => {
    expect(parseKindsParam('check-in,champion-weekly')).toEqual(['check-in', 'champion-weekly']);
    expect(parseKindsParam('admin-monthly,check-in,check-in')).toEqual(['check-in', 'admin-monthly']);
    expect(parseKindsParam('overdue,policy,bogus,')).toEqual([]);
    expect(parseKindsParam('')).toEqual([]);
    expect(parseKindsParam(null)).toEqual([]);
  });
});
