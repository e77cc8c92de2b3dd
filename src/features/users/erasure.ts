/**
 * Erasing a person's personal data (a data-subject request), the pure part: the pseudonym and
 * the placeholder address an erased user gets, both derived from their opaque `publicId` (so
 * they are stable and name the same person as the exports and xAPI do), and the redaction of
 * text that named them (the audit log's labels and details). The write is
 * src/features/users/erasure.server.ts; the README's "Retention and erasure" says what is kept.
 */

/** What replaces free text the person wrote that must keep a value (a practice answer). */
export const ERASED_TEXT = '[erased]';

/** Four characters of the public id: enough to tell erased people apart on a page, the same in every export. */
export function erasureTag(publicId: string): string {
  return publicId.slice(0, 4).toUpperCase();
}

/** The stored display name of an erased user (pages in English show `users.erasedName` instead). */
export function erasedDisplayName(publicId: string): string {
  return `削除済みユーザー ${erasureTag(publicId)}`;
}

/**
 * The stored email of an erased user: unique (the public id is) and never an address anyone can
 * use. `invalid` is a reserved top-level domain (RFC 2606) and, having no dot, the address fails
 * src/platform/input/email.ts `isValidEmail`: the sign-in form, the admin's form, the CSV import,
 * the CLI and single sign-on all refuse it before looking anyone up.
 */
export function erasedEmail(publicId: string): string {
  return `erased-${publicId}@invalid`;
}

/** What the redaction looks for and what it puts in its place. */
export interface Redaction {
  /** Every address the person had (compared case-insensitively), replaced by `email`. */
  emails: string[];
  /** Every name the person had (as written), replaced by `name`. */
  names: string[];
  /** Other identifiers (the single sign-on subject), replaced by `ERASED_TEXT`. */
  identifiers: string[];
  email: string;
  name: string;
}

/**
 * Shorter names are replaced only where they are the whole value: inside other text a one- or
 * two-character name (李, 王 明) is too likely to be part of something else.
 */
const MIN_SUBSTRING_LENGTH = 3;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Rule {
  find: string;
  replace: string;
  caseless: boolean;
}

function rulesOf(redaction: Redaction): Rule[] {
  const rules: Rule[] = [
    ...redaction.emails.map((find) => ({ find, replace: redaction.email, caseless: true })),
    ...redaction.names.map((find) => ({ find, replace: redaction.name, caseless: false })),
    ...redaction.identifiers.map((find) => ({ find, replace: ERASED_TEXT, caseless: false })),
  ].filter((rule) => rule.find.trim() !== '' && rule.find !== rule.replace);
  // Longest first: an address that contains the name is replaced as an address.
  return rules.sort((a, b) => b.find.length - a.find.length);
}

/** `text` with every occurrence of the person's addresses, names and identifiers replaced. */
export function redactText(text: string, redaction: Redaction): string {
  let result = text;
  for (const rule of rulesOf(redaction)) {
    const whole = rule.caseless ? result.trim().toLowerCase() === rule.find.trim().toLowerCase() : result.trim() === rule.find.trim();
    if (whole) return rule.replace;
    if ([...rule.find].length < MIN_SUBSTRING_LENGTH) continue;
    result = result.replace(new RegExp(escapeRegExp(rule.find), rule.caseless ? 'gi' : 'g'), () => rule.replace);
  }
  return result;
}

/** A JSON value with `redactText` applied to every string in it (keys are field names, kept). */
export function redactJson(value: unknown, redaction: Redaction): unknown {
  if (typeof value === 'string') return redactText(value, redaction);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, redaction));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactJson(inner, redaction)]));
  }
  return value;
}

/**
 * The strings under `keys` anywhere in a JSON value: the names and addresses an audit row about
 * the person recorded (`email`, `name`, `displayName`, and the `from`/`to` of a change to them).
 */
export function valuesUnder(value: unknown, keys: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const walk = (node: unknown, key: string | null): void => {
    if (typeof node === 'string') {
      if (key !== null && keys.has(key)) found.push(node);
      return;
    }
    if (Array.isArray(node)) {
      for (const item of node) walk(item, key);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [inner, child] of Object.entries(node)) {
      // `{ email: { from, to } }`: the change's values belong to the field above them.
      walk(child, (inner === 'from' || inner === 'to') && key !== null ? key : inner);
    }
  };
  walk(value, null);
  return found;
}
