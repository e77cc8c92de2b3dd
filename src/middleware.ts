/**
 * Request pipeline: language → origin check → session → access rules → form actions
 * (post/redirect/get, src/platform/http/post-redirect-get.server.ts).
 * Pages and actions then do their own, finer authorization.
 */
import { defineMiddleware, sequence } from 'astro:middleware';
import { ACTION_RPC_ROUTE, LOCALE_ROUTE_PREFIX } from './features/auth/access.ts';
import { translator } from './platform/i18n/index.ts';
import { localePath } from './platform/i18n/paths.ts';
import { getConfig } from './platform/config.server.ts';
import { installClockFile } from './platform/clock.server.ts';
import { audit } from './features/audit/audit.server.ts';
import { getCatalog } from './features/curriculum/catalog.server.ts';
import { getDb } from './platform/db.server.ts';
import { logger, requestIdOf } from './platform/log.server.ts';
import { clientIp } from './platform/http/request.server.ts';
import { ensureRollupsCurrent } from './features/kpi/rollup-version.server.ts';
import { settleCertificateValidityOnce } from './features/progress/certificates.server.ts';
import { prepareProgrammeOnce } from './features/programme/prepare.server.ts';
import { resumeXapiPushes } from './features/exports/xapi-live.server.ts';
import { postRedirectGet } from './platform/http/post-redirect-get.server.ts';
import { bestEffortWrite, isStorageUnavailable } from './platform/storage-errors.server.ts';
import { deleteSessionCookie, readSessionCookie } from './features/auth/cookie.server.ts';
import { cacheControlFor, decideAccess, needsSession, originAllowed, originRefused, resolveLocale, resolveSessionOnce, signInRequired } from './platform/http/pipeline.server.ts';
import { loadPolicyNotices } from './features/policies/acknowledgements.server.ts';
// Also puts the fast lesson handler into the server build, where the front server finds it.
import { lessonShellsReady } from './features/lesson-shell/handler.server.ts';
// And the fast form handler (lesson forms posted from a lesson page).
import './actions/fast-forms.server.ts';

/**
 * The database handle for pages and actions (`locals.db`): they never import the driver. Opened
 * lazily on first use, so a request that needs no data, or a database that cannot open, behaves
 * as before.
 */
const database = defineMiddleware((context, next) => {
  Object.defineProperty(context.locals, 'db', { get: getDb, configurable: true, enumerable: false });
  return next();
});

/** Language from the URL (src/platform/http/pipeline.server.ts). */
const locale = defineMiddleware((context, next) => {
  const decision = resolveLocale(context.routePattern, context.params.locale, context.url, context.locals.locale);
  if (decision.kind === 'redirect') return context.redirect(decision.location, 301);
  context.locals.locale = decision.locale;
  context.locals.t = translator(context.locals.locale);
  if (decision.kind === 'not-found') return new Response(null, { status: 404 });
  return next();
});

/** Refuses a state-changing request whose Origin is missing or foreign (src/platform/http/pipeline.server.ts). */
const originCheck = defineMiddleware((context, next) => {
  if (context.isPrerendered) return next();
  if (!originAllowed(context.request.method, context.routePattern, context.url, context.request.headers.get('origin'))) return originRefused();
  return next();
});

const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

/**
 * Every Manabi action accepts forms only. Any other body posted to an action (a page's
 * `?_action=…` or `/_actions/…`) is refused here with 415: Astro would otherwise parse a JSON
 * body itself, and a malformed one throws there, which answered 500.
 */
