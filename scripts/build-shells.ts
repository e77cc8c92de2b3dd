/**
 * Builds the lesson shells of a build (issue 17, src/features/lesson-shell): starts the built
 * server with MANABI_SHELL_BUILD=1 on a throwaway database with one seed user (whose name is a
 * hole), renders every lesson it can open in both languages, then lets it work through the
 * courses it opened (scripts/shell-progress.ts: the real forms over HTTP) and renders what that
 * unlocked, until nothing new opens. It writes `<outDir>/shells/manifest.json`: per lesson page
 * its text cut at the slots and holes, the progress box's template per shape, each practice
 * task's answer part, and the headers Astro sent; per language the parts every lesson page
 * shares (the header per role and for managers, the policy banner per list of notices, the
 * feedback form per state, the tier's results panel), which must come out the same on every
 * page. Every lesson of the catalog must get a shell in both languages, every slot must occur
 * exactly once and every hole be whole, or the build fails (naming each page and why).
 * Run after `astro build` (the lesson-shells integration does): `node scripts/build-shells.ts --outDir dist`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createSession } from '../src/features/auth/session.server.ts';
import { hole, slotMarker, type Template, tokenize } from '../src/features/lesson-shell/holes.ts';
import { TRYIT_STATES, tryItSlot } from '../src/features/lesson-shell/fragment-keys.ts';
import type { LessonShell, LockedShell, ShellFragments, ShellManifest } from '../src/features/lesson-shell/handler.server.ts';
import { ROLES, type Role } from '../src/features/users/roles.ts';
import { createUser, ensureDepartment } from '../src/features/users/users.server.ts';
import { lessonPath } from '../src/platform/i18n/paths.ts';
import { securityHeaders } from '../src/platform/http/security-headers.ts';
import { openDatabase } from '../src/platform/db.server.ts';
import { buildContentCatalog, finishCourse } from './shell-progress.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SLOTS = ['header', 'progress', 'policy-banner', 'feedback', 'tier-complete'];
/** A locked lesson's page: the header, the banner and the lock notice. */
const LOCKED_SLOTS = ['header', 'policy-banner', 'lock'];
const HOLES = ['userName'];
/** The shared fragments (one per language) and the holes each may have. */
type TemplateKind = Exclude<keyof ShellFragments, 'banners' | 'locks'>;
const FRAGMENT_HOLES: Record<TemplateKind, string[]> = {
  header: ['userName', 'localeNext'],
  feedback: ['feedbackAction', 'lessonId', 'comment'],
  tierComplete: ['certificateCode', 'certificateDate'],
};
/** Set by the front server for every response (src/cli/serve.ts), not by the page. */
const FRONT_HEADERS = new Set(Object.keys(securityHeaders(true)).filter((name) => name !== 'content-security-policy'));
const NOT_KEPT = new Set(['date', 'x-request-id', 'set-cookie', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One seed user: the header, the only part that follows the role, is a slot with a template per role. */
const SEED_ROLE: Role = 'learner';

export interface ShellBuildResult {
  pages: number;
  lessons: number;
}

export async function buildShells(outDir: string): Promise<ShellBuildResult> {
  const catalog = buildContentCatalog();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-shells-'));
  const file = path.join(dir, 'shells.db');
  const db = openDatabase(file);
  const userId = await db.write(async (tx) =>
    createUser(tx, {
      email: `shell-build-${SEED_ROLE}@invalid`,
      displayName: hole('text', 'userName'),
      role: SEED_ROLE,
      departmentId: await ensureDepartment(tx, 'shells'),
      passwordHash: null,
    }),
  );
  const token = (await createSession(db, userId, { idleMs: 3_600_000, maxAgeMs: 3_600_000 })).token;
  await db.close();
  const port = await freePort();
  const child = spawn(process.execPath, ['src/cli/serve.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_PATH: file,
      MANABI_DIST: outDir,
      SEARCH_INDEX_DIR: path.resolve(ROOT, outDir, 'search', 'pagefind'),
      MANABI_SHELL_BUILD: '1',
      MANABI_LESSON_SHELLS: 'off',
      NOTIFY_SCHEDULER: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the shell build's server did not start:\n${output}`)), 60_000);
      child.stdout.on('data', () => {
        if (/listening on/i.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the shell build's server exited with ${code}:\n${output}`));
      });
    });
    const base = `http://127.0.0.1:${port}`;
    const routes: ShellManifest['routes'] = {};
    const fragments: ShellManifest['fragments'] = {
      ja: { header: {}, banners: {}, feedback: {}, tierComplete: {}, locks: {} },
      en: { header: {}, banners: {}, feedback: {}, tierComplete: {}, locks: {} },
    };
    // A locked lesson's page, seen before the learner opened it (every lesson that can be locked is, at first).
    const locked = new Map<string, LockedShell>();
    const pages = catalog.allLessons().flatMap((lesson) => (['ja', 'en'] as const).map((locale) => ({ lesson, pathname: lessonPath(locale, lesson.courseId, lesson.id) })));
    const why = new Map<string, string>();
    {
      const learner = { base, cookie: `manabi_session=${token}` };
      const finished = new Set<string>();
      // Course by course as a learner unlocks them: render what is open, finish it, render again.
      for (let round = 0; round <= catalog.tiers.flatMap((t) => t.courses).length; round++) {
        const opened = new Set<string>();
        for (const { lesson, pathname } of pages) {
          if (routes[pathname]) continue;
          const response = await fetch(base + pathname, { headers: { cookie: learner.cookie }, redirect: 'manual' });
          const html = await response.text();
          const shared = fragments[pathname.startsWith('/en/') ? 'en' : 'ja'];
          if (response.status === 200 && html.includes(slotMarker('lock')) && !locked.has(pathname)) locked.set(pathname, lockedShellOf(pathname, html, response.headers, shared));
          // Locked (for now), or no body: Astro renders those.
          if (response.status !== 200 || !html.includes(slotMarker('progress'))) {
            const reason =
              response.status !== 200 ? `status ${response.status}` : /class="lock notice/.test(html) ? 'still locked after finishing every course it opened' : 'no lesson body';
            why.set(pathname, reason);
            continue;
          }
          why.delete(pathname);
          routes[pathname] = shellOf(pathname, html, response.headers, shared);
          opened.add(lesson.courseId);
        }
        const next = [...opened].filter((id) => !finished.has(id));
        if (next.length === 0) break;
        for (const courseId of next) {
          await finishCourse(learner, catalog.course(courseId)!);
          finished.add(courseId);
        }
      }
    }
    // Every lesson of the catalog, in each language, or the build fails.
    if (why.size > 0) throw new Error(`lesson pages without a shell:\n${[...why].map(([page, reason]) => `  ${page}: ${reason}`).join('\n')}`);
    for (const [pathname, shell] of locked) routes[pathname]!.locked = shell;
    const manifest: ShellManifest = { version: 5, routes, fragments };
    fs.mkdirSync(path.resolve(ROOT, outDir, 'shells'), { recursive: true });
    fs.writeFileSync(path.resolve(ROOT, outDir, 'shells', 'manifest.json'), JSON.stringify(manifest));
    return { pages: Object.keys(routes).length, lessons: catalog.allLessons().length };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const TRYIT_PREFIX = tryItSlot('');
const TEMPLATE = /<!--manabi:tpl:([\w-]+):([\w@+ -]+)-->([\s\S]*?)<!--manabi:tpl:end-->/g;

/**
 * A template every lesson page of the language shares: the same key must give the same
 * template on every page (its page-specific values are holes), or the build fails.
 */
function shareFragment(pathname: string, shared: ShellFragments, kind: TemplateKind, key: string, body: string): void {
  const template = tokenize(body);
  for (const token of template.tokens) {
    if ('slot' in token || !FRAGMENT_HOLES[kind].includes(token.hole)) throw new Error(`${pathname}: unexpected ${JSON.stringify(token)} in the ${kind} template ${key}`);
  }
  const known = shared[kind][key];
  if (known && JSON.stringify(known) !== JSON.stringify(template)) throw new Error(`${pathname}: the ${kind} template ${key} differs from another lesson page's`);
  shared[kind][key] = template;
}

/** A template with no values of its own (the banner, the lock notice): one whole render per key, the same on every page. */
function shareWhole(pathname: string, shared: Record<string, string>, kind: string, key: string, body: string): void {
  if (tokenize(body).tokens.length > 0) throw new Error(`${pathname}: the ${kind} template ${key} has a hole or slot`);
  if (shared[key] !== undefined && shared[key] !== body) throw new Error(`${pathname}: the ${kind} template ${key} differs from another lesson page's`);
  shared[key] = body;
}

/** The headers Astro sent for a page, but those the front server sets and those of one response. */
function keptHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!NOT_KEPT.has(name) && !FRONT_HEADERS.has(name)) kept[name] = value;
  });
  return kept;
}

