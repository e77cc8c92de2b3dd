/**
 * Every address a notification carries, built from SITE_URL (never from a request), and the
 * identifiers derived from the site's domain. No link carries a password or a sign-in token:
 * the pages ask the reader to sign in as usual. The one secret, the unsubscribe token, goes
 * only into the List-Unsubscribe header, never into a body.
 */
import { createHash } from 'node:crypto';
import type { Locale } from './external.ts';
import { localePath } from './external.ts';
import type { OptionalKind } from './model.ts';

/** SITE_URL as a base: http(s), no user or password, no query or fragment. */
export function siteBase(siteUrl: string): URL {
  let url: URL;
  try {
    url = new URL(siteUrl);
  } catch {
    throw new RangeError(`SITE_URL is not a URL: ${JSON.stringify(siteUrl)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RangeError('SITE_URL must be an http or https URL');
  if (url.username || url.password || url.search || url.hash) throw new RangeError('SITE_URL must not carry a user, password, query or fragment');
  return url;
}

/** An absolute URL of `path` on the site, under SITE_URL's own path if it has one. */
export function siteLink(siteUrl: string, path: string): string {
  const base = siteBase(siteUrl);
  base.pathname = base.pathname.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
  return base.href;
}

const segment = (id: string): string => encodeURIComponent(id);

/** The pages notifications point to, in the reader's language. `/policies/<id>` is issue 14's page. */
export const pages = {
  tier: (locale: Locale, tierId: string): string => localePath(locale, `/tiers/${segment(tierId)}`),
  policy: (locale: Locale, policyId: string): string => localePath(locale, `/policies/${segment(policyId)}`),
  checkIn: (locale: Locale): string => localePath(locale, '/home'),
  champion: (locale: Locale): string => localePath(locale, '/champion'),
  admin: (locale: Locale): string => localePath(locale, '/admin'),
  account: (locale: Locale): string => localePath(locale, '/account'),
} as const;

/** `<hash@domain>`: the same idempotency key always gives the same Message-ID, so a re-send after a crash is recognisably the same message. */
export function messageIdFor(key: string, siteUrl: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 40);
  return `<${hash}@${siteBase(siteUrl).hostname}>`;
}

/** At least 128 bits in base64url (22 characters): a token that cannot be guessed. */
const TOKEN = /^[A-Za-z0-9_-]{22,128}$/;

/**
 * The one-click unsubscribe address for the optional kinds in a message (the server checks the
 * token and the kinds), in the reader's language: a mail client that opens it shows that page.
 */
export function unsubscribeUrl(siteUrl: string, token: string, kinds: readonly OptionalKind[], locale: Locale): string {
  if (!TOKEN.test(token)) throw new RangeError('The unsubscribe token must be 22 to 128 base64url characters (at least 128 random bits)');
  const url = new URL(siteLink(siteUrl, localePath(locale, `/unsubscribe/${token}`)));
  url.searchParams.set('kinds', kinds.join(','));
  return url.href;
}
