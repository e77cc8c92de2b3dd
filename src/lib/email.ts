/** Email handling shared by sign-in, the CLI and CSV import. */

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * What a spreadsheet reads as the start of a formula (CSV injection), also in full width.
 * Exports escape such cells; an address may not start with one at all, since every export
 * carries the email.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * A deliberately plain check: one @, a dotted domain, no spaces, at most 254 characters,
 * and no formula character first. Deliverability is the identity provider's or mail
 * server's business, not ours.
 */
export function isValidEmail(email: string): boolean {
  const value = email.trim();
  if (value.length === 0 || value.length > 254 || FORMULA_START.test(value)) return false;
  return /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/.test(value);
}