/** The page of a lesson still locked for the learner: the header, banner and lock notice are slots. */
function lockedShellOf(pathname: string, html: string, headers: Headers, shared: ShellFragments): LockedShell {
  for (const [, slot, key, body] of html.matchAll(TEMPLATE)) {
    if (/<(script|style)\b/i.test(body!)) throw new Error(`${pathname}: the ${slot} template ${key} brings a script or style (the shell's CSP would not cover it)`);
    if (slot === 'lock') shareWhole(pathname, shared.locks, 'lock notice', key!, body!);
    else if (slot === 'policy-banner') shareWhole(pathname, shared.banners, 'banner', key!, body!);
    else if (slot === 'header') shareFragment(pathname, shared, 'header', key!, body!);
    else throw new Error(`${pathname}: a template for an unexpected slot ${slot} on the locked page`);
  }
  const page = tokenize(html.replace(TEMPLATE, ''));
  for (const slot of LOCKED_SLOTS) {
    const count = page.tokens.filter((t) => 'slot' in t && t.slot === slot).length;
    if (count !== 1) throw new Error(`${pathname} (locked): slot ${slot} occurs ${count} times, not once`);
  }
  for (const token of page.tokens) {
    if ('slot' in token ? !LOCKED_SLOTS.includes(token.slot) : !HOLES.includes(token.hole)) throw new Error(`${pathname} (locked): unexpected ${JSON.stringify(token)}`);
  }
  return { headers: keptHeaders(headers), page };
}

