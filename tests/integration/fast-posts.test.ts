/**
 * Learner forms answered by the fast form handler (issue 17 item 2, src/actions/fast-forms.server.ts):
 * lesson.complete and lesson.feedback, quiz.start and quiz.submit, checkin.save and checkin.dismiss:
 * the same POSTs to two real built servers on copies of one database, A with the fast handler
 * (the default, logging at debug level so the test knows which answers were fast) and B with
 * MANABI_FAST_POSTS=off. Each POST gets the same status, Location, headers, Set-Cookie names and
 * attributes and body from both; the page after the redirect is the same page; and the stored
 * rows are the same. Refused requests (another origin, no session, a body too big) fall through
 * to Astro in A, and Astro's answers are the ones checked.
 *
 * A request the fast handler leaves to Astro after validating the session, or after running the
 * action (an answer shown on the POST itself, an answer that cannot be kept), is validated once
 * and run once: triggers count the action's writes, A's debug log counts session validations.
 * Quiz attempts get random ids and option orders, certificates random codes: after each POST, B's
 * are given A's, so both servers then show and store the same.
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
const quiz = catalog.quiz('basic-ai-essentials')!;
const LOCKED_QUIZ = 'applied-department-pilot';
const FAST_LINE = 'form post answered by the fast handler';
const HANDED_LINE = 'form post run by the fast handler, answered by Astro';
const SESSION_LINE = '"msg":"session validated"';
const GONE_EMAIL = 'fast-post-gone@example.com';

/** Test-only triggers, in both databases: writes refused on demand (`test_refuse`), an action's writes counted (`test_runs`). */
const TEST_TRIGGERS = `
  CREATE TABLE test_refuse (what TEXT PRIMARY KEY);
  CREATE TABLE test_runs (what TEXT NOT NULL);
  CREATE TRIGGER test_refuse_results BEFORE INSERT ON form_results WHEN EXISTS (SELECT 1 FROM test_refuse WHERE what = 'form_results')
    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
  CREATE TRIGGER test_refuse_feedback BEFORE UPDATE ON lesson_feedback WHEN EXISTS (SELECT 1 FROM test_refuse WHERE what = 'lesson_feedback')
    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
  CREATE TRIGGER test_count_feedback_insert AFTER INSERT ON lesson_feedback BEGIN INSERT INTO test_runs VALUES ('lesson.feedback'); END;
  CREATE TRIGGER test_count_feedback_update AFTER UPDATE ON lesson_feedback BEGIN INSERT INTO test_runs VALUES ('lesson.feedback'); END;
  CREATE TRIGGER test_count_checkin_insert AFTER INSERT ON checkins BEGIN INSERT INTO test_runs VALUES ('checkin.save'); END;
  CREATE TRIGGER test_count_checkin_update AFTER UPDATE ON checkins BEGIN INSERT INTO test_runs VALUES ('checkin.save'); END;
`;

let t: TempDb;
let fileB: string;
let a: RunningServer;
let b: RunningServer;
let cookieA: string;
let cookieB: string;
let goneA: string;
let goneB: string;

const lessonPath = (locale: 'ja' | 'en', courseId: string, lessonId: string): string => `${locale === 'en' ? '/en' : ''}/learn/${courseId}/${lessonId}`;

interface Post {
  path: string;
  fields: Record<string, string> | [string, string][];
  /** The Origin header: the server's own by default; null: none. */
  origin?: 'own' | 'foreign' | null;
  /** `gone`: the session of a second learner, deactivated by the test. */
  cookie?: 'session' | 'none' | 'forged' | 'gone';
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

const linesOf = (text: string): number =>
  a
    .output()
    .split('\n')
    .filter((line) => line.includes(text)).length;
const fastAnswers = (): number => linesOf(FAST_LINE);

/** The session validations and hand-offs A logged for its last POST in `compare`. */
let lastA = { validations: 0, handed: 0 };

/** Raw SQL on one of the two databases, on a connection of its own (the servers keep theirs). */
function onDatabase<T>(file: string, work: (sqlite: ReturnType<typeof rawSqlite>) => T): T {
  const sqlite = rawSqlite(openDatabase(file, { migrate: false }));
  try {
    return work(sqlite);
  } finally {
    sqlite.close();
  }
}

const TABLES = [
  'lesson_completions',
  'lesson_feedback',
  'quiz_attempts',
  'attempt_answers',
  'checkins',
  'activity_months',
  'kpi_department_months',
  'kpi_question_months',
  'kpi_wrong_options',
  'quiz_pairs',
  'test_runs',
];

/** Rows the learner forms write, without the times (the two servers ran moments apart). */
function rows(file: string): unknown {
  return onDatabase(file, (sqlite) => {
    const strip = (list: Record<string, unknown>[]): Record<string, unknown>[] => list.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !/_at$|^id$/.test(k))));
    const out: Record<string, unknown> = {
      certificates: (sqlite.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }).n,
      pendingResults: (sqlite.prepare('SELECT count(*) AS n FROM form_results').get() as { n: number }).n,
    };
    // Every column in a fixed order: equal tables give equal lists.
    for (const table of TABLES) {
      const list = strip(sqlite.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all() as Record<string, unknown>[]);
      out[table] = table === 'test_runs' ? list : list.map((row) => JSON.stringify(row)).sort();
    }
    return out;
  });
}

