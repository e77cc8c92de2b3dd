/**
 * The fast form handler (issue 17, item 2): a learner's form posted to its page — a lesson's
 * `lesson.complete` and `lesson.feedback`, a quiz's `quiz.start` and `quiz.submit`, the home
 * page's `checkin.save` and `checkin.dismiss` — answered in the front server before Astro's
 * per-request pipeline, with the same decisions (src/platform/http/pipeline.server.ts), the same
 * action (the Astro action of src/actions/: Astro's own form parse with the definition's zod
 * input, then the definition's `run`), the same stored answer (Astro's serializeActionResult,
 * kept by `keepForRedirect`), the same destination, 303 and cookie.
 *
 * Whether it takes a request is decided from the request's facts before its body is parsed:
 * method, path, action, content type, body size, origin and session cookie. Anything else
 * (another origin, no session cookie, a multipart body) goes to Astro untouched. Once the
 * session is validated, every way to Astro hands on what was done (`handOff`): the session,
 * so it is not validated again, and once the action has run, its result, so it never runs
 * twice. An answer shown on the POST itself (429, a server fault, storage unavailable, an
 * answer that cannot be kept) is Astro's to render, from that result.
 *
 * Part of the server build (the middleware imports it), so it shares the server's database
 * handle and catalog; the front server finds it under a global symbol.
 */
import type http from 'node:http';
import { ActionError, getActionContext } from 'astro:actions';
import { stringifySetCookie } from 'cookie';
import { sessionCookieName } from '../features/auth/cookie.server.ts';
import { fastPathsReady, isEncrypted, LESSON_ROUTE, parseCookies } from '../features/lesson-shell/handler.server.ts';
import { getConfig } from '../platform/config.server.ts';
import { getDb } from '../platform/db.server.ts';
import type { Locale } from '../platform/i18n/locales.ts';
import { bodyLimitFor, hasBody } from '../platform/http/body-limit.server.ts';
import { storableInput, urlencodedForm } from '../platform/http/form-input.ts';
import { RESULT_TTL_MS } from '../platform/http/form-results.server.ts';
import { decideAccess, type Handoff, handOff, originAllowed, type ResolvedSession, resolveSession } from '../platform/http/pipeline.server.ts';
import { cookieName, cookieOptions, destinationOf, keepForRedirect, pagePath } from '../platform/http/post-redirect-get.server.ts';
import type { LearnerForm } from '../platform/http/learner-forms.ts';
import { POST_RESULT_ID } from '../platform/http/post-result.ts';
import { logger } from '../platform/log.server.ts';
import { isStorageUnavailable, reportStorageFailure, storageErrorCode } from '../platform/storage-errors.server.ts';
import { checkin } from './checkin.ts';
import { STORAGE_UNAVAILABLE } from './define.ts';
import { lesson } from './lesson.ts';
import { quiz } from './quiz.ts';

export type FastFormHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

type AstroFormAction = (this: unknown, input: FormData) => Promise<{ data?: unknown; error?: { status: number } }>;

interface FastPage {
  /** The page's address without the locale prefix, with its parameters as groups (after the locale's group). */
  path: RegExp;
  /** Astro's route pattern of that page (for the access rule and the origin check). */
  route: string;
  params: readonly string[];
  /** The actions taken here when posted to this page, by the name a form posts. */
  actions: ReadonlyMap<string, AstroFormAction>;
}

const form = (action: unknown): AstroFormAction => action as AstroFormAction;

/** Every learner form, and only those (the list the result cookie keeps too): a missing or extra name fails the type check. */
const ACTIONS: Record<LearnerForm, AstroFormAction> = {
  'lesson.complete': form(lesson.complete),
  'lesson.feedback': form(lesson.feedback),
  'quiz.start': form(quiz.start),
  'quiz.submit': form(quiz.submit),
  'checkin.save': form(checkin.save),
  'checkin.dismiss': form(checkin.dismiss),
};

const actions = (...names: LearnerForm[]): ReadonlyMap<string, AstroFormAction> => new Map(names.map((name) => [name, ACTIONS[name]]));

const PAGES: readonly FastPage[] = [
  {
    path: /^\/(?:(en)\/)?learn\/([a-z0-9-]+)\/([a-z0-9-]+)\?_action=([a-zA-Z.]+)$/,
    route: LESSON_ROUTE,
    params: ['course', 'lesson'],
    actions: actions('lesson.complete', 'lesson.feedback'),
  },
  {
    path: /^\/(?:(en)\/)?quiz\/([a-z0-9-]+)\?_action=([a-zA-Z.]+)$/,
    route: '/[...locale]/quiz/[quiz]',
    params: ['quiz'],
    actions: actions('quiz.start', 'quiz.submit'),
  },
  {
    path: /^\/(?:(en)\/)?home\?_action=([a-zA-Z.]+)$/,
    route: '/[...locale]/home',
    params: [],
    actions: actions('checkin.save', 'checkin.dismiss'),
  },
];