function shellOf(pathname: string, html: string, headers: Headers, shared: ShellFragments): LessonShell {
  const progress: Record<string, Template> = {};
  const tryit: Record<string, Record<string, Template>> = {};
  for (const [, slot, key, body] of html.matchAll(TEMPLATE)) {
    if (/<(script|style)\b/i.test(body!)) throw new Error(`${pathname}: the ${slot} template ${key} brings a script or style (the shell's CSP would not cover it)`);
    if (slot === 'progress') progress[key!] = tokenize(body!);
    else if (slot!.startsWith(TRYIT_PREFIX)) {
      const template = tokenize(body!);
      if (template.tokens.some((token) => 'slot' in token || token.hole !== 'answer'))
        throw new Error(`${pathname}: the ${slot} template ${key} has a slot or a hole but the answer`);
      (tryit[slot!.slice(TRYIT_PREFIX.length)] ??= {})[key!] = template;
    } else if (slot === 'feedback') shareFragment(pathname, shared, 'feedback', key!, body!);
    else if (slot === 'tier-complete') shareFragment(pathname, shared, 'tierComplete', key!, body!);
    else if (slot === 'policy-banner') shareWhole(pathname, shared.banners, 'banner', key!, body!);
    else if (slot === 'header') shareFragment(pathname, shared, 'header', key!, body!);
    else throw new Error(`${pathname}: a template for an unknown slot ${slot}`);
  }
  const page = tokenize(html.replace(TEMPLATE, ''));
  for (const slot of SLOTS) {
    const count = page.tokens.filter((t) => 'slot' in t && t.slot === slot).length;
    if (count !== 1) throw new Error(`${pathname}: slot ${slot} occurs ${count} times, not once`);
  }
  const tasks = new Set(Object.keys(tryit).map(tryItSlot));
  for (const token of page.tokens) {
    if ('slot' in token ? !SLOTS.includes(token.slot) && !tasks.has(token.slot) : !HOLES.includes(token.hole)) throw new Error(`${pathname}: unexpected ${JSON.stringify(token)}`);
  }
  for (const [taskId, templates] of Object.entries(tryit)) {
    if (Object.keys(templates).sort().join() !== [...TRYIT_STATES].sort().join()) throw new Error(`${pathname}: the practice task ${taskId} lacks a template`);
    if (!page.tokens.some((token) => 'slot' in token && token.slot === tryItSlot(taskId))) throw new Error(`${pathname}: the practice task ${taskId} has templates but no slot`);
  }
  return { headers: keptHeaders(headers), page, progress, tryit };
}

if (import.meta.main) {
  const outDir = argument('--outDir', 'dist');
  const started = performance.now();
  const { pages, lessons } = await buildShells(outDir);
  console.log(
    `Lesson shells: ${pages} pages (${lessons} lessons of the catalog × 2 languages; the header per role, ${ROLES.join(', ')}, and for managers) in ${outDir}/shells/manifest.json (${Math.round(performance.now() - started)} ms)`,
  );
}
