/**
 * A renewal cycle end to end, on the real built server with its clock moved forward
 * (MANABI_CLOCK_FILE): a learner completes the basic tier (valid 12 months, window 30 days in the
 * fixture); when the window opens a new cycle starts and home says "renew by"; the old certificate
 * verifies until its date, then shows expired; completing the renewal issues a new certificate;
 * both cycles stay in the records.
 */
import path from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, lessonCompletions, quizAttempts } from '../../db/schema/index.ts';
import { writeClockFile } from '../../src/platform/clock.server.ts';
import { type Db, rawDrizzle } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb, reopenDb } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, postForm, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { first } from '../../src/platform/query.ts';

const PASSWORD = 'renewal password 1';
const EMAIL = 'renew@example.com';
const DAY = 86_400_000;
const ADMIN_EMAIL = 'renew-admin@example.com';
const catalog = fixtureCatalog();
const course = catalog.course('basic-ai-essentials')!;
const quiz = catalog.quiz('basic-ai-essentials')!;

let t: TempDb;
let server: RunningServer;
let db: Db;
let clockFile: string;
let userId: number;
let cookie: string;

/** Moves the server's clock to `at` (from the real time) and signs in again: a long jump outlives any session. */
async function moveClockTo(at: number): Promise<void> {
  writeClockFile(clockFile, at - Date.now());
  cookie = (await signIn(server.url, EMAIL, PASSWORD)).cookie!;
}

async function passQuiz(): Promise<Response> {
  expect((await postForm(server.url, `/quiz/${quiz.id}?_action=quiz.start`, cookie, { quizId: quiz.id })).status).toBe(303);
  const html = await (await get(server.url, `/quiz/${quiz.id}`, cookie)).text();
  const attemptId = /name="attemptId" value="([a-z2-9]{24})"/.exec(html)?.[1];
  expect(attemptId).toBeDefined();
  const fields: [string, string][] = [
    ['quizId', quiz.id],
    ['attemptId', attemptId!],
  ];
  const layout = first(await rawDrizzle(db).select({ layout: quizAttempts.layout }).from(quizAttempts).where(eq(quizAttempts.id, attemptId!)))!.layout;
  const shown = layout ? layout.questions.map((q) => q.id) : quiz.questions.map((q) => q.id);
  for (const q of quiz.questions.filter((question) => shown.includes(question.id))) for (const option of q.correctOptionIds) fields.push([`answer.${q.id}`, option]);
  return postForm(server.url, `/quiz/${quiz.id}?_action=quiz.submit`, cookie, fields);
}

const certificateRows = async () => await rawDrizzle(db).select().from(certificates).where(eq(certificates.userId, userId)).orderBy(asc(certificates.cycle));
const page = async (p: string): Promise<string> => (await get(server.url, p, cookie)).text();

beforeAll(async () => {
  t = tempDb();
  userId = await addUser(t.db, { email: EMAIL, password: PASSWORD, name: '更新 太郎' });
  await addUser(t.db, { email: ADMIN_EMAIL, password: PASSWORD, role: 'admin' });
  void t.db.close();
  clockFile = path.join(t.dir, 'clock.json');
  writeClockFile(clockFile, 0);
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR, env: { MANABI_CLOCK_FILE: clockFile } });
  db = reopenDb(t.file);
  cookie = (await signIn(server.url, EMAIL, PASSWORD)).cookie!;
});

afterAll(async () => {
  await server?.stop();
  if (db) void db.close();
  t?.cleanup();
});

