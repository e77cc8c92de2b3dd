/**
 * The fast form handler (issue 17, item 2): a learner's lesson form posted to a lesson page
 * (`?_action=lesson.complete`, `?_action=lesson.feedback`), answered in the front server before
 * Astro's per-request pipeline, with the same decisions (src/platform/http/pipeline.server.ts),
 * the same action (the Astro action of src/actions/lesson.ts: Astro's own form parse with the
 * definition's zod input, then the definition's `run`), the same stored answer (Astro's
 * serializeActionResult, kept by `keepForRedirect`) and the same 303 and cookie.
 *
 * Whether it takes a request is decided from the request's facts before its body is parsed:
 * method, path, action, content type, body size, origin, session and access. Anything else
 * (another origin, no or an ended session, a role the rule refuses, a multipart body) goes
 * to Astro untouched, which answers as it always has. The front server has read the body
 * into `req.body` within the limit (src/cli/serve.ts), so an answer that is shown on the POST
 * itself (429, a server fault, storage unavailable: nothing was saved) also goes to Astro,
 * which runs the action again on the same body and renders that page.
 *
 * Part of the server build (the middleware imports it), so it shares the server's database
 * handle and catalog; the front server finds it under a global symbol.
 */
import type http from 'node:http';
import { getActionContext } from 'astro:actions';
import { stringifySetCookie } from 'cookie';
import { sessionCookieName } from '../features/auth/cookie.server.ts';
import { fastPathsReady, isEncrypted, LESSON_ROUTE, parseCookies } from '../features/lesson-shell/handler.server.ts';
import { getConfig } from '../platform/config.server.ts';
import { getDb } from '../platform/db.server.ts';
import { bodyLimitFor, hasBody } from '../platform/http/body-limit.server.ts';
import { storableInput } from '../platform/http/form-input.ts';
import { RESULT_TTL_MS } from '../platform/http/form-results.server.ts';
import { decideAccess, originAllowed, resolveSession } from '../platform/http/pipeline.server.ts';
import { cookieName, cookieOptions, keepForRedirect, pagePath } from '../platform/http/post-redirect-get.server.ts';
import { POST_RESULT_ID } from '../platform/http/post-result.ts';
import { logger } from '../platform/log.server.ts';
import { lesson } from './lesson.ts';

export type FastFormHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

type AstroFormAction = (this: unknown, input: FormData) => Promise<{ data?: unknown; error?: { status: number } }>;

/** The actions taken here, by the name a form posts. None has a destination of its own: the answer is shown on the page. */
const FAST_ACTIONS = new Map<string, AstroFormAction>([
  ['lesson.complete', lesson.complete as unknown as AstroFormAction],
  ['lesson.feedback', lesson.feedback as unknown as AstroFormAction],
]);

const LESSON_POST = /^\/(?:(en)\/)?learn\/[a-z0-9-]+\/[a-z0-9-]+\?_action=([a-z.A-Z]+)$/;
const FORM_TYPE = 'application/x-www-form-urlencoded';
/** Astro calls an action only with a context carrying this mark (astro/dist/actions/runtime/server.js). */
const ACTION_API_CONTEXT = Symbol.for('astro.actionAPIContext');

/** Astro's own serializer of action results, the one its post/redirect/get path stores. */
const { serializeActionResult } = getActionContext({ url: new URL('http://localhost/'), routePattern: '', request: new Request('http://localhost/'), locals: {} } as never);

/** The handler; null when MANABI_FAST_POSTS=off. */
export function createFastFormHandler(): FastFormHandler | null {
  if (!getConfig().fastPosts) return null;
  return async (req, res) => {
    if (req.method !== 'POST' || !fastPathsReady()) return false;
    const target = req.url ?? '';
    const match = LESSON_POST.exec(target);
    const action = match ? FAST_ACTIONS.get(match[2]!) : undefined;
    if (!match || !action) return false;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    // The front server has read the body (src/cli/serve.ts); an empty one it leaves unset.
    const body = (req as http.IncomingMessage & { body?: Buffer }).body ?? (hasBody(req) ? undefined : Buffer.alloc(0));
    if (type !== FORM_TYPE || body === undefined || body.length > bodyLimitFor(target)) return false;
    // A Host header no URL can be made of: Astro answers it.
    const url = URL.parse(target, `${isEncrypted(req) ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
    if (url === null) return false;
    if (!originAllowed('POST', LESSON_ROUTE, url, req.headers.origin ?? null)) return false;
    const cookies = parseCookies(req.headers.cookie);
    const token = cookies.get(sessionCookieName(url)) ?? null;
    if (token === null) return false;
    try {
      return await answer(req, res, { url, name: match[2]!, action, body, locale: match[1] === 'en' ? 'en' : 'ja', token, previous: cookies.get(cookieName(url)) ?? null });
    } catch (error) {
      // Nothing sent yet: Astro answers (its error page, 503 for storage), as without this handler.
      logger.warn({ err: error, route: url.pathname.slice(0, 200) }, 'fast form post fell through to Astro');
      return false;
    }
  };
}

interface Post {
  url: URL;
  name: string;
  action: AstroFormAction;
  body: Buffer;
  locale: 'ja' | 'en';
  token: string;
  previous: string | null;
}

async function answer(req: http.IncomingMessage, res: http.ServerResponse, post: Post): Promise<boolean> {
  const { url, name, action, body, locale } = post;
  const db = getDb();
  // An invalid or ended session: Astro deletes the cookie and refuses.
  const { validated } = await resolveSession(db, post.token);
  if (validated === null) return false;
  if (decideAccess('POST', LESSON_ROUTE, url, locale, validated.user.role).kind !== 'allow') return false;

  const form = await new Request(url, { method: 'POST', headers: { 'content-type': req.headers['content-type']! }, body: new Uint8Array(body) }).formData();
  const input = storableInput(form);
  const locals = { user: validated.user, session: validated.session, db, locale } as Record<string, unknown>;
  const context = { [ACTION_API_CONTEXT]: true, url, request: new Request(url, { method: 'POST' }), locals };
  const result = await action.call(context, form);
  const status = result.error ? result.error.status : 200;
  // Shown on the POST itself (src/platform/http/post-redirect-get.server.ts): Astro renders it.
  if (status === 429 || status >= 500 || locals.storageUnavailable) return false;
  const serialized = serializeActionResult(result as never);
  const shownOn = pagePath(url);
  const handle = await keepForRedirect(db, { action: name, result: serialized, input, target: shownOn, sessionId: validated.session.id }, post.previous);
  if (handle === null) return false;
  const cookie = stringifySetCookie({ name: cookieName(url), value: handle, ...cookieOptions(url, RESULT_TTL_MS / 1000) });
  res.writeHead(303, { location: `${shownOn}#${POST_RESULT_ID}`, 'set-cookie': cookie, 'cache-control': 'no-store' }).end();
  logger.debug({ action: name }, 'form post answered by the fast handler');
  return true;
}

// The front server (src/platform/http/app-handler.server.ts) reads the factory under this symbol.
(globalThis as Record<symbol, unknown>)[Symbol.for('manabi.fastFormHandler')] = createFastFormHandler;
