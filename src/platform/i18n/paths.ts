/**
 * URLs per language: Japanese (default) has no prefix, English lives under `/en`.
 * Pages are written once under `src/pages/[...locale]/`.
 */
import { DEFAULT_LOCALE, type Locale } from './locales.ts';

/** `localePath('en', '/home')` → `/en/home`; `localePath('ja', '/home')` → `/home`. */
export function localePath(locale: Locale, path: string): string {
  const clean = path.startsWith('/') ? path : `/${path}`;
  if (locale === DEFAULT_LOCALE) return clean;
  return clean === '/' ? `/${locale}/` : `/${locale}${clean}`;
}

/** The language a path is in, and the path without its language prefix. */
export function splitLocale(pathname: string): { locale: Locale; path: string } {
  const match = /^\/en(?=\/|$)(.*)$/.exec(pathname);
  if (!match) return { locale: DEFAULT_LOCALE, path: pathname || '/' };
  return { locale: 'en', path: match[1] || '/' };
}

/** The same page in another language, query string kept. */
export function switchLocale(url: URL, target: Locale): string {
  const { path } = splitLocale(url.pathname);
  const query = new URLSearchParams(url.search);
  // A form action's marker must not turn a language switch into a re-submission.
  query.delete('_action');
  const search = query.toString();
  return localePath(target, path) + (search ? `?${search}` : '');
}

/** A base no real request has: only used to resolve `next` the way a browser would. */
const NEXT_BASE = new URL('http://manabi.invalid');

/**
 * A same-site path to go to after sign-in, or `fallback`. The answer is what the browser will
 * follow, so the check is made on it, not only on the raw input: `/.//evil.com`, `/..//evil.com`
 * and `/%2e//evil.com` are same-site inputs that normalise to the protocol-relative
 * `//evil.com`. Also refuses absolute URLs, backslashes, and control or space characters
 * (which the URL parser would silently drop or re-encode).
 */
export function safeNextPath(next: string | null | undefined, fallback: string): string {
  if (!next || next.length > 2048 || !next.startsWith('/') || /[\\\p{Cc}\p{Z}]/u.test(next)) return fallback;
  const path = normalizedPath(next);
  // Parsing the answer again must give the answer back: what the browser resolves is what was checked.
  if (path === null || normalizedPath(path) !== path) return fallback;
  return path;
}

/** `path` resolved against the site, as path + query + fragment, or null when it leaves the site or is not a plain path. */
function normalizedPath(path: string): string | null {
  let url: URL;
  try {
    url = new URL(path, NEXT_BASE);
  } catch {
    return null;
  }
  if (url.origin !== NEXT_BASE.origin) return null;
  const out = url.pathname + url.search + url.hash;
  // One slash and then a path segment: `//host` and `/\host` are addresses of other sites.
  if (!out.startsWith('/') || out.startsWith('//') || out.startsWith('/\\')) return null;
  return out;
}

export function lessonPath(locale: Locale, courseId: string, lessonId: string): string {
  return localePath(locale, `/learn/${courseId}/${lessonId}`);
}

export function coursePath(locale: Locale, courseId: string): string {
  return localePath(locale, `/learn/${courseId}`);
}

export function tierPath(locale: Locale, tierId: string): string {
  return localePath(locale, `/tiers/${tierId}`);
}

export function quizPath(locale: Locale, quizId: string): string {
  return localePath(locale, `/quiz/${quizId}`);
}

export function attemptPath(locale: Locale, quizId: string, attemptId: string): string {
  return localePath(locale, `/quiz/${quizId}/attempts/${attemptId}`);
}

export function certificatePath(locale: Locale, code: string): string {
  return localePath(locale, `/certificates/${code}`);
}

export function verifyPath(locale: Locale, code: string): string {
  return localePath(locale, `/verify/${code}`);
}

/**
 * The verification address printed on a certificate and in its QR code: on SITE_URL, like the
 * one-time sign-in links, never the request's own URL (plain http behind a TLS proxy, and a
 * Host header the client chooses).
 */
export function verifyUrl(locale: Locale, code: string, siteUrl: string): string {
  return new URL(verifyPath(locale, code), siteUrl).href;
}
