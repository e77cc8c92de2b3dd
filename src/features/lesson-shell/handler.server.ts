/**
 * The fast lesson handler (issue 17, /work/wt/SHELLS.md): a signed-in learner's lesson page from
 * the build's prerendered shell, answered in the front server before Astro. It runs the same
 * decisions as the Astro middleware (src/platform/http/pipeline.server.ts), loads the same state
 * (loadLessonPage without the body, with its view record), fills the shell's slots from
 * templates the real components rendered at build, and sends the headers Astro sent for that
 * page at build. It answers only the states the shells cover; for anything else it returns
 * false and Astro renders the page as before.
 *
 * It is part of the server build (the middleware imports this module), because the catalog and
 * the database handle live there; the front server, which loads the build with import(), finds
 * it under a global symbol.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { sessionCookieName } from '../auth/cookie.server.ts';
import { loadPolicyNotices } from '../policies/acknowledgements.server.ts';
import { loadLessonPage } from '../progress/lesson.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import { getDb } from '../../platform/db.server.ts';
import { decideAccess, handOff, resolveSession } from '../../platform/http/pipeline.server.ts';
import { RESULT_COOKIE_NAMES } from '../../platform/http/post-redirect-get.server.ts';
import { logger } from '../../platform/log.server.ts';
import { formatDate } from '../../platform/dates.ts';
import { otherLocale, type Locale } from '../../platform/i18n/locales.ts';
import { lessonPath, switchLocale } from '../../platform/i18n/paths.ts';
import { bannerKey } from './banner-key.ts';
import { fill, type Template } from './holes.ts';
import { progressHoles, progressView } from './progress-view.ts';
import { feedbackHoles, feedbackKey, headerKey, lockKey, tierCompleteKey, tryItSlot } from './fragment-keys.ts';

export const SHELL_MANIFEST = path.join('shells', 'manifest.json');
export const LESSON_ROUTE = '/[...locale]/learn/[course]/[lesson]';
/** `actions.lesson.feedback` as a form's action suffix (checked against Astro's at build: the template's hole). */
const FEEDBACK_ACTION = '?_action=lesson.feedback';
const LESSON_PATH = /^\/(?:(en)\/)?learn\/([a-z0-9-]+)\/([a-z0-9-]+)$/;

export interface LessonShell {
  /** The headers Astro's response carried at build (content type, CSP, cache policy). */
  headers: Record<string, string>;
  page: Template;
  /** The progress box per shape (src/features/lesson-shell/progress-view.ts). */
  progress: Record<string, Template>;
  /** Per practice task in the body, its answer part unanswered and answered (TRYIT_STATES). */
  tryit: Record<string, Record<string, Template>>;
  /** The page while the lesson is locked for the learner; absent for a lesson nobody can find locked. */
  locked?: LockedShell;
}

/** A locked lesson's page: breadcrumb, title, the lock notice (a slot) and the pager. */
export interface LockedShell {
  headers: Record<string, string>;
  page: Template;
}

/** The parts every lesson page of a language shares, per key (src/features/lesson-shell/fragment-keys.ts). */
export interface ShellFragments {
  /** The header per role and for a manager (headerKey). */
  header: Record<string, Template>;
  /** The policy banner per list of notices (src/features/lesson-shell/banner-key.ts). */
  banners: Record<string, string>;
  feedback: Record<string, Template>;
  tierComplete: Record<string, Template>;
  /** The lock notice per lock (lockKey): what to finish first. */
  locks: Record<string, string>;
}

export interface ShellManifest {
  version: 5;
  /** Per lesson address, the page for everyone (the header is a slot). */
  routes: Record<string, LessonShell>;
  fragments: Record<Locale, ShellFragments>;
}

export type FastLessonHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

let started = false;

/** Called by the middleware once its start-up work (programme, roll-ups) is done: until then every request goes to Astro. */
export function lessonShellsReady(): void {
  started = true;
}

