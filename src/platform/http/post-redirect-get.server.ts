/**
 * Post/redirect/get for every form action, in one place (Astro's "persist action results"
 * pattern with `getActionContext`): a form posted to a page (`?_action=…`) is run here, its
 * answer (data, or error with the submitted input) is stored for one redirect
 * (src/platform/http/form-results.server.ts), and the browser is sent 303 to the page without
 * `?_action`, with `#post-result`; that GET renders the answer once. A reload then shows the
 * page afresh and never posts again. Calls to `/_actions/…` (JSON answers) are left to Astro.
 *
 * Answered on the POST itself, as before: "try again later" answers (429 throttled, 503 storage
 * unavailable: their status and Retry-After matter, a reload is the retry, and a database that
 * cannot store the input cannot store the redirect either), other server faults, and an answer
 * too big to keep. Those pages re-render with the input from the request.
 */
import { getActionContext } from 'astro:actions';
import { defineMiddleware } from 'astro:middleware';
import { LOCALE_ROUTE_PREFIX } from '../../features/auth/access.ts';
import { storableInput } from './form-input.ts';
import { attemptPath, localePath, safeNextPath, splitLocale } from '../i18n/paths.ts';
import { POST_RESULT_ID } from './post-result.ts';
import {
  isCookieHandle,
  openCookieResult,
  pathHash,
  RESULT_TTL_MS,
  saveFormResult,
  sealForCookie,
  type StoredFormResult,
  takeFormResult,
  type TakeResult,
} from './form-results.server.ts';
import type { Db } from '../db.server.ts';
import { logger } from '../log.server.ts';
import { readSessionCookie, secureCookies } from '../../features/auth/cookie.server.ts';
import { isStorageUnavailable } from '../storage-errors.server.ts';
import { now } from '../clock.ts';
import type { Locale } from '../i18n/locales.ts';
import { handedOff } from './pipeline.server.ts';
import { isLearnerForm } from './learner-forms.ts';

/** The facts of a post a destination is decided from: the middleware's context, or the fast form handler's match. */
export interface PostFacts {
  url: URL;
  locale: Locale;
  params: Record<string, string | undefined>;
}

/** Where a success is shown, when not on the page it was posted from; `keep: false` when that page shows nothing of it. */
type Destination = (data: Record<string, unknown>, post: PostFacts) => { path: string; keep: boolean };

const DESTINATIONS: Record<string, Destination> = {
  // A new session (or none): the next page has nothing to say about the post.
  'auth.login': (data) => ({ path: String(data.next), keep: false }),
  'auth.useLink': (data) => ({ path: String(data.next), keep: false }),
  'auth.logout': (data, post) => ({
    path: typeof data.providerLogout === 'string' ? data.providerLogout : `${localePath(post.locale, '/login')}?signed_out=1`,
    keep: false,
  }),
  // The header's switch names the page to go on to; the account page's form stays, in the new language.
  'profile.setLocale': (data, post) => {
    const locale = data.locale === 'en' ? 'en' : 'ja';
    const next = typeof data.next === 'string' ? data.next : null;
    return next ? { path: safeNextPath(next, localePath(locale, '/home')), keep: false } : { path: localePath(locale, splitLocale(post.url.pathname).path), keep: true };
  },
  'quiz.submit': (data, post) =>
    data.status === 'incomplete' || typeof post.params.quiz !== 'string'
      ? { path: pagePath(post.url), keep: true }
      : { path: attemptPath(post.locale, post.params.quiz, String(data.attemptId)), keep: true },
  'admin.saveWave': (data, post) => ({ path: localePath(post.locale, `/admin/waves/${Number(data.waveId)}`), keep: true }),
  'admin.deleteWave': (_data, post) => ({ path: localePath(post.locale, '/admin/waves'), keep: true }),
};

/** Where a successful action's answer is shown; null: on the page it was posted to (the fast form handler asks too). */
export function destinationOf(action: string, data: unknown, post: PostFacts): { path: string; keep: boolean } | null {
  return DESTINATIONS[action]?.(data as Record<string, unknown>, post) ?? null;
}

/** An answer bigger than this (an import report of thousands of rows) is rendered on the POST instead. */
const MAX_STORED_CHARS = 2 * 1024 * 1024;

const PLAIN_COOKIE = 'manabi_result';
const HOST_COOKIE = '__Host-manabi_result';
/** Both names: a request carrying either is left to Astro by the lesson shells (src/features/lesson-shell). */
export const RESULT_COOKIE_NAMES: readonly string[] = [PLAIN_COOKIE, HOST_COOKIE];

export function cookieName(url: URL): string {
  return secureCookies(url) ? HOST_COOKIE : PLAIN_COOKIE;
}

export function cookieOptions(url: URL, maxAge: number) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: secureCookies(url), path: '/', maxAge };
}

