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

/**
 * A same-site path to go to after sign-in, or `fallback`. Refuses absolute URLs,
 * protocol-relative `//host`, backslash tricks and anything that leaves the origin.
 */
export function safeNextPath(next: string | null | undefined, fallback: string): string {
  if (!next || next.length > 2048 || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) {
    return fallback;
  }
  try {
    const base = new URL('http://manabi.invalid');
    const url = new URL(next, base);
    if (url.origin !== base.origin) return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
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
