/**
 * The request pipeline's decisions, in one module shared by every way a request is answered:
 * Astro's middleware (src/middleware.ts) and any handler in the front server that answers
 * before Astro. Each step takes plain request facts (method, URL, route pattern, headers) and
 * returns a decision, so both callers apply the same rule, not a copy of it.
 */
import { ACTION_RPC_ROUTE, LOCALE_ROUTE_PREFIX, type Access, actionAccess, decide, isResourceRoute, routeAccess, stricter } from '../../features/auth/access.ts';
import { type ValidatedSession, validateSessionToken } from '../../features/auth/session.server.ts';
import { getConfig } from '../config.server.ts';
import type { Db } from '../db.server.ts';
import { DEFAULT_LOCALE, isLocale, type Locale } from '../i18n/locales.ts';
import { localePath, splitLocale } from '../i18n/paths.ts';
import { logger } from '../log.server.ts';

export { DEFAULT_CSP, PAGEFIND_WORKER_CSP, securityHeaders } from './security-headers.ts';

export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export type LocaleDecision = { kind: 'ok'; locale: Locale } | { kind: 'redirect'; location: string } | { kind: 'not-found'; locale: Locale };

/**
 * Language from the URL: no prefix is Japanese, `/en/…` English; `/ja/…` is redirected to the
 * one address of the page; anything else under the locale segment is a 404.
 * `previous` is the language already chosen, kept by the error page reached by a rewrite.
 */
export function resolveLocale(routePattern: string, param: string | undefined, url: URL, previous: Locale | undefined): LocaleDecision {
  const localized = routePattern === LOCALE_ROUTE_PREFIX || routePattern.startsWith(`${LOCALE_ROUTE_PREFIX}/`);
  if (localized) {
    if (param === DEFAULT_LOCALE) {
      const { path } = splitLocale(url.pathname.replace(/^\/ja(?=\/|$)/, '') || '/');
      return { kind: 'redirect', location: path + url.search };
    }
    if (param !== undefined && !isLocale(param)) return { kind: 'not-found', locale: splitLocale(url.pathname).locale };
    return { kind: 'ok', locale: param ?? DEFAULT_LOCALE };
  }
  return { kind: 'ok', locale: routePattern === '/500' && previous ? previous : splitLocale(url.pathname).locale };
}

/**
 * RFC 8058 one-click unsubscribe: mail clients POST `List-Unsubscribe=One-Click` with neither
 * cookies nor an Origin. The route runs without a session (SESSIONLESS_ROUTES): the secret token
 * in the address is its only authority, so a cross-site POST can do no more than the link's
 * holder. This route only, POST only, no form action.
 */
const ORIGIN_EXEMPT_POSTS = new Set(['/[...locale]/unsubscribe/[token]']);

/**
 * SCIM (issue 19): an identity provider calls it server to server, with no Origin; its only
 * authority is the bearer token in the Authorization header, which no cross-site form or fetch
 * without CORS can send, and it never reads a cookie (SESSIONLESS_ROUTES).
 */
export const SCIM_ROUTE = '/scim/v2/[...path]';

/**
 * Whether a request may go on: every state-changing request whose Origin is missing or foreign
 * is refused, whatever its content type (Astro's own check covers form content types only, and is off).
 */
export function originAllowed(method: string, routePattern: string, url: URL, origin: string | null): boolean {
  if (SAFE_METHODS.has(method)) return true;
  // Never with a form action (`?_action=`): that would run an action without the check.
  if (method === 'POST' && ORIGIN_EXEMPT_POSTS.has(routePattern) && !url.searchParams.has('_action')) return true;
  if (routePattern === SCIM_ROUTE && !url.searchParams.has('_action')) return true;
  // Behind a TLS-terminating proxy the server sees http://host while the browser sends the
  // public https origin: SITE_URL names that one.
  return origin !== null && (origin === url.origin || origin === getConfig().publicOrigin);
}