/** Gives B's open attempts A's ids and layouts, its certificates A's codes (each drawn at random on each server). */
function syncRandom(): void {
  const open = onDatabase(
    t.file,
    (sqlite) => sqlite.prepare('SELECT id, user_id, quiz_id, layout, started_at FROM quiz_attempts WHERE submitted_at IS NULL').all() as Record<string, unknown>[],
  );
  const codes = onDatabase(t.file, (sqlite) => sqlite.prepare('SELECT code, user_id, tier_id, cycle FROM certificates').all() as Record<string, unknown>[]);
  onDatabase(fileB, (sqlite) => {
    const attempt = sqlite.prepare(
      'UPDATE quiz_attempts SET id = @id, layout = @layout, started_at = @started_at WHERE user_id = @user_id AND quiz_id = @quiz_id AND submitted_at IS NULL',
    );
    for (const row of open) attempt.run(row);
    const certificate = sqlite.prepare('UPDATE certificates SET code = @code WHERE user_id = @user_id AND tier_id = @tier_id AND cycle = @cycle');
    for (const row of codes) certificate.run(row);
  });
}

const openAttemptId = (): string => onDatabase(t.file, (sqlite) => (sqlite.prepare('SELECT id FROM quiz_attempts WHERE submitted_at IS NULL').get() as { id: string }).id);

/** Writes of `test_refuse` on both databases: `what` refused until `refuse(what, false)`. */
function refuse(what: string, on: boolean): void {
  for (const file of [t.file, fileB]) {
    onDatabase(file, (sqlite) => sqlite.prepare(on ? 'INSERT INTO test_refuse VALUES (?)' : 'DELETE FROM test_refuse WHERE what = ?').run(what));
  }
}

const runsOf = (file: string, action: string): number =>
  onDatabase(file, (sqlite) => (sqlite.prepare('SELECT count(*) AS n FROM test_runs WHERE what = ?').get(action) as { n: number }).n);

/** Equal texts; else the assertion shows where they part, not two pages' first lines. */
function expectSame(actual: string, expected: string, label: string): void {
  if (actual === expected) return;
  let at = 0;
  while (actual[at] === expected[at]) at++;
  const around = (text: string): string => text.slice(Math.max(0, at - 200), at + 300);
  expect(around(actual), `${label} (from character ${at})`).toBe(around(expected));
}