const FORM_TYPE = 'application/x-www-form-urlencoded';
/** Astro calls an action only with a context carrying this mark (astro/dist/actions/runtime/server.js). */
const ACTION_API_CONTEXT = Symbol.for('astro.actionAPIContext');

/** Astro's own serializer of action results, the one its post/redirect/get path stores. */
const { serializeActionResult } = getActionContext({ url: new URL('http://localhost/'), routePattern: '', request: new Request('http://localhost/'), locals: {} } as never);

interface Post {
  url: URL;
  page: FastPage;
  params: Record<string, string>;
  name: string;
  action: AstroFormAction;
  body: Buffer;
  locale: Locale;
  token: string;
  previous: string | null;
}

/** The page and action a POST names, or null when it is not one of those taken here. */
function matchPost(target: string): { page: FastPage; match: RegExpExecArray; name: string; action: AstroFormAction } | null {
  for (const page of PAGES) {
    const match = page.path.exec(target);
    if (!match) continue;
    const name = match[page.params.length + 2]!;
    const action = page.actions.get(name);
    return action ? { page, match, name, action } : null;
  }
  return null;
}

/** The handler; null when MANABI_FAST_POSTS=off. */
export function createFastFormHandler(): FastFormHandler | null {
  if (!getConfig().fastPosts) return null;
  return async (req, res) => {
    if (req.method !== 'POST' || !fastPathsReady()) return false;
    const target = req.url ?? '';
    const matched = matchPost(target);
    if (matched === null) return false;
    const { page, match, name, action } = matched;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    // The front server has read the body (src/cli/serve.ts); an empty one it leaves unset.
    const body = (req as http.IncomingMessage & { body?: Buffer }).body ?? (hasBody(req) ? undefined : Buffer.alloc(0));
    if (type !== FORM_TYPE || body === undefined || body.length > bodyLimitFor(target)) return false;
    // A Host header no URL can be made of: Astro answers it.
    const url = URL.parse(target, `${isEncrypted(req) ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
    if (url === null) return false;
    if (!originAllowed('POST', page.route, url, req.headers.origin ?? null)) return false;
    const cookies = parseCookies(req.headers.cookie);
    const token = cookies.get(sessionCookieName(url)) ?? null;
    if (token === null) return false;
    const params = Object.fromEntries(page.params.map((p, i) => [p, match[i + 2]!]));
    const locale: Locale = match[1] === 'en' ? 'en' : 'ja';
    try {
      return await answer(req, res, { url, page, params, name, action, body, locale, token, previous: cookies.get(cookieName(url)) ?? null });
    } catch (error) {
      // The session could not be validated (storage): nothing done, Astro answers as without this handler.
      logger.warn({ err: error, route: url.pathname.slice(0, 200) }, 'fast form post fell through to Astro');
      return false;
    }
  };
}

/** Validates the session, then answers or leaves the request to Astro with what was done (never sending anything then). */
async function answer(req: http.IncomingMessage, res: http.ServerResponse, post: Post): Promise<boolean> {
  const { name, locale } = post;
  const db = getDb();
  const session = await resolveSession(db, post.token);
  // The request's locals from here on, here and in Astro's middleware if it answers after all.
  const locals: Record<PropertyKey, unknown> = { db, locale, user: session.validated?.user ?? null, session: session.validated?.session ?? null };
  const handoff: Handoff = { session: { ...session, token: post.token }, action: null };
  const toAstro = (): false => {
    handOff(req, locals, handoff);
    if (handoff.action) logger.debug({ action: name }, 'form post run by the fast handler, answered by Astro');
    return false;
  };
  try {
    return await run(res, post, { validated: session.validated, locals, handoff, toAstro });
  } catch (error) {
    // Nothing sent yet: Astro answers (its error page, 503 for storage), from the result if the action ran.
    logger.warn({ err: error, action: name }, 'fast form post left to Astro');
    return toAstro();
  }
}

/** What `answer` made for the request: the session, its locals, the hand-off and the way to Astro with it. */
interface Step {
  validated: ResolvedSession['validated'];
  locals: Record<PropertyKey, unknown>;
  handoff: Handoff;
  toAstro: () => false;
}

/** The action's result and, when kept, its handle; what one unit of writes (`db.unit`) gives back. */
interface Done {
  result: Awaited<ReturnType<AstroFormAction>>;
  /** The kept answer's cookie value; null when not kept (nothing to keep, too big, storage unavailable). */
  handle: string | null;
  /** Shown on the POST itself, by Astro: a 429, a fault, storage unavailable, an answer that could not be kept. */
  render: boolean;
  /** Keeping failed otherwise: Astro tries again and answers as it would have. */
  keepFailed: boolean;
  shownOn: string;
}

/**
 * The access rule, then the action and its answer kept in one transaction (one COMMIT per post,
 * each write a savepoint of it), then the 303; or Astro, handed what was done.
 */
async function run(res: http.ServerResponse, post: Post, { validated, locals, handoff, toAstro }: Step): Promise<boolean> {
  const { url, name, locale } = post;
  // An invalid or ended session (Astro deletes the cookie and refuses), a role the rule refuses.
  if (validated === null) return toAstro();
  if (decideAccess('POST', post.page.route, url, locale, validated.user.role).kind !== 'allow') return toAstro();

  let done: Done;
  try {
    done = await getDb().unit(() => actAndKeep(post, locals, validated.session.id));
  } catch (error) {
    // Nothing of the unit was kept. Storage: the action's answer is the 503 it would have given;
    // anything else goes up, with no result handed on, so Astro runs the action afresh.
    if (!isStorageUnavailable(error)) throw error;
    reportStorageFailure();
    logger.error({ code: storageErrorCode(error), route: url.pathname.slice(0, 200) }, 'write refused: storage unavailable');
    locals.storageUnavailable = true;
    handoff.action = { name, result: { data: undefined, error: new ActionError({ code: 'SERVICE_UNAVAILABLE', message: STORAGE_UNAVAILABLE }) }, render: false };
    return toAstro();
  }
  // Committed: from here on, every way to Astro carries the result, so the action never runs twice.
  handoff.action = { name, result: done.result, render: done.render && !done.keepFailed };
  if (done.keepFailed || done.render) return toAstro();
  const { handle, shownOn } = done;
  const headers: http.OutgoingHttpHeaders = { location: handle === null ? shownOn : `${shownOn}#${POST_RESULT_ID}`, 'cache-control': 'no-store' };
  if (handle !== null) headers['set-cookie'] = stringifySetCookie({ name: cookieName(url), value: handle, ...cookieOptions(url, RESULT_TTL_MS / 1000) });
  res.writeHead(303, headers).end();
  logger.debug({ action: name }, 'form post answered by the fast handler');
  return true;
}

/** Inside the unit: the action (its writes), then its answer kept for the page after the redirect. */
async function actAndKeep(post: Post, locals: Record<PropertyKey, unknown>, sessionId: string): Promise<Done> {
  const { url, name, action, body, locale } = post;
  const fields = urlencodedForm(body);
  let request: Request | null = null;
  const context = {
    [ACTION_API_CONTEXT]: true,
    url,
    // Made only if an action asks (none of these does): undici's Request was 2 % of a completion's CPU.
    get request(): Request {
      request ??= new Request(url, { method: 'POST' });
      return request;
    },
    locals,
    params: post.params,
  };
  const result = await action.call(context, fields);
  const status = result.error ? result.error.status : 200;
  const destination = result.error ? null : destinationOf(name, result.data, { url, locale, params: post.params });
  const shownOn = destination?.path ?? pagePath(url);
  const done: Done = { result, handle: null, render: false, keepFailed: false, shownOn };
  // Shown on the POST itself (src/platform/http/post-redirect-get.server.ts): Astro renders it.
  if (status === 429 || status >= 500 || locals.storageUnavailable) return { ...done, render: true };
  if (destination !== null && !destination.keep) return done;
  try {
    done.handle = await keepForRedirect(
      getDb(),
      { action: name, result: serializeActionResult(result as never), input: storableInput(fields), target: shownOn, sessionId, sessionToken: post.token },
      post.previous,
    );
  } catch (error) {
    // Not storage (that is null): its savepoint is undone, the action's writes stand; Astro keeps it again.
    logger.warn({ err: error, action: name }, 'form result not kept by the fast handler');
    return { ...done, keepFailed: true };
  }
  // Too big to keep, or storage unavailable: rendered on the POST.
  return done.handle === null ? { ...done, render: true } : done;
}

// The front server (src/platform/http/app-handler.server.ts) reads the factory under this symbol.
(globalThis as Record<symbol, unknown>)[Symbol.for('manabi.fastFormHandler')] = createFastFormHandler;