export function originRefused(): Response {
  return new Response('Cross-site request refused.', { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * Routes that never need to know who is asking: the health check must answer even when the
 * database cannot, and so must the error page that says it cannot; a calendar feed and an
 * unsubscribe link are used without signing in, their token is their only authority.
 */
const SESSIONLESS_ROUTES = new Set(['/healthz', '/500', '/calendar/[token].ics', '/[...locale]/unsubscribe/[token]', SCIM_ROUTE]);

export function needsSession(routePattern: string): boolean {
  return !SESSIONLESS_ROUTES.has(routePattern);
}

export interface ResolvedSession {
  validated: ValidatedSession | null;
  clearCookie: boolean;
}

/**
 * The session of a cookie's token, or null. `clearCookie` says the cookie named an invalid or
 * ended session and is to be deleted. The session's activity is renewed in the database
 * (validateSessionToken); the cookie itself keeps its fixed expiry, so nothing is set on success.
 */
export async function resolveSession(db: Db, token: string | null): Promise<ResolvedSession> {
  if (token === null) return { validated: null, clearCookie: false };
  const { sessionIdleMs, sessionMaxAgeMs } = getConfig();
  // Counted by the tests (once per request, whoever answers it); a no-op below debug level.
  logger.debug('session validated');
  const validated = await validateSessionToken(db, token, { idleMs: sessionIdleMs, maxAgeMs: sessionMaxAgeMs });
  return { validated, clearCookie: validated === null };
}

/**
 * What a handler in the front server already did for a request it then leaves to Astro
 * (src/actions/fast-forms.server.ts): the session it validated, so the middleware does not
 * validate it again (its activity is written once, an ended one deleted once), and the form
 * action it ran with Astro's result, so that action never runs a second time. Kept in the
 * request's `locals`, which only the server makes; no request can carry one.
 */
export interface Handoff {
  /** The cookie's token as the handler read it, and what it resolved to. */
  session: ResolvedSession & { token: string };
  /**
   * The form action already run, by name, with its result (Astro's SafeResult); `render`: the
   * answer could not be kept for a redirect (too big, storage unavailable) and is shown on the POST.
   */
  action: { name: string; result: unknown; render: boolean } | null;
}

const HANDOFF = Symbol('manabi.handoff');
/** The Node request's key for the locals the front server gives Astro (src/platform/http/app-handler.server.ts). */
const ASTRO_LOCALS = Symbol.for('manabi.astroLocals');

/** Leaves a request to Astro with what was done so far: `locals` become the request's `Astro.locals`. */
export function handOff(req: object, locals: Record<PropertyKey, unknown>, handoff: Handoff): void {
  locals[HANDOFF] = handoff;
  Reflect.set(req, ASTRO_LOCALS, locals);
}

export function handedOff(locals: object): Handoff | null {
  return (Reflect.get(locals, HANDOFF) as Handoff | undefined) ?? null;
}

/** The session middleware's answer: the one a front-server handler resolved for this very token, else resolved now. */
export async function resolveSessionOnce(db: Db, token: string | null, locals: object): Promise<ResolvedSession> {
  const handed = handedOff(locals)?.session;
  if (handed && token !== null && handed.token === token) return { validated: handed.validated, clearCookie: handed.clearCookie };
  return resolveSession(db, token);
}

export type AccessDecision = { kind: 'allow' } | { kind: 'unauthorized' } | { kind: 'sign-in'; location: string } | { kind: 'forbidden' };

/** Deny by default (src/features/auth/access.ts): the route's level, or a posted form action's if stricter. */
export function decideAccess(method: string, routePattern: string, url: URL, locale: Locale, role: Parameters<typeof decide>[1]): AccessDecision {
  let access: Access;
  if (routePattern === ACTION_RPC_ROUTE) {
    access = actionAccess(url.pathname.replace(/^\/_actions\//, ''));
  } else {
    access = routeAccess(routePattern);
    // A form action posted to a public page is still held to the action's own level.
    const formAction = url.searchParams.get('_action');
    if (formAction !== null && method === 'POST') access = stricter(access, actionAccess(formAction));
  }
  const decision = decide(access, role);
  if (decision === 'allow') return { kind: 'allow' };
  if (decision === 'forbidden') return { kind: 'forbidden' };
  if ((method !== 'GET' && method !== 'HEAD') || isResourceRoute(routePattern)) return { kind: 'unauthorized' };
  return { kind: 'sign-in', location: `${localePath(locale, '/login')}?next=${encodeURIComponent(url.pathname + url.search)}` };
}

export function signInRequired(): Response {
  return new Response('Sign-in required.', { status: 401, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * Caching of a rendered response: pages are personal or carry one-time values, so nothing is
 * stored by default. A response to a signed-in user is `no-store` whatever the page set, except
 * a `private` (browser-only) policy a route chose for content that is the same for everyone.
 * Returns the header to set, or null to keep the response's own.
 */
export function cacheControlFor(current: string | null, signedIn: boolean): string | null {
  if (current !== null && (!signedIn || /(^|,)\s*private\b/i.test(current))) return null;
  return 'no-store';
}
