/**
 * Email addresses: one normaliser and one check for every way an address enters Manabi —
 * sign-in, user creation (CLI and admin), CSV import, single sign-on — and for every comparison.
 * NFKC first, so the full-width `ｌｅａｒｎｅｒ@ｍａｎａｂｉ.example` is the same address as
 * `learner@manabi.example`; then trimmed and lower-cased. Stored only in this form.
 */

export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

/** Local part and domain in printable ASCII (international domains in their `xn--` form). */
const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;

/**
 * What a spreadsheet reads as the start of a formula (CSV injection), also in full width.
 * Exports escape such cells; an address may not start with one at all, since every export
 * carries the email.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * A deliberately plain check of the normalised address: one @, a dotted domain, at most 254
 * characters, no formula character first. Deliverability is the identity provider's or mail
 * server's business; look-alikes are ours, so anything outside ASCII after NFKC (a Cyrillic `а`
 * for a Latin `a`, an invisible character) is refused.
 */
export function isValidEmail(email: string): boolean {
  if (FORMULA_START.test(email.trim())) return false;
  const value = normalizeEmail(email);
  return value.length > 0 && value.length <= 254 && !FORMULA_START.test(value) && EMAIL.test(value);
}

/**
 * A valid address exactly as given, with nothing to normalise but letter case: no space, line
 * break or character outside the pattern, so it cannot break out of a header such as `<mailto:…>`.
 */
export function isPlainEmail(email: string): boolean {
  return isValidEmail(email) && EMAIL.test(email.toLowerCase());
}
