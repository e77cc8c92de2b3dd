/**
 * Password hashing with argon2id at the OWASP baseline (m=19456 KiB, t=2, p=1).
 * Policy: 8–256 characters, no composition rules, never truncated.
 */
import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { z } from 'astro/zod';

/** `Algorithm.Argon2id`; the package declares it as a `const enum`, which isolated modules cannot inline. */
const ARGON2ID = 2;

export const PASSWORD_HASH_OPTIONS = {
  algorithm: ARGON2ID,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, PASSWORD_HASH_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash must read as "wrong password", never as a server error.
    return false;
  }
}

/** A hash of a random password, verified against when the email is unknown so both paths cost the same. */
let dummyHash: Promise<string> | null = null;
export async function verifyDummyPassword(password: string): Promise<false> {
  dummyHash ??= hashPassword('manabi-dummy-password-for-timing');
  await verifyPassword(await dummyHash, password);
  return false;
}

export type PasswordProblem = 'too_short' | 'too_long' | 'common';

let common: Set<string> | null = null;
/** The bundled list of common passwords (zxcvbn-ts's ~49,000), loaded on first use. */
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return common;
}

/** Counts characters (code points), not UTF-16 units or bytes; refuses well-known passwords, whatever their case. */
export function checkPasswordPolicy(password: string): PasswordProblem | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  if (commonPasswords().has(password.toLowerCase())) return 'common';
  return null;
}

/** The form field of a new password (a sign-in link's, a password change's): the policy above, as messages. */
export const newPasswordField = z
  .string('password.tooShort')
  .min(PASSWORD_MIN_LENGTH, 'password.tooShort')
  .max(PASSWORD_MAX_LENGTH, 'password.tooLong')
  .refine((p) => checkPasswordPolicy(p) !== 'common', 'password.common');

/** A random password for generated accounts: 20 characters from an unambiguous alphabet (~100 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = new Uint8Array(20);
  const out: string[] = [];
  while (out.length < 20) {
    crypto.getRandomValues(bytes);
    for (const b of bytes) {
      // Rejection sampling keeps every character equally likely.
      if (b < 256 - (256 % alphabet.length) && out.length < 20) out.push(alphabet[b % alphabet.length]!);
    }
  }
  return out.join('');
}
