/**
 * Builds the lesson shells of a build (issue 17, src/features/lesson-shell): starts the built
 * server with MANABI_SHELL_BUILD=1 on a throwaway database with one learner (whose name is a
 * hole), renders every lesson the learner can open in both languages, and writes
 * `<outDir>/shells/manifest.json`: per lesson page its text cut at the slots and holes, the
 * progress box's template per shape, and the headers Astro sent. Every slot must occur exactly
 * once and every hole be whole, or the build fails.
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
import { createUser, ensureDepartment } from '../src/features/users/users.server.ts';
import { securityHeaders } from '../src/platform/http/security-headers.ts';
import { openDatabase } from '../src/platform/db.server.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SLOTS = ['progress', 'policy-banner'];
const HOLES = ['userName'];
/** Set by the front server for every response (src/cli/serve.ts), not by the page. */
const FRONT_HEADERS = new Set(Object.keys(securityHeaders(true)).filter((name) => name !== 'content-security-policy'));
const NOT_KEPT = new Set(['date', 'x-request-id', 'set-cookie', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);
const MAX_PAGES = 5000;

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

export async function buildShells(outDir: string): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-shells-'));
  const file = path.join(dir, 'shells.db');
  const db = openDatabase(file);
  const userId = await db.write((tx) =>
    createUser(tx, { email: 'shell-build@invalid', displayName: hole('text', 'userName'), role: 'learner', departmentId: ensureDepartment(tx, 'shells'), passwordHash: null }),
  );
  const { token } = await createSession(db, userId, { idleMs: 3_600_000, maxAgeMs: 3_600_000 });
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
    const get = (pathname: string): Promise<Response> => fetch(base + pathname, { headers: { cookie: `manabi_session=${token}` }, redirect: 'manual' });
    const routes: Record<string, LessonShell> = {};
    for (const lessonPath of await crawlLessons(get)) {
      for (const pathname of [lessonPath, `/en${lessonPath}`]) {
        const response = await get(pathname);
        const html = await response.text();
        // Locked for a learner who has done nothing, or no body: Astro renders those.
        if (response.status !== 200 || !html.includes(slotMarker('progress'))) continue;
        routes[pathname] = shellOf(pathname, html, response.headers);
      }
    }
    const manifest: ShellManifest = { version: 1, routes };
    fs.mkdirSync(path.resolve(ROOT, outDir, 'shells'), { recursive: true });
    fs.writeFileSync(path.resolve(ROOT, outDir, 'shells', 'manifest.json'), JSON.stringify(manifest));
    return Object.keys(routes).length;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every lesson address, from the learner's home through the tiers and courses (Japanese addresses). */
async function crawlLessons(get: (pathname: string) => Promise<Response>): Promise<string[]> {
  const seen = new Set<string>(['/home']);
  const queue = ['/home'];
  const lessons = new Set<string>();
  while (queue.length > 0 && seen.size < MAX_PAGES) {
    const page = queue.shift()!;
    const response = await get(page);
    if (response.status !== 200) continue;
    for (const [, href] of (await response.text()).matchAll(/href="(\/(?:tiers\/[a-z0-9-]+|learn\/[a-z0-9-]+(?:\/[a-z0-9-]+)?))"/g)) {
      if (/^\/learn\/[a-z0-9-]+\/[a-z0-9-]+$/.test(href!)) lessons.add(href!);
      else if (!seen.has(href!)) {
        seen.add(href!);
        queue.push(href!);
      }
    }
  }
  return [...lessons].sort();
}

const TEMPLATE = /<!--manabi:tpl:progress:([\w-]+)-->([\s\S]*?)<!--manabi:tpl:end-->/g;

function shellOf(pathname: string, html: string, headers: Headers): LessonShell {
  const progress: Record<string, Template> = {};
  for (const [, shape, body] of html.matchAll(TEMPLATE)) {
    if (/<(script|style)\b/i.test(body!)) throw new Error(`${pathname}: the progress template ${shape} brings a script or style (the shell's CSP would not cover it)`);
    progress[shape!] = tokenize(body!);
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
  return { headers: kept, page, progress };
}

if (import.meta.main) {
  const outDir = argument('--outDir', 'dist');
  const started = performance.now();
  const count = await buildShells(outDir);
  console.log(`Lesson shells: ${count} pages in ${outDir}/shells/manifest.json (${Math.round(performance.now() - started)} ms)`);
}
