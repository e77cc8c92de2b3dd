/**
 * The built server on PostgreSQL (issue 18, item 1): DATABASE_URL set, the same build the SQLite
 * suites serve. A learner signs in, reads, completes a lesson, gives feedback, answers the
 * check-in, takes and passes a quiz; an admin and a champion open their pages. Every page answers
 * 200, every post its 303, the rows are stored, and the server logs no error.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, lessonCompletions, lessonFeedback, quizAttempts, users } from '../../db/schema/index.ts';
import type { Db } from '../../src/platform/db.server.ts';
import { openPostgres, postgresReady } from '../../src/platform/postgres.server.ts';
import { addUser } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, postForm, signIn } from '../helpers/http.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';

let cluster: PostgresCluster;
let db: Db;
let server: RunningServer;
let learnerId: number;

const catalog = fixtureCatalog();
const course = catalog.tiers[0]!.courses[0]!;
const lesson = course.lessons[0]!;
const quiz = catalog.quiz('basic-ai-essentials')!;

beforeAll(async () => {
  cluster = await startPostgres();
  db = openPostgres({ url: cluster.url, poolSize: 2, connectTimeoutMs: 5000, idleTimeoutMs: 1000, statementTimeoutMs: 5000 });
  await postgresReady(db);
  await addUser(db, { email: 'admin@example.co.jp', password: 'admin password 1', role: 'admin' });
  await addUser(db, { email: 'champion@example.co.jp', password: 'champion password 1', role: 'champion' });
  learnerId = await addUser(db, { email: 'learner@example.co.jp', password: 'learner password 1' });
  // The database path is unused: DATABASE_URL selects PostgreSQL.
  server = await startServer({ databasePath: `${cluster.dir}/unused.db`, outDir: FIXTURE_OUT_DIR, env: { DATABASE_URL: cluster.url } });
});

afterAll(async () => {
  await server?.stop();
  await db?.close();
  await cluster?.stop();
});

const errorsLogged = (): string[] =>
  server
    .output()
    .split('\n')
    .filter((line) => /"level":(50|60)/.test(line));

async function expectPages(cookie: string | null, paths: string[]): Promise<void> {
  // A refused sign-in would otherwise show up as a wall of 303s to /login.
  expect(cookie, 'signed in').not.toBeNull();
  const statuses = Object.fromEntries(await Promise.all(paths.map(async (p) => [p, (await get(server.url, p, cookie)).status] as const)));
  expect(statuses).toEqual(Object.fromEntries(paths.map((p) => [p, 200])));
}

describe('the server on PostgreSQL', () => {
  it('takes a learner through reading, completing, feedback, the check-in and a passed quiz', async () => {
    const { cookie } = await signIn(server.url, 'learner@example.co.jp', 'learner password 1');
    const lessonPath = `/learn/${course.id}/${lesson.id}`;
    await expectPages(cookie, ['/home', '/en/home', lessonPath, `/en${lessonPath}`, '/transcript', `/quiz/${quiz.id}`, '/search']);

    const complete = await postForm(server.url, `${lessonPath}?_action=lesson.complete`, cookie, { lessonId: lesson.id });
    expect(complete.status).toBe(303);
    const feedback = await postForm(server.url, `${lessonPath}?_action=lesson.feedback`, cookie, { lessonId: lesson.id, rating: '4', comment: '分かりやすい' });
    expect(feedback.status).toBe(303);
    expect((await postForm(server.url, '/home?_action=checkin.save', cookie, { usage: 'weekly' })).status).toBe(303);
    expect((await postForm(server.url, `/quiz/${quiz.id}?_action=quiz.start`, cookie, { quizId: quiz.id })).status).toBe(303);
    const open = await db.read(async (q) =>
      q
        .select({ id: quizAttempts.id })
        .from(quizAttempts)
        .where(and(eq(quizAttempts.userId, learnerId), isNull(quizAttempts.submittedAt))),
    );
    expect(open).toHaveLength(1);
    const answers: [string, string][] = [
      ['quizId', quiz.id],
      ['attemptId', String(open[0]!.id)],
      ...quiz.questions.flatMap((question) => question.correctOptionIds.map((o): [string, string] => [`answer.${question.id}`, o])),
    ];
    expect((await postForm(server.url, `/quiz/${quiz.id}?_action=quiz.submit`, cookie, answers)).status).toBe(303);

    const stored = await db.read(async (q) => ({
      completions: await q.select().from(lessonCompletions).where(eq(lessonCompletions.userId, learnerId)),
      feedback: await q.select().from(lessonFeedback).where(eq(lessonFeedback.userId, learnerId)),
      attempts: await q.select().from(quizAttempts).where(eq(quizAttempts.userId, learnerId)),
    }));
    expect(stored.completions.map((c) => c.lessonId)).toEqual([lesson.id]);
    expect(stored.feedback.map((f) => f.rating)).toEqual([4]);
    expect(stored.attempts.map((a) => [a.passed, a.submittedAt !== null])).toEqual([[true, true]]);
    // The pages after it, with the stored progress.
    await expectPages(cookie, ['/home', lessonPath, '/transcript', `/quiz/${quiz.id}`]);
    expect(errorsLogged()).toEqual([]);
  });

  it("opens the admin's and the champion's pages", async () => {
    const admin = await signIn(server.url, 'admin@example.co.jp', 'admin password 1');
    await expectPages(admin.cookie, [
      '/admin',
      '/en/admin',
      '/admin/users',
      '/admin/assignments',
      '/admin/audit',
      '/admin/notifications',
      '/admin/exports',
      '/admin/helpdesk',
      '/admin/lessons',
      '/admin/policies',
      '/admin/settings',
      '/admin/waves',
    ]);
    const champion = await signIn(server.url, 'champion@example.co.jp', 'champion password 1');
    await expectPages(champion.cookie, ['/champion', '/en/champion', '/home']);
    expect(errorsLogged()).toEqual([]);
  });

  it("gives the admin every export from PostgreSQL, each with the learner's rows as SQLite gives them", async () => {
    const admin = await signIn(server.url, 'admin@example.co.jp', 'admin password 1');
    const download = async (file: string): Promise<string> => {
      const response = await get(server.url, `/admin/exports/${file}`, admin.cookie);
      expect(response.status, file).toBe(200);
      return (await response.text()).replace(/^\uFEFF/, '');
    };
    const lessonId = lesson.id;
    const completions = (await download('completions.csv')).split(/\r?\n/);
    expect(completions.find((line) => line.startsWith('learner@example.co.jp,'))).toMatch(
      new RegExp(`^learner@example\\.co\\.jp,${lessonId},${course.id},basic,\\d{4}-\\d\\d-\\d\\dT[^,]+,1,`),
    );
    const attempts = (await download('attempts.csv')).split(/\r?\n/).filter((line) => line.includes('learner@example.co.jp'));
    expect(attempts).toHaveLength(quiz.questions.length);
    // Booleans and the chosen options as on SQLite: "yes", and the option ids separated by spaces.
    for (const line of attempts) expect(line).toMatch(new RegExp(`,${quiz.id},[^,]+,[^,]+,\\d+,\\d+,yes,[^,]+,[^,]+,yes,1,`));
    expect(await download('users.csv')).toContain('learner@example.co.jp');
    expect(await download('policies.csv')).toMatch(/^[^\n]*email/);
    expect(await download('kpis.csv')).toMatch(/\S/);
    const evidence = await download('evidence.csv');
    expect(evidence).toContain('learner@example.co.jp');
    const statements = JSON.parse(await download('xapi.json')) as { verb: { id: string }; object: { id: string } }[];
    expect(statements.some((st) => st.verb.id.endsWith('/completed') && st.object.id.endsWith(lessonId))).toBe(true);
    expect(statements.some((st) => st.verb.id.endsWith('/passed'))).toBe(true);
    expect(errorsLogged()).toEqual([]);
  });

  it('imports a users CSV upload on PostgreSQL (in the import worker, with its own pool), all or nothing', async () => {
    const admin = await signIn(server.url, 'admin@example.co.jp', 'admin password 1');
    const emails = async (): Promise<string[]> => (await db.read(async (q) => await q.select({ email: users.email }).from(users))).map((u) => u.email).sort();
    const upload = async (csv: string): Promise<Response> => {
      const form = new FormData();
      form.set('file', new File([csv], 'users.csv', { type: 'text/csv' }));
      return fetch(`${server.url}/_actions/admin.importUsers`, { method: 'POST', headers: { origin: server.url, cookie: admin.cookie! }, body: form });
    };
    const before = await emails();
    // One bad line: nothing of the file is written.
    const refused = await upload('email,name,department,role\nfirst@example.co.jp,First,新しい部,learner\nbroken,B,営業部,learner\n');
    expect(refused.status, await refused.clone().text()).toBeLessThan(500);
    expect(await refused.text()).toContain('bad_email');
    expect(await emails()).toEqual(before);

    const response = await upload('email,name,department,role\nnewcomer@example.co.jp,New Comer,営業部,learner\nlead@example.co.jp,Lead,新しい部,champion\n');
    const body = await response.text();
    expect(response.status, body).toBeLessThan(500);
    expect(await emails()).toEqual([...before, 'lead@example.co.jp', 'newcomer@example.co.jp'].sort());
    const created = await db.read(async (q) => await q.select({ role: users.role, departmentId: users.departmentId }).from(users).where(eq(users.email, 'lead@example.co.jp')));
    expect(created[0]?.role).toBe('champion');
    const audited = await db.read(async (q) => await q.select({ action: auditLog.action, details: auditLog.details }).from(auditLog).where(eq(auditLog.action, 'user.created')));
    expect(audited.map((a) => (a.details as { email?: string }).email)).toEqual(expect.arrayContaining(['lead@example.co.jp', 'newcomer@example.co.jp']));
    expect(errorsLogged()).toEqual([]);
  });
});