describe('a renewal cycle', () => {
  it('the first cycle issues a certificate valid for the tier’s 12 months', async () => {
    expect(catalog.tier('basic')!.renewal).toMatchObject({ validForMonths: 12, renewWindowDays: 30 });
    for (const lesson of course.lessons) {
      expect((await postForm(server.url, `/learn/${course.id}/${lesson.id}?_action=lesson.complete`, cookie, { lessonId: lesson.id })).status).toBe(303);
    }
    expect((await passQuiz()).status).toBe(303);
    const [first] = await certificateRows();
    expect(first).toMatchObject({ cycle: 1, tierId: 'basic' });
    const months = (first!.validUntil!.getTime() - first!.issuedAt.getTime()) / DAY;
    expect(months).toBeGreaterThanOrEqual(365);
    expect(months).toBeLessThanOrEqual(366);
    expect(await page(`/verify/${first!.code}`)).toContain('この修了証は有効です');
    expect(await page('/home')).not.toContain('までに更新してください');
  });

  it('the renewal window opens a new cycle: home says renew by, the course asks for the quiz, the old certificate still verifies', async () => {
    const [first] = await certificateRows();
    await moveClockTo(first!.validUntil!.getTime() - 29 * DAY);
    const home = await page('/home');
    expect(home).toContain('基礎の修了証を');
    expect(home).toContain('までに更新してください');
    expect(await page('/en/home')).toContain('Renew your Basic certificate by');
    const coursePage = await page(`/learn/${course.id}`);
    expect(coursePage).toContain('確認テスト1件');
    expect(await page(`/verify/${first!.code}`)).toContain('この修了証は有効です');
  });

  it('after its date the old certificate shows expired, and home says so', async () => {
    const [first] = await certificateRows();
    await moveClockTo(first!.validUntil!.getTime() + DAY);
    const verify = await page(`/verify/${first!.code}`);
    expect(verify).toContain('有効期限が切れています');
    expect(verify).not.toContain('この修了証は有効です');
    expect(await page('/home')).toContain('有効期限が切れました');
  });

  it('completing the renewal issues a new certificate; both cycles are kept', async () => {
    expect((await passQuiz()).status).toBe(303);
    const rows = await certificateRows();
    expect(rows.map((c) => c.cycle)).toEqual([1, 2]);
    const [first, second] = rows as [(typeof rows)[0], (typeof rows)[0]];
    expect(second.issuedAt.getTime()).toBeGreaterThan(first.validUntil!.getTime());
    expect(await page(`/verify/${second.code}`)).toContain('この修了証は有効です');
    expect(await page(`/verify/${first.code}`)).toContain('有効期限が切れています');
    expect(await page('/home')).not.toContain('有効期限が切れました');
    // The first cycle's records are not overwritten: its completions and its passed attempt stay in cycle 1.
    const attempts = await rawDrizzle(db).select({ cycle: quizAttempts.cycle, passed: quizAttempts.passed }).from(quizAttempts).where(eq(quizAttempts.userId, userId));
    expect(attempts.map((a) => a.cycle).sort()).toEqual([1, 2]);
    const completions = await rawDrizzle(db)
      .select({ cycle: lessonCompletions.cycle })
      .from(lessonCompletions)
      .where(and(eq(lessonCompletions.userId, userId)));
    expect(completions.map((c) => c.cycle)).toEqual([1, 1]);
  });

  it('the transcript lists both cycles with their certificates and dates', async () => {
    const [first, second] = (await certificateRows()) as [Awaited<ReturnType<typeof certificateRows>>[0], Awaited<ReturnType<typeof certificateRows>>[0]];
    const transcript = await page('/transcript');
    expect(transcript).toContain('1回目（初回）');
    expect(transcript).toContain('2回目（更新）');
    for (const c of [first, second]) expect(transcript).toContain(c.code);
    expect(transcript).toContain('期限切れ');
    const csv = await page('/transcript.csv');
    const certificateLines = csv.split('\n').filter((line) => line.startsWith('certificate,'));
    expect(certificateLines).toHaveLength(2);
    expect(certificateLines.map((line) => line.split(',')[2])).toEqual(['1', '2']);
  });

  it('the completions and attempts exports name each record’s cycle and content version', async () => {
    const admin = (await signIn(server.url, ADMIN_EMAIL, PASSWORD)).cookie!;
    const lines = async (p: string): Promise<string[][]> =>
      (await (await get(server.url, p, admin)).text())
        .trim()
        .split(/\r?\n/)
        .map((line) => line.split(','));
    const completions = (await lines('/admin/exports/completions.csv')).filter((row) => row[0] === EMAIL || row[0] === 'email');
    expect(completions[0]!.slice(-2)).toEqual(['cycle', 'content_version']);
    const stored = await rawDrizzle(db)
      .select({ lesson: lessonCompletions.lessonId, cycle: lessonCompletions.cycle, version: lessonCompletions.contentVersion })
      .from(lessonCompletions)
      .where(eq(lessonCompletions.userId, userId));
    expect(
      completions
        .slice(1)
        .map((row) => [row[1], row.at(-2), row.at(-1)])
        .sort(),
    ).toEqual(stored.map((r) => [r.lesson, String(r.cycle), r.version]).sort());
    const attempts = (await lines('/admin/exports/attempts.csv')).filter((row) => row[1] === EMAIL || row[0] === 'attempt_id');
    expect(attempts[0]!.slice(-3)).toEqual(['cycle', 'quiz_version', 'question_version']);
    // One row per answer: both cycles' attempts appear, each with the quiz version it was made against.
    expect(new Set(attempts.slice(1).map((row) => row.at(-3)))).toEqual(new Set(['1', '2']));
    const versions = await rawDrizzle(db).select({ cycle: quizAttempts.cycle, version: quizAttempts.contentVersion }).from(quizAttempts).where(eq(quizAttempts.userId, userId));
    for (const row of attempts.slice(1)) expect(versions).toContainEqual({ cycle: Number(row.at(-3)), version: row.at(-2) });
  });
});
