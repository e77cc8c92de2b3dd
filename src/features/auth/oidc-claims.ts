/**
 * From an OpenID Connect ID token's claims to a Manabi identity: email, name, department and
 * role, by the configured claim names and group lists; and whether the sign-in used a second
 * factor. Pure, so every mapping rule is unit-tested.
 */
import type { Role } from '../users/roles.ts';
import { isValidEmail, normalizeEmail } from '../../platform/input/email.ts';
import { hasInvisibleCharacters, normalizeDisplayName, normalizeName } from '../../platform/input/text.ts';

export interface ClaimMapping {
  email: string;
  name: string;
  /** Claim holding the department name; null leaves departments to Manabi's admins. */
  department: string | null;
  /** Claim holding the group list; null leaves roles to Manabi's admins. */
  groups: string | null;
  adminGroups: string[];
  championGroups: string[];
}

export interface SsoIdentity {
  subject: string;
  email: string;
  displayName: string;
  /** Undefined when the provider does not manage departments (no claim configured or sent). */
  department: string | null | undefined;
  /** Undefined when the provider does not manage roles (no group claim configured). */
  role: Role | undefined;
}

export type ClaimProblem = 'no_subject' | 'no_email' | 'email_unverified' | 'invisible_characters';

/**
 * A name from a claim as Manabi stores it (a person's name as given, a department NFKC; see
 * src/platform/input/text.ts), at most `max` characters, or null when empty or not text.
 */
function text(value: unknown, max: number, normalize: (value: string) => string): string | null {
  if (typeof value !== 'string') return null;
  const name = [...normalize(value)].slice(0, max).join('');
  return name.length === 0 ? null : name;
}

/** Group claims come as an array of strings, or (some providers) one comma-separated string. */
export function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value === 'string')
    return value
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
  return [];
}

export function roleFromGroups(groups: string[], mapping: Pick<ClaimMapping, 'adminGroups' | 'championGroups'>): Role {
  if (groups.some((g) => mapping.adminGroups.includes(g))) return 'admin';
  if (groups.some((g) => mapping.championGroups.includes(g))) return 'champion';
  return 'learner';
}

export function identityFromClaims(claims: Record<string, unknown>, mapping: ClaimMapping): { identity: SsoIdentity } | { problem: ClaimProblem } {
  // The subject is an opaque identifier: never Unicode-normalised (two different ones must not become one).
  const subject = text(claims.sub, 255, (value) => value.trim().replace(/\s+/g, ' '));
  if (!subject) return { problem: 'no_subject' };
  const rawEmail = claims[mapping.email];
  const email = typeof rawEmail === 'string' ? normalizeEmail(rawEmail) : null;
  if (!email || !isValidEmail(email)) return { problem: 'no_email' };
  // Corporate providers vouch for their addresses; an explicit "not verified" is refused.
  if (claims.email_verified === false) return { problem: 'email_unverified' };
  // A name or department that hides characters is refused, as it is in Manabi's own forms.
  const shown = [claims[mapping.name], mapping.department === null ? undefined : claims[mapping.department]];
  if (shown.some((value) => typeof value === 'string' && hasInvisibleCharacters(value))) return { problem: 'invisible_characters' };
  const displayName = text(claims[mapping.name], 100, normalizeDisplayName) ?? email.split('@')[0]!;
  let department: string | null | undefined;
  if (mapping.department !== null && mapping.department in claims) department = text(claims[mapping.department], 100, normalizeName);
  const role = mapping.groups === null ? undefined : roleFromGroups(groupsOf(claims[mapping.groups]), mapping);
  return { identity: { subject, email, displayName, department, role } };
}

/** True when `amr` names a second factor (or several methods), or `acr` is one that implies it. */
export function hasSecondFactor(claims: Record<string, unknown>, accepted: { amr: string[]; acr: string[] }): boolean {
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : [];
  if (amr.some((method) => accepted.amr.includes(method))) return true;
  const acr = typeof claims.acr === 'string' ? claims.acr : null;
  return acr !== null && accepted.acr.includes(acr);
}
