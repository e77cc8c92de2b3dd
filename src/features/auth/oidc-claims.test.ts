import { describe, expect, it } from 'vitest';
import { groupsOf, hasSecondFactor, identityFromClaims, roleFromGroups, type ClaimMapping } from './oidc-claims.ts';

const mapping: ClaimMapping = {
  email: 'email',
  name: 'name',
  department: 'department',
  groups: 'groups',
  adminGroups: ['manabi-admins'],
  championGroups: ['manabi-champions', 'ai-champions'],
};

describe('identityFromClaims', () => {
  it('maps email (lower-cased), name (as given, trimmed), department (NFKC) and role from the configured claims', () => {
    const result = identityFromClaims(
      { sub: 'abc', email: ' Tanaka@Example.CO.JP ', name: ' 田中　①髙ｶﾅ ', department: 'ＩＴ 営業部', groups: ['staff', 'ai-champions'] },
      mapping,
    );
    expect(result).toEqual({ identity: { subject: 'abc', email: 'tanaka@example.co.jp', displayName: '田中　①髙ｶﾅ', department: 'IT 営業部', role: 'champion' } });
  });

  it('uses other claim names when configured (e.g. Entra ID’s preferred_username and roles)', () => {
    const result = identityFromClaims(
      { sub: 'x', preferred_username: 'sato@example.co.jp', name: '佐藤', roles: ['manabi-admins'] },
      { ...mapping, email: 'preferred_username', department: null, groups: 'roles' },
    );
    expect(result).toEqual({ identity: { subject: 'x', email: 'sato@example.co.jp', displayName: '佐藤', department: undefined, role: 'admin' } });
  });

  it('leaves role and department to Manabi when the provider does not manage them', () => {
    const result = identityFromClaims({ sub: 'x', email: 'a@example.com' }, { ...mapping, groups: null });
    expect(result).toEqual({ identity: { subject: 'x', email: 'a@example.com', displayName: 'a', department: undefined, role: undefined } });
  });

  it('refuses claims without a subject, without a usable email, or with an unverified one', () => {
    expect(identityFromClaims({ email: 'a@example.com' }, mapping)).toEqual({ problem: 'no_subject' });
    expect(identityFromClaims({ sub: 'x', email: 'not-an-email' }, mapping)).toEqual({ problem: 'no_email' });
    expect(identityFromClaims({ sub: 'x' }, mapping)).toEqual({ problem: 'no_email' });
    expect(identityFromClaims({ sub: 'x', email: 'a@example.com', email_verified: false }, mapping)).toEqual({ problem: 'email_unverified' });
  });
});

describe('roles from groups', () => {
  it('gives admin over champion over learner, and reads comma-separated group strings', () => {
    expect(roleFromGroups(['ai-champions', 'manabi-admins'], mapping)).toBe('admin');
    expect(roleFromGroups(['manabi-champions'], mapping)).toBe('champion');
    expect(roleFromGroups(['staff'], mapping)).toBe('learner');
    expect(groupsOf('staff, manabi-admins')).toEqual(['staff', 'manabi-admins']);
    expect(groupsOf([1, 'a', null])).toEqual(['a']);
    expect(groupsOf(undefined)).toEqual([]);
  });
});

describe('hasSecondFactor', () => {
  const accepted = { amr: ['mfa', 'otp', 'hwk'], acr: ['urn:example:mfa'] };
  it('accepts a second factor in amr, or an acr that implies one', () => {
    expect(hasSecondFactor({ amr: ['pwd', 'otp'] }, accepted)).toBe(true);
    expect(hasSecondFactor({ amr: ['pwd'], acr: 'urn:example:mfa' }, accepted)).toBe(true);
  });
  it('refuses a password alone, a missing amr, or an amr that is not a list', () => {
    expect(hasSecondFactor({ amr: ['pwd'] }, accepted)).toBe(false);
    expect(hasSecondFactor({}, accepted)).toBe(false);
    expect(hasSecondFactor({ amr: 'otp' }, accepted)).toBe(false);
  });
});
