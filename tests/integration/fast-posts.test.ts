/**
 * Lesson forms answered by the fast form handler (issue 17 item 2, src/actions/fast-forms.server.ts):
 * the same POSTs to two real built servers on copies of one database, A with the fast handler
 * (the default, logging at debug level so the test knows which answers were fast) and B with
 * MANABI_FAST_POSTS=off. Each POST gets the same status, Location, headers, Set-Cookie names and
 * attributes and body from both; the page after the redirect is the same page; and the stored
 * rows are the same. Refused requests (another origin, no session, a body too big) fall through
 * to Astro in A, and Astro's answers are the ones checked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeClockFile } from '../../src/platform/clock.server.ts';
import { openDatabase, rawSqlite } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { afterPost, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const PASSWORD = 'fast post password 1';
const EMAIL = 'fast-post@example.com';
const catalog = fixtureCatalog();
const course = catalog.course('basic-ai-essentials')!;
const [first, second] = course.lessons.map((l) => l.id) as [string, string];
const LOCKED = { course: 'applied-department-pilot', lesson: 'finding-use-cases' };
const FAST_LINE = 'form post answered by the fast handler';

let t: TempDb;
let fileB: string;
let a: RunningServer;
let b: RunningServer;
let cookieA: string;
let cookieB: string;

const lessonPath = (locale: 'ja' | 'en', courseId: string, lessonId: string): string => `${locale === 'en' ? '/en' : ''}/learn/${courseId}/${lessonId}`;

interface Post {
  path: string;
  fields: Record<string, string>;
  /** The Origin header: the server's own by default; null: none. */
  origin?: 'own' | 'foreign' | null;
  cookie?: 'session' | 'none' | 'forged';
  type?: string;
}

async function send(server: RunningServer, session: string, post: Post): Promise<Response> {
  const origin = post.origin === undefined || post.origin === 'own' ? server.url : post.origin === 'foreign' ? 'http://evil.example' : null;
  const cookie = post.cookie === 'none' ? null : post.cookie === 'forged' ? 'manabi_session=forged.token' : session;
  const headers: Record<string, string> = { 'content-type': post.type ?? 'application/x-www-form-urlencoded' };
  if (origin) headers.origin = origin;
  if (cookie) headers.cookie = cookie;
  return fetch(server.url + post.path, { method: 'POST', redirect: 'manual', headers, body: new URLSearchParams(post.fields) });
}

const VARYING = new Set(['date', 'x-request-id', 'set-cookie']);
const headersOf = (response: Response): [string, string][] => [...response.headers.entries()].filter(([name]) => !VARYING.has(name));
/** Each Set-Cookie without its value: name and attributes. */
const cookieShapes = (response: Response): string[] =>
  response.headers.getSetCookie().map((c) => c.replace(/^([^=]+)=[^;]*/, (_m, name: string) => `${name}=${/^[^=]+=;/.test(c) ? '' : '<value>'}`));

const fastAnswers = (): number =>
  a
    .output()
    .split('\n')
    .filter((line) => line.includes(FAST_LINE)).length;

/** Rows a lesson form writes, without the times (the two servers ran moments apart). */
function rows(file: string): unknown {
  const db = openDatabase(file, { migrate: false });
  const sqlite = rawSqlite(db);
  const strip = (list: Record<string, unknown>[]): Record<string, unknown>[] => list.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !/_at$|^id$/.test(k))));
  const out = {
    completions: strip(sqlite.prepare('SELECT * FROM lesson_completions ORDER BY user_id, lesson_id').all() as Record<string, unknown>[]),
    feedback: strip(sqlite.prepare('SELECT * FROM lesson_feedback ORDER BY user_id, lesson_id').all() as Record<string, unknown>[]),
    certificates: (sqlite.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }).n,
    pendingResults: (sqlite.prepare('SELECT count(*) AS n FROM form_results').get() as { n: number }).n,
  };
  sqlite.close();
  return out;
}

/** Sends one POST to both servers and compares everything a browser sees; returns whether A answered it fast. */
async function compare(post: Post): Promise<boolean> {
  const before = fastAnswers();
  const fast = await send(a, cookieA, post);
  const astro = await send(b, cookieB, post);
  const label = `${post.path} ${JSON.stringify(post.fields).slice(0, 80)} ${post.origin ?? ''} ${post.cookie ?? ''}`;
  expect(fast.status, label).toBe(astro.status);
  expect(fast.headers.get('location'), label).toBe(astro.headers.get('location'));
  expect(headersOf(fast), label).toEqual(headersOf(astro));
  expect(cookieShapes(fast), label).toEqual(cookieShapes(astro));
  const [fastBody, astroBody] = [await fast.text(), await astro.text()];
  expect(fastBody, label).toBe(astroBody);
  // The page after the redirect, with the one-time result cookie: the same page.
  if (fast.status === 303) {
    const [pageA, pageB] = [await afterPost(a.url, fast, cookieA), await afterPost(b.url, astro, cookieB)];
    expect(pageA.status, label).toBe(pageB.status);
    expect(cookieShapes(pageA), label).toEqual(cookieShapes(pageB));
    expect(await pageA.text(), label).toBe(await pageB.text());
  }
  expect(rows(t.file), label).toEqual(rows(fileB));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return fastAnswers() > before;
}

