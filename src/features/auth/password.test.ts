import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, generatePassword, hashPassword, verifyDummyPassword, verifyPassword } from './password.server.ts';

describe('password hashing', () => {
  it('uses argon2id with m=19456 KiB, t=2, p=1', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('salts: the same password hashes differently', async () => {
    expect(await hashPassword('same-password')).not.toBe(await hashPassword('same-password'));
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('パスワードは長めに');
    expect(await verifyPassword(hash, 'パスワードは長めに')).toBe(true);
    expect(await verifyPassword(hash, 'パスワードは長めにx')).toBe(false);
  });

  it('never truncates: passwords differing only at character 250 differ', async () => {
    const base = 'x'.repeat(249);
    const hash = await hashPassword(`${base}a`);
    expect(await verifyPassword(hash, `${base}b`)).toBe(false);
    expect(await verifyPassword(hash, `${base}a`)).toBe(true);
  });

  it('treats a malformed stored hash as a wrong password, not an error', async () => {
    expect(await verifyPassword('not-a-hash', 'whatever')).toBe(false);
  });

  it('the dummy verify for unknown emails always fails', async () => {
    expect(await verifyDummyPassword('manabi-dummy-password-for-timing')).toBe(false);
  });
});

describe('password policy', () => {
  it('accepts 8 to 256 characters, counted as characters, with no composition rules', () => {
    expect(checkPasswordPolicy('abcdefgh')).toBeNull();
    expect(checkPasswordPolicy('abcdefg')).toBe('too_short');
    expect(checkPasswordPolicy('あいうえおかきく')).toBeNull();
    expect(checkPasswordPolicy('🙂'.repeat(256))).toBeNull();
    expect(checkPasswordPolicy('a'.repeat(257))).toBe('too_long');
  });

  it('generates 20-character passwords that pass the policy', () => {
    const a = generatePassword();
    expect(a).toHaveLength(20);
    expect(checkPasswordPolicy(a)).toBeNull();
    expect(generatePassword()).not.toBe(a);
  });
});
