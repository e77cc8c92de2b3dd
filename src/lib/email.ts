/** Email handling shared by sign-in, the CLI and CSV import. */

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * A deliberately plain check: one @, a dotted domain, no spaces, at most 254 characters.
 * Deliverability is the identity provider's or mail server's business, not ours.
 */
export function isValidEmail(email: string): boolean {
  const value = email.trim();
  if (value.length === 0 || value.length > 254) return false;
  return /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/.test(value);
}