/** The page's address without the form-action marker: where a post's answer is shown. */
export function pagePath(url: URL): string {
  const query = new URLSearchParams(url.search);
  query.delete('_action');
  const search = query.toString();
  return url.pathname + (search ? `?${search}` : '');
}

/**
 * Keeps a form's answer for the page it is shown on (`target`, the redirect's address) and
 * returns the cookie value that reads it; null when it is to be rendered on the POST instead:
 * too big to keep, or the database cannot store it. Shared by the middleware below and the
 * front server's fast form handler (src/actions/fast-forms.server.ts).
 */
export async function keepForRedirect(
  db: Db,
  answer: { action: string; result: StoredFormResult['result']; input: [string, string][]; target: string; sessionId: string | null; sessionToken: string | null },
  previous: string | null,
): Promise<string | null> {
  const { action, result, input, target, sessionId, sessionToken } = answer;
  const size = (result.body?.length ?? 0) + input.reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (size > MAX_STORED_CHARS) return null;
  if (isLearnerForm(action) && sessionId !== null && sessionToken !== null) {
    // A row a previous post kept is left to expire: the new cookie replaces the only handle to it.
    const inCookie = sealForCookie({ action, result, input, pathHash: pathHash(target), sessionId }, { id: sessionId, token: sessionToken }, now());
    if (inCookie !== null) return inCookie;
  }
  try {
    return await saveFormResult(db, { action, result, input, pathHash: pathHash(target), sessionId }, now(), previous);
  } catch (error) {
    if (!isStorageUnavailable(error)) throw error;
    // The action's answer stands (it may have been saved); it is shown on the POST instead.
    logger.warn({ action }, 'form result not stored: storage unavailable');
    return null;
  }
}

export const postRedirectGet = defineMiddleware(async (context, next) => {
  if (context.isPrerendered) return next();
  const { action, setActionResult, serializeActionResult } = getActionContext(context);

  if (action?.calledFrom === 'form') {
    const input = storableInput(
      await context.request
        .clone()
        .formData()
        .catch(() => null),
    );
    // Run once: a front-server handler that ran it and left the answer to Astro hands its result on.
    const handed = handedOff(context.locals)?.action;
    const result = handed?.name === action.name ? (handed.result as Awaited<ReturnType<typeof action.handler>>) : await action.handler();
    const serialized = serializeActionResult(result);
    const renderNow = (): Promise<Response> => {
      setActionResult(action.name, serialized);
      context.locals.formInput = new URLSearchParams(input);
      context.locals.postResult = true;
      return next();
    };
    const status = result.error ? result.error.status : 200;
    if (status === 429 || status >= 500 || (handed?.name === action.name && handed.render)) return renderNow();
    const facts = { url: context.url, locale: context.locals.locale, params: context.params };
    const destination = result.error ? null : destinationOf(action.name, result.data, facts);
    const target = destination?.path ?? pagePath(context.url);
    if (destination && !destination.keep) return context.redirect(target, 303);
    const name = cookieName(context.url);
    const previous = context.cookies.get(name)?.value ?? null;
    const sessionToken = context.locals.session ? readSessionCookie(context.cookies, context.url) : null;
    const answer = { action: action.name, result: serialized, input, target, sessionId: context.locals.session?.id ?? null, sessionToken };
    const handle = await keepForRedirect(context.locals.db, answer, previous);
    if (handle === null) return renderNow();
    context.cookies.set(name, handle, cookieOptions(context.url, RESULT_TTL_MS / 1000));
    return context.redirect(`${target}#${POST_RESULT_ID}`, 303);
  }

  if (context.request.method === 'GET' && context.routePattern.startsWith(LOCALE_ROUTE_PREFIX)) {
    const name = cookieName(context.url);
    const handle = context.cookies.get(name)?.value;
    if (handle) {
      let taken: TakeResult = { status: 'gone' };
      const session = context.locals.session;
      if (isCookieHandle(handle)) {
        const token = session ? readSessionCookie(context.cookies, context.url) : null;
        taken = openCookieResult(handle, pagePath(context.url), session && token ? { id: session.id, token } : null);
      } else {
        try {
          taken = await takeFormResult(context.locals.db, handle, pagePath(context.url), session?.id ?? null);
        } catch (error) {
          // The database cannot be read or written: the page renders without the answer.
          if (!isStorageUnavailable(error)) throw error;
        }
      }
      if (taken.status !== 'elsewhere') context.cookies.set(name, '', cookieOptions(context.url, 0));
      if (taken.status === 'taken') {
        setActionResult(taken.payload.action, taken.payload.result as ReturnType<typeof serializeActionResult>);
        context.locals.formInput = new URLSearchParams(taken.payload.input);
        context.locals.postResult = true;
      }
    }
  }
  return next();
});