beforeAll(async () => {
  t = tempDb();
  const clockFile = path.join(t.dir, 'clock.json');
  writeClockFile(clockFile, 0);
  await addUser(t.db, { email: EMAIL, password: PASSWORD, name: 'Fast <&> "学習者"' });
  const dirB = fs.mkdtempSync(path.join(t.dir, 'b-'));
  fileB = path.join(dirB, 'manabi.db');
  rawSqlite(t.db).exec(`VACUUM INTO '${fileB}'`);
  rawSqlite(t.db).close();
  [a, b] = await Promise.all([
    startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR, clockFile, env: { LOG_LEVEL: 'debug' }, timeoutMs: 60_000 }),
    startServer({ databasePath: fileB, outDir: FIXTURE_OUT_DIR, clockFile, env: { MANABI_FAST_POSTS: 'off' }, timeoutMs: 60_000 }),
  ]);
  cookieA = (await signIn(a.url, EMAIL, PASSWORD)).cookie!;
  cookieB = (await signIn(b.url, EMAIL, PASSWORD)).cookie!;
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  t?.cleanup();
});

describe('fast lesson form posts: the same answers as Astro', () => {
  it('lesson.complete: valid, again, invalid input, locked course, unknown lesson (fast, stored for the redirect)', async () => {
    const complete = (locale: 'ja' | 'en', courseId: string, lessonId: string, fields: Record<string, string> = { lessonId }): Post => ({
      path: `${lessonPath(locale, courseId, lessonId)}?_action=lesson.complete`,
      fields,
    });
    expect(await compare(complete('ja', course.id, first))).toBe(true);
    expect(await compare(complete('ja', course.id, first))).toBe(true);
    expect(await compare(complete('en', course.id, second))).toBe(true);
    expect(await compare(complete('ja', course.id, first, { lessonId: 'Not An Id!' }))).toBe(true);
    expect(await compare(complete('en', course.id, first, {}))).toBe(true);
    expect(await compare(complete('ja', course.id, first, { lessonId: first, extra: 'x' }))).toBe(true);
    expect(await compare(complete('ja', LOCKED.course, LOCKED.lesson))).toBe(true);
    expect(await compare(complete('en', course.id, 'no-such-lesson'))).toBe(true);
  });

  it('lesson.feedback: valid and invalid (fast)', async () => {
    const path = `${lessonPath('ja', course.id, first)}?_action=lesson.feedback`;
    expect(await compare({ path, fields: { lessonId: first, rating: '9' } })).toBe(true);
    expect(await compare({ path, fields: { lessonId: first, rating: '4', comment: `<よい> & "ok"` } })).toBe(true);
    expect(await compare({ path: `${lessonPath('en', course.id, second)}?_action=lesson.feedback`, fields: { lessonId: second, rating: '5', anonymous: 'on' } })).toBe(true);
  });

  it("refusals are Astro's own (not fast): another origin, none, no session, a forged one, JSON, a body too big", async () => {
    const post = (fields: Record<string, string> = { lessonId: second }): Post => ({ path: `${lessonPath('ja', course.id, second)}?_action=lesson.complete`, fields });
    expect(await compare({ ...post(), origin: 'foreign' })).toBe(false);
    expect(await compare({ ...post(), origin: null })).toBe(false);
    expect(await compare({ ...post(), cookie: 'none' })).toBe(false);
    expect(await compare({ ...post(), cookie: 'forged' })).toBe(false);
    expect(await compare({ ...post(), type: 'application/json' })).toBe(false);
    expect(await compare(post({ lessonId: second, comment: 'x'.repeat(300 * 1024) }))).toBe(false);
    // Another action, and a query of its own, on a lesson page: Astro's.
    expect(await compare({ path: `${lessonPath('ja', course.id, second)}?_action=practice.save`, fields: { lessonId: second, taskId: 'first-draft', answer: 'a' } })).toBe(false);
    expect(await compare({ path: `${lessonPath('ja', course.id, second)}?x=1&_action=lesson.complete`, fields: { lessonId: second } })).toBe(false);
  });
});
