/**
 * Builds the lesson shells of a build (issue 17, src/features/lesson-shell): starts the built
 * server with MANABI_SHELL_BUILD=1 on a throwaway database with one seed user per role (whose
 * name is a hole), renders every lesson each can open in both languages, then lets each work
 * through the courses it opened (scripts/shell-progress.ts: the real forms over HTTP) and renders
 * what that unlocked, until nothing new opens. It writes `<outDir>/shells/manifest.json`: per
 * lesson page and role its text cut at the slots and holes, the progress box's template per
 * shape, and the headers Astro sent. Every lesson of the catalog must get a shell in both
 * languages for every role, every slot must occur exactly once and every hole be whole, or the
 * build fails (naming each page and why).
 * Run after `astro build` (the lesson-shells integration does): `node scripts/build-shells.ts --outDir dist`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createSession } from '../src/features/auth/session.server.ts';
import { hole, slotMarker, type Template, tokenize } from '../src/features/lesson-shell/holes.ts';
import type { LessonShell, ShellManifest } from '../src/features/lesson-shell/handler.server.ts';
import { ROLES, type Role } from '../src/features/users/roles.ts';
import { createUser, ensureDepartment } from '../src/features/users/users.server.ts';
import { lessonPath } from '../src/platform/i18n/paths.ts';
import { securityHeaders } from '../src/platform/http/security-headers.ts';
import { openDatabase } from '../src/platform/db.server.ts';
import { buildContentCatalog, finishCourse } from './shell-progress.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SLOTS = ['progress', 'policy-banner'];
const HOLES = ['userName'];
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

/** One seed user per role: a shell holds the header that role sees (its section links). */
const SEED_ROLES = ROLES;

export interface ShellBuildResult {
  pages: number;
  lessons: number;
}

export async function buildShells(outDir: string): Promise<ShellBuildResult> {
  const catalog = buildContentCatalog();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-shells-'));
  const file = path.join(dir, 'shells.db');
  const db = openDatabase(file);
  const tokens = new Map<Role, string>();
  for (const role of SEED_ROLES) {
    const userId = await db.write((tx) =>
      createUser(tx, { email: `shell-build-${role}@invalid`, displayName: hole('text', 'userName'), role, departmentId: ensureDepartment(tx, 'shells'), passwordHash: null }),
    );
    tokens.set(role, (await createSession(db, userId, { idleMs: 3_600_000, maxAgeMs: 3_600_000 })).token);
  }
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
    const pages = catalog.allLessons().flatMap((lesson) => (['ja', 'en'] as const).map((locale) => ({ lesson, pathname: lessonPath(locale, lesson.courseId, lesson.id) })));
    const why = new Map<string, string>();
    for (const role of SEED_ROLES) {
      const learner = { base, cookie: `manabi_session=${tokens.get(role)}` };
      const finished = new Set<string>();
      // Course by course as a learner unlocks them: render what is open, finish it, render again.
      for (let round = 0; round <= catalog.tiers.flatMap((t) => t.courses).length; round++) {
        const opened = new Set<string>();
        for (const { lesson, pathname } of pages) {
          if (routes[pathname]?.[role]) continue;
          const response = await fetch(base + pathname, { headers: { cookie: learner.cookie }, redirect: 'manual' });
          const html = await response.text();
          // Locked (for now), or no body: Astro renders those.
          if (response.status !== 200 || !html.includes(slotMarker('progress'))) {
            const reason =
              response.status !== 200 ? `status ${response.status}` : /class="lock notice/.test(html) ? 'still locked after finishing every course it opened' : 'no lesson body';
            why.set(`${role} ${pathname}`, reason);
            continue;
          }
          why.delete(`${role} ${pathname}`);
          (routes[pathname] ??= {})[role] = shellOf(pathname, html, response.headers);
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
    // Every lesson of the catalog, in each language and for each role, or the build fails.
    if (why.size > 0) throw new Error(`lesson pages without a shell:\n${[...why].map(([page, reason]) => `  ${page}: ${reason}`).join('\n')}`);
    const manifest: ShellManifest = { version: 3, routes };
    fs.mkdirSync(path.resolve(ROOT, outDir, 'shells'), { recursive: true });
    fs.writeFileSync(path.resolve(ROOT, outDir, 'shells', 'manifest.json'), JSON.stringify(manifest));
    return { pages: Object.keys(routes).length, lessons: catalog.allLessons().length };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const TEMPLATE = /<!--manabi:tpl:([\w-]+):([\w@+ -]+)-->([\s\S]*?)<!--manabi:tpl:end-->/g;

function shellOf(pathname: string, html: string, headers: Headers): LessonShell {
  const progress: Record<string, Template> = {};
  const banners: Record<string, string> = {};
  for (const [, slot, key, body] of html.matchAll(TEMPLATE)) {
    if (/<(script|style)\b/i.test(body!)) throw new Error(`${pathname}: the ${slot} template ${key} brings a script or style (the shell's CSP would not cover it)`);
    if (slot === 'progress') progress[key!] = tokenize(body!);
    else if (slot === 'policy-banner') {
      // The banner has no values of its own: one whole render per list of notices.
      if (tokenize(body!).tokens.length > 0) throw new Error(`${pathname}: the banner template ${key} has a hole or slot`);
      banners[key!] = body!;
    } else throw new Error(`${pathname}: a template for an unknown slot ${slot}`);
  }
  const page = tokenize(html.replace(TEMPLATE, ''));
  for (const slot of SLOTS) {
    const count = page.tokens.filter((t) => 'slot' in t && t.slot === slot).length;
    if (count !== 1) throw new Error(`${pathname}: slot ${slot} occurs ${count} times, not once`);
  }
  for (const token of page.tokens) {
    if ('slot' in token ? !SLOTS.includes(token.slot) : !HOLES.includes(token.hole)) throw new Error(`${pathname}: unexpected ${JSON.stringify(token)}`);
  }
  const kept: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!NOT_KEPT.has(name) && !FRONT_HEADERS.has(name)) kept[name] = value;
  });
  return { headers: kept, page, progress, banners };
}

if (import.meta.main) {
  const outDir = argument('--outDir', 'dist');
  const started = performance.now();
  const { pages, lessons } = await buildShells(outDir);
  console.log(
    `Lesson shells: ${pages} pages (${lessons} lessons of the catalog × 2 languages, each for ${SEED_ROLES.join(', ')}) in ${outDir}/shells/manifest.json (${Math.round(performance.now() - started)} ms)`,
  );
}