const formActionsOnly = defineMiddleware((context, next) => {
  if (context.request.method !== 'POST' || context.isPrerendered) return next();
  const isAction = context.routePattern === ACTION_RPC_ROUTE || context.url.searchParams.has('_action');
  const type = (context.request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (isAction && !FORM_TYPES.has(type)) {
    return new Response('Actions accept form submissions only.', { status: 415, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
  return next();
});

/**
 * Before the first request is served: the programme's default assignments and enrolments are
 * made current, roll-ups built by other rules (or a restore) are rebuilt, and xAPI pushes a
 * stopped server left running go on.
 */
const startup = defineMiddleware(async (context, next) => {
  if (context.isPrerendered) return next();
  installClockFile(getConfig().clockFile);
  await prepareProgrammeOnce(getDb);
  await ensureRollupsCurrent(getDb, getCatalog, getConfig().timeZone);
  await settleCertificateValidityOnce(getDb, getCatalog, getConfig().timeZone);
  await bestEffortWrite('xapi.resume', () => resumeXapiPushes(context.locals.db));
  lessonShellsReady();
  return next();
});

const session = defineMiddleware(async (context, next) => {
  context.locals.user = null;
  context.locals.session = null;
  if (context.isPrerendered || !needsSession(context.routePattern)) return next();
  // Resolved once per request: by the fast form handler when it left the request to Astro.
  const { validated, clearCookie } = await resolveSessionOnce(context.locals.db, readSessionCookie(context.cookies, context.url), context.locals);
  if (clearCookie) deleteSessionCookie(context.cookies, context.url);
  if (validated !== null) {
    context.locals.user = validated.user;
    context.locals.session = validated.session;
  }
  return next();
});

/** Deny by default: see `src/features/auth/access.ts` and src/platform/http/pipeline.server.ts. */
const guard = defineMiddleware(async (context, next) => {
  if (context.isPrerendered) return next();
  const decision = decideAccess(context.request.method, context.routePattern, context.url, context.locals.locale, context.locals.user?.role ?? null);
  if (decision.kind === 'allow') return next();
  if (decision.kind === 'unauthorized') return signInRequired();
  if (decision.kind === 'sign-in') return context.redirect(decision.location, 302);
  const user = context.locals.user!;
  const denied = { type: 'route', id: context.url.pathname.slice(0, 200) };
  await bestEffortWrite('audit.access_denied', () =>
    context.locals.db.write(
      async (tx) => await audit(tx, { actor: user, action: 'access.denied', target: denied, details: { method: context.request.method, role: user.role }, ip: clientIp(context) }),
    ),
  );
  return context.rewrite(localePath(context.locals.locale, '/403'));
});

/**
 * The policy banner's data (src/features/policies), for the pages a signed-in user sees: after
 * the form actions, so a page shows the state after an acknowledgement. Cheap, as it runs on
 * every page: the policies are in memory, and the one read is an indexed prepared statement,
 * skipped when no required policy applies. A database that cannot be read hides the banner.
 */
const policyBanner = defineMiddleware(async (context, next) => {
  const user = context.locals.user;
  if (!user || context.isPrerendered || !context.routePattern.startsWith(LOCALE_ROUTE_PREFIX)) return next();
  try {
    context.locals.policyNotices = await loadPolicyNotices(context.locals.db, user, context.locals.locale);
  } catch (error) {
    if (!isStorageUnavailable(error)) throw error;
  }
  return next();
});

/**
 * Outermost: logs errors as JSON with the request id (the page a visitor sees stays the generic
 * 500 page) and adds Retry-After to a throttled answer. An action that failed unexpectedly
 * answers a generic message: Astro would put the error's own message (SQL, file paths) in it.
 */
const errorsAndRetry = defineMiddleware(async (context, next) => {
  let response: Response;
  try {
    response = await next();
  } catch (error) {
    logger.error({ requestId: requestIdOf(context.request), route: context.routePattern, err: error }, 'request failed');
    if (!isStorageUnavailable(error)) throw error;
    // Astro would answer its error page with 500: the database cannot be reached is a 503.
    context.locals.storageUnavailable = true;
    const page = await context.rewrite('/500');
    const headers = new Headers(page.headers);
    headers.set('retry-after', '60');
    return new Response(page.body, { status: 503, headers });
  }
  if (context.routePattern === ACTION_RPC_ROUTE && response.status >= 500) {
    const detail = (await response.text()).slice(0, 1000);
    logger.error({ requestId: requestIdOf(context.request), route: context.url.pathname.slice(0, 200), status: response.status, detail }, 'action failed');
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.set('content-type', 'application/json');
    const unavailable = response.status === 503;
    const body = JSON.stringify({
      type: 'AstroActionError',
      code: unavailable ? 'SERVICE_UNAVAILABLE' : 'INTERNAL_SERVER_ERROR',
      status: response.status,
      message: unavailable ? 'Temporarily unavailable; nothing was saved.' : 'Server error.',
    });
    response = new Response(body, { status: response.status, headers });
  }
  if (context.locals.storageUnavailable && response.status < 500) {
    // A page that rendered its form again after a refused write still answers 503.
    response = new Response(response.body, { status: 503, headers: response.headers });
  }
  if (context.locals.storageUnavailable) context.locals.retryAfter ??= 60;
  if (context.locals.retryAfter !== undefined) {
    response = new Response(response.body, response);
    response.headers.set('retry-after', String(context.locals.retryAfter));
  }
  return response;
});

/**
 * Caching, for every response rendered here (static files are served before Astro and keep
 * their long cache): pages are personal or carry one-time values, so nothing is stored by
 * default. A response to a signed-in user is `no-store` whatever the page set, except a
 * `private` (browser-only) policy a route chose for content that is the same for everyone
 * (the search index).
 */
const cachePolicy = defineMiddleware(async (context, next) => {
  const response = await next();
  if (context.isPrerendered) return response;
  const policy = cacheControlFor(response.headers.get('cache-control'), Boolean(context.locals.user));
  if (policy === null) return response;
  try {
    response.headers.set('cache-control', policy);
    return response;
  } catch {
    // Immutable headers (e.g. Response.redirect): copy the response.
    const copy = new Response(response.body, response);
    copy.headers.set('cache-control', policy);
    return copy;
  }
});

export const onRequest = sequence(database, cachePolicy, errorsAndRetry, locale, originCheck, startup, session, guard, formActionsOnly, postRedirectGet, policyBanner);