/** Sends one POST to both servers and compares everything a browser sees; returns whether A answered it fast. */
async function compare(post: Post): Promise<boolean> {
  const before = fastAnswers();
  const [validations, handed] = [linesOf(SESSION_LINE), linesOf(HANDED_LINE)];
  const fast = await send(a, post.cookie === 'gone' ? goneA : cookieA, post);
  // A's log lines of this POST alone (the page after the redirect validates its session too).
  await new Promise((resolve) => setTimeout(resolve, 100));
  lastA = { validations: linesOf(SESSION_LINE) - validations, handed: linesOf(HANDED_LINE) - handed };
  const astro = await send(b, post.cookie === 'gone' ? goneB : cookieB, post);
  syncRandom();
  const label = `${post.path} ${JSON.stringify(post.fields).slice(0, 80)} ${post.origin ?? ''} ${post.cookie ?? ''}`;
  expect(fast.status, label).toBe(astro.status);
  expect(fast.headers.get('location'), label).toBe(astro.headers.get('location'));
  expect(headersOf(fast), label).toEqual(headersOf(astro));
  expect(cookieShapes(fast), label).toEqual(cookieShapes(astro));
  const [fastBody, astroBody] = [await fast.text(), await astro.text()];
  expectSame(fastBody, astroBody, label);
  // The page after the redirect, with the one-time result cookie: the same page.
  if (fast.status === 303) {
    const [pageA, pageB] = [await afterPost(a.url, fast, cookieA), await afterPost(b.url, astro, cookieB)];
    expect(pageA.status, label).toBe(pageB.status);
    expect(cookieShapes(pageA), label).toEqual(cookieShapes(pageB));
    expectSame(await pageA.text(), await pageB.text(), label);
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
  await addUser(t.db, { email: GONE_EMAIL, password: PASSWORD });
  rawSqlite(t.db).exec(TEST_TRIGGERS);
  const dirB = fs.mkdtempSync(path.join(t.dir, 'b-'));
  fileB = path.join(dirB, 'manabi.db');
  rawSqlite(t.db).exec(`VACUUM INTO '${fileB}'`);
  void t.db.close();
  [a, b] = await Promise.all([
    startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR, clockFile, env: { LOG_LEVEL: 'debug' }, timeoutMs: 60_000 }),
    startServer({ databasePath: fileB, outDir: FIXTURE_OUT_DIR, clockFile, env: { MANABI_FAST_POSTS: 'off' }, timeoutMs: 60_000 }),
  ]);
  cookieA = (await signIn(a.url, EMAIL, PASSWORD)).cookie!;
  cookieB = (await signIn(b.url, EMAIL, PASSWORD)).cookie!;
  goneA = (await signIn(a.url, GONE_EMAIL, PASSWORD)).cookie!;
  goneB = (await signIn(b.url, GONE_EMAIL, PASSWORD)).cookie!;
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

  it('quiz.start and quiz.submit: invalid, started, resumed, incomplete, malformed, graded, submitted again, locked (fast)', async () => {
    const quizPost = (action: string, fields: Post['fields'], locale: 'ja' | 'en' = 'ja', quizId = quiz.id): Post => ({
      path: `${locale === 'en' ? '/en' : ''}/quiz/${quizId}?_action=${action}`,
      fields,
    });
    expect(await compare(quizPost('quiz.start', {}))).toBe(true);
    expect(await compare(quizPost('quiz.start', { quizId: 'Not An Id!' }))).toBe(true);
    expect(await compare(quizPost('quiz.start', { quizId: quiz.id }))).toBe(true);
    expect(await compare(quizPost('quiz.start', { quizId: quiz.id }, 'en'))).toBe(true);
    const attemptId = openAttemptId();
    const answers = (correct: boolean, skip = 0): [string, string][] => [
      ['quizId', quiz.id],
      ['attemptId', attemptId],
      ...quiz.questions
        .slice(skip)
        .flatMap((q) => (correct ? q.correctOptionIds : [q.optionIds.find((o) => !q.correctOptionIds.includes(o))!]).map((o): [string, string] => [`answer.${q.id}`, o])),
    ];
    // Nothing stored: the quiz page again, with the choices kept and the missing questions named.
    expect(await compare(quizPost('quiz.submit', answers(true, 1)))).toBe(true);
    expect(await compare(quizPost('quiz.submit', [...answers(true), ['extra', 'x']]))).toBe(true);
    expect(
      await compare(
        quizPost('quiz.submit', [
          ['quizId', quiz.id],
          ['attemptId', 'short'],
        ]),
      ),
    ).toBe(true);
    expect(await compare(quizPost('quiz.submit', answers(true), 'en'))).toBe(true);
    // The same submission again (a double click, a replay): stored once, answered as already submitted.
    expect(await compare(quizPost('quiz.submit', answers(false)))).toBe(true);
    expect(await compare(quizPost('quiz.start', { quizId: 'no-such-quiz' }, 'ja', 'no-such-quiz'))).toBe(true);
    expect(await compare(quizPost('quiz.start', { quizId: LOCKED_QUIZ }, 'ja', LOCKED_QUIZ))).toBe(true);
    expect(
      await compare(
        quizPost(
          'quiz.submit',
          [
            ['quizId', LOCKED_QUIZ],
            ['attemptId', attemptId],
          ],
          'en',
          LOCKED_QUIZ,
        ),
      ),
    ).toBe(true);
    // A new attempt after the graded one: started, then the same start again at once.
    expect(await compare(quizPost('quiz.start', { quizId: quiz.id }))).toBe(true);
  });

  it('checkin.save and checkin.dismiss: saved, invalid, changed, dismissed (fast)', async () => {
    const home = (action: string, fields: Post['fields'], locale: 'ja' | 'en' = 'ja'): Post => ({ path: `${locale === 'en' ? '/en' : ''}/home?_action=${action}`, fields });
    expect(await compare(home('checkin.save', { hoursSaved: '0.3' }))).toBe(true);
    expect(await compare(home('checkin.save', { hoursSaved: '', tasks: 'x' }, 'en'))).toBe(true);
    expect(await compare(home('checkin.save', { hoursSaved: '2', tasks: 'a\u202eb' }))).toBe(true);
    expect(await compare(home('checkin.save', { hoursSaved: '2.5', tasks: '要約 & <メール>' }))).toBe(true);
    expect(await compare(home('checkin.save', { hoursSaved: '2.5', tasks: '要約 & <メール>' }))).toBe(true);
    expect(await compare(home('checkin.save', { hoursSaved: '4' }, 'en'))).toBe(true);
    expect(await compare(home('checkin.dismiss', { extra: '1' }))).toBe(true);
    expect(await compare(home('checkin.dismiss', {}, 'en'))).toBe(true);
  });

  it("refusals of the quiz and check-in forms are Astro's own (not fast)", async () => {
    const submit = { path: `/quiz/${quiz.id}?_action=quiz.submit`, fields: { quizId: quiz.id, attemptId: 'a'.repeat(24) } };
    const save = { path: '/home?_action=checkin.save', fields: { hoursSaved: '1' } };
    for (const post of [submit, save, { path: `/quiz/${quiz.id}?_action=quiz.start`, fields: { quizId: quiz.id } }]) {
      expect(await compare({ ...post, origin: 'foreign' })).toBe(false);
      expect(await compare({ ...post, origin: null })).toBe(false);
      expect(await compare({ ...post, cookie: 'none' })).toBe(false);
      expect(await compare({ ...post, type: 'multipart/form-data; boundary=x' })).toBe(false);
    }
    // An action posted to another action's page: Astro's.
    expect(await compare({ path: `/home?_action=quiz.start`, fields: { quizId: quiz.id } })).toBe(false);
    expect(await compare({ path: `/quiz/${quiz.id}/attempts/x?_action=quiz.start`, fields: { quizId: quiz.id } })).toBe(false);
  });

  it('an answer that cannot be kept for the redirect: the action ran once, the session was validated once, Astro answered', async () => {
    refuse('form_results', true);
    try {
      // A learner's answer travels in the cookie unless too big for one (a long comment echoed back): then the table, refused here.
      for (const [post, action] of [
        [{ path: `${lessonPath('ja', course.id, first)}?_action=lesson.feedback`, fields: { lessonId: first, rating: '2', comment: '一度だけ。'.repeat(200) } }, 'lesson.feedback'],
        [{ path: `${lessonPath('en', course.id, first)}?_action=lesson.feedback`, fields: { lessonId: first, rating: '4', comment: 'もう一度。'.repeat(200) } }, 'lesson.feedback'],
      ] as const) {
        const [runsA, runsB] = [runsOf(t.file, action), runsOf(fileB, action)];
        expect(await compare(post), action).toBe(false);
        expect(runsOf(fileB, action) - runsB, action).toBe(1);
        expect(runsOf(t.file, action) - runsA, action).toBe(1);
        expect(lastA, action).toEqual({ validations: 1, handed: 1 });
      }
    } finally {
      refuse('form_results', false);
    }
  });

  it('an answer shown on the POST (a server fault in the action): run once, validated once, rendered by Astro from the result', async () => {
    refuse('lesson_feedback', true);
    try {
      expect(await compare({ path: `${lessonPath('en', course.id, first)}?_action=lesson.feedback`, fields: { lessonId: first, rating: '3' } })).toBe(false);
      expect(lastA).toEqual({ validations: 1, handed: 1 });
    } finally {
      refuse('lesson_feedback', false);
    }
  });

  it('a deactivated learner: signed out (the session deleted, the cookie cleared) after one validation', async () => {
    for (const file of [t.file, fileB]) onDatabase(file, (sqlite) => sqlite.prepare('UPDATE users SET active = 0 WHERE email = ?').run(GONE_EMAIL));
    expect(await compare({ path: `/quiz/${quiz.id}?_action=quiz.start`, fields: { quizId: quiz.id }, cookie: 'gone' })).toBe(false);
    expect(lastA).toEqual({ validations: 1, handed: 0 });
    const sessions = (file: string): number =>
      onDatabase(file, (sqlite) => (sqlite.prepare('SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ?').get(GONE_EMAIL) as { n: number }).n);
    expect([sessions(t.file), sessions(fileB)]).toEqual([0, 0]);
  });

  it('a lesson page the fast lesson handler leaves to Astro (a locked course, a query string) validates its session once', async () => {
    for (const target of [lessonPath('ja', LOCKED.course, LOCKED.lesson), `${lessonPath('en', course.id, first)}?from=search`]) {
      const before = linesOf(SESSION_LINE);
      const [fast, astro] = await Promise.all([fetch(a.url + target, { headers: { cookie: cookieA } }), fetch(b.url + target, { headers: { cookie: cookieB } })]);
      expect(fast.status, target).toBe(astro.status);
      expectSame(await fast.text(), await astro.text(), target);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(linesOf(SESSION_LINE) - before, target).toBe(1);
    }
  });
});