/** Whether the start-up work is done; the fast form handler (src/actions/fast-forms.server.ts) waits for it too. */
export function fastPathsReady(): boolean {
  return started;
}

export function readShellManifest(outDir: string): ShellManifest | null {
  const file = path.resolve(outDir, SHELL_MANIFEST);
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ShellManifest;
}

/** The handler for a build's shells; null when shells are off or the build has none. */
export function createFastLessonHandler(outDir: string): FastLessonHandler | null {
  if (!getConfig().lessonShells) return null;
  const manifest = readShellManifest(outDir);
  if (manifest === null || manifest.version !== 5) {
    logger.warn({ outDir }, 'no lesson shells in this build; lesson pages are rendered by Astro');
    return null;
  }
  const routes = new Map(Object.entries(manifest.routes));
  // How many lesson pages the shells answered and why the others went to Astro, told once at
  // shutdown: it says whether a deployment's traffic takes the fast path (the benchmark reads it).
  const tally = { shell: 0, astro: {} as Partial<Record<FallThrough, number>> };
  const report = (): void => {
    if (tally.shell > 0 || Object.keys(tally.astro).length > 0) logger.info({ lessonShells: tally }, 'lesson pages answered from shells');
  };
  process.once('SIGTERM', report);
  process.once('SIGINT', report);
  return async (req, res) => {
    if (!started || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    const pathname = req.url ?? '';
    const shell = routes.get(pathname);
    const match = shell ? LESSON_PATH.exec(pathname) : null;
    if (!shell || !match) return false;
    try {
      const answer = await render(req, pathname, match, shell, manifest.fragments);
      if ('fallThrough' in answer) {
        tally.astro[answer.fallThrough] = (tally.astro[answer.fallThrough] ?? 0) + 1;
        logger.debug({ route: pathname, reason: answer.fallThrough }, 'lesson page left to Astro');
        return false;
      }
      tally.shell++;
      res.writeHead(200, answer.headers);
      if (req.method === 'HEAD') res.end();
      else res.end(answer.html);
      logger.debug({ route: pathname }, 'lesson page from its shell');
      return true;
    } catch (error) {
      // Astro answers instead (its error page, 503 for storage): the same as without shells.
      tally.astro.error = (tally.astro.error ?? 0) + 1;
      logger.warn({ err: error, route: pathname }, 'lesson shell fell through to Astro');
      return false;
    }
  };
}

/** Why a lesson page was left to Astro: logged at debug level, so a benchmark's mix can be explained. */
export type FallThrough =
  | 'result-cookie'
  | 'no-session'
  | 'invalid-session'
  | 'access'
  | 'header'
  | 'banner'
  | 'not-found'
  | 'locked'
  | 'tryit-content'
  | 'progress-shape'
  | 'feedback-state'
  | 'tier-complete'
  | 'error';

async function render(
  req: http.IncomingMessage,
  pathname: string,
  match: RegExpExecArray,
  shell: LessonShell,
  fragments: ShellManifest['fragments'],
): Promise<{ html: string; headers: Record<string, string> } | { fallThrough: FallThrough }> {
  const locale = match[1] === 'en' ? 'en' : 'ja';
  const url = new URL(pathname, `${isEncrypted(req) ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
  const cookies = parseCookies(req.headers.cookie);
  // A post/redirect/get answer is shown once: Astro renders it.
  if (RESULT_COOKIE_NAMES.some((name) => cookies.has(name))) return { fallThrough: 'result-cookie' };
  const token = cookies.get(sessionCookieName(url)) ?? null;
  if (token === null) return { fallThrough: 'no-session' };
  const db = getDb();
  const resolved = await resolveSession(db, token);
  const { validated } = resolved;
  // Every answer left to Astro from here takes the validated session along, so its middleware
  // does not validate (and write the activity of) the same session again.
  const locals: Record<PropertyKey, unknown> = { db, locale, user: validated?.user ?? null, session: validated?.session ?? null };
  handOff(req, locals, { session: { ...resolved, token }, action: null });
  // An invalid session: Astro deletes the cookie and redirects.
  if (validated === null) return { fallThrough: 'invalid-session' };
  const { user } = validated;
  if (decideAccess('GET', LESSON_ROUTE, url, locale, user.role).kind !== 'allow') return { fallThrough: 'access' };
  const shared = fragments[locale];
  // The header per role (the champion and admin links) and for a line manager ("My team").
  const head = shared.header[headerKey(user.role, user.hasReports)];
  if (!head) return { fallThrough: 'header' };
  const header = fill(head, {}, { userName: user.displayName, localeNext: switchLocale(url, otherLocale(locale)) });
  // The policy banner, from the templates of every list of notices the build rendered.
  const notices = await loadPolicyNotices(db, user, locale);
  const key = bannerKey(notices);
  const banner = notices.length === 0 ? '' : Object.hasOwn(shared.banners, key) ? shared.banners[key]! : null;
  if (banner === null) return { fallThrough: 'banner' };
  const page = await loadLessonPage(db, user.id, match[2]!, match[3]!, locale, { body: false });
  // Unknown (404) and locked lessons, and the states whose parts have no template yet.
  if (page === null) return { fallThrough: 'not-found' };
  const { lock } = page.courseProgress;
  if (lock) {
    // The lock notice, from the template of the same lock (what to finish first).
    const notice = shared.locks[lockKey(lock)];
    if (!shell.locked || notice === undefined) return { fallThrough: 'locked' };
    return { html: fill(shell.locked.page, { header, 'policy-banner': banner, lock: notice }, { userName: user.displayName }), headers: shell.locked.headers };
  }
  // Answers to tasks the body does not show (the content changed): Astro's page.
  if (Object.keys(page.practiceAnswers).some((taskId) => !Object.hasOwn(shell.tryit, taskId))) return { fallThrough: 'tryit-content' };
  const view = progressView(page, locale, false);
  const box = shell.progress[view.shape];
  if (!box) return { fallThrough: 'progress-shape' };
  const progress = fill(box, {}, progressHoles(view, locale));
  const form = shared.feedback[feedbackKey(page.feedback)];
  if (!form) return { fallThrough: 'feedback-state' };
  const feedback = fill(form, {}, feedbackHoles(page.feedback, lessonPath(locale, page.course.id, page.lesson.id) + FEEDBACK_ACTION, page.lesson.id));
  let tierComplete = '';
  if (page.completedTierHere && page.after?.kind === 'tier-complete') {
    // The panel shows there with the certificate the completion issued (completedTierHere).
    const { certificate } = page;
    const panel = certificate ? shared.tierComplete[tierCompleteKey(page.after.tierId, page.after.nextTierId, true)] : undefined;
    if (!certificate || !panel) return { fallThrough: 'tier-complete' };
    tierComplete = fill(panel, {}, { certificateCode: certificate.code, certificateDate: formatDate(certificate.issuedAt, locale, page.timeZone) });
  }
  const slots: Record<string, string> = { header, progress, 'policy-banner': banner, feedback, 'tier-complete': tierComplete };
  for (const [taskId, templates] of Object.entries(shell.tryit)) {
    const answer = page.practiceAnswers[taskId];
    slots[tryItSlot(taskId)] = fill(templates[answer ? 'answered' : 'open']!, {}, { answer: answer?.answer ?? '' });
  }
  return { html: fill(shell.page, slots, { userName: user.displayName }), headers: shell.headers };
}

export function isEncrypted(req: http.IncomingMessage): boolean {
  return Boolean((req.socket as { encrypted?: boolean }).encrypted);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0) continue;
    const name = pair.slice(0, at).trim();
    if (out.has(name)) continue;
    let value = pair.slice(at + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      out.set(name, value);
    }
  }
  return out;
}

// The front server (src/platform/http/app-handler.server.ts) reads the factory under this symbol.
(globalThis as Record<symbol, unknown>)[Symbol.for('manabi.fastLessonHandler')] = createFastLessonHandler;
