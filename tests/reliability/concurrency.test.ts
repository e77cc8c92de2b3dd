/**
 * Concurrency: 50 signed-in learners (50 distinct users) complete lessons and start and submit
 * quizzes against one server (fixture curriculum) for 20 s, with double clicks (the same
 * completion twice at once, the same attempt submitted twice at once). No answer may be a 5xx
 * (nor a 4xx: every request is one the learning path allows), and the database must hold
 * exactly what was acknowledged: one submitted attempt per acknowledged attempt (a double
 * submission stores one), one completion row per acknowledged (user, lesson) pair (completing
 * a lesson again stores nothing new), and nothing that was not acknowledged.
 */
import { randomInt } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { gradeAnswers } from '../../src/features/quiz/quiz.ts';
import { tempDb, type TempDb } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { answerSheet, LearnerClient, missingSubmissions, PASSWORD, pickOne, seedUsers, Tally, type AcknowledgedSubmission } from './support.ts';

const CLIENTS = 50;
const DURATION_MS = 20_000;

const catalog = fixtureCatalog();
let t: TempDb | null = null;
let server: RunningServer | null = null;

afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

interface Ledger {
  /** Success answers to completions (double clicks included) and the distinct `userId:lessonId` pairs. */
  completionAcks: number;
  completions: Set<string>;
  /** Success answers to submissions (double submissions included) and the distinct attempts. */
  submitAcks: number;
  submissions: Map<string, AcknowledgedSubmission>;
  other: string[];
}

async function drive(client: LearnerClient, base: string, until: number, ledger: Ledger): Promise<void> {
  while (Date.now() < until) {
    const { lessons, quizzes } = client.openSteps();
    if (randomInt(10) < 3 || quizzes.length === 0) {
      const { lessonId, courseId } = pickOne(lessons);
      const clicks = randomInt(5) === 0 ? 2 : 1;
      const outcomes = await Promise.all(Array.from({ length: clicks }, () => client.complete(base, courseId, lessonId)));
      for (const outcome of outcomes) {
        if (outcome.kind === 'ack') {
          ledger.completionAcks++;
          ledger.completions.add(`${client.user.id}:${lessonId}`);
        } else ledger.other.push(`${client.user.email} complete ${lessonId}: ${JSON.stringify(outcome)}`);
      }
      continue;
    }
    const quiz = pickOne(quizzes);
    const { outcome, attemptId } = await client.start(base, quiz.id);
    if (outcome.kind !== 'ack' || attemptId === null) {
      ledger.other.push(`${client.user.email} start ${quiz.id}: ${JSON.stringify(outcome)}, attempt ${attemptId}`);
      continue;
    }
    // Now and then the same attempt submitted twice at once (a double click, or two tabs with
    // different choices): both are answered with the result, and one of the two is stored, whole.
    // (The two sheets pass or fail alike, so the learner's own record of what is unlocked stays exact.)
    const sheet = () => answerSheet(quiz, quiz.maxAttempts === null ? 'random' : true);
    const sheets = [sheet()];
    if (randomInt(6) === 0) {
      const passes = gradeAnswers(quiz, null, sheets[0]!).passed;
      let second = sheet();
      for (let i = 0; i < 20 && gradeAnswers(quiz, null, second).passed !== passes; i++) second = sheet();
      sheets.push(gradeAnswers(quiz, null, second).passed === passes ? second : sheets[0]!);
    }
    const outcomes = await Promise.all(sheets.map((answers) => client.submit(base, quiz.id, attemptId, answers)));
    const acknowledged = sheets.filter((_, i) => outcomes[i]!.kind === 'ack');
    for (const submitted of outcomes) {
      if (submitted.kind === 'ack') ledger.submitAcks++;
      else ledger.other.push(`${client.user.email} submit ${attemptId}: ${JSON.stringify(submitted)}`);
    }
    if (acknowledged.length > 0) ledger.submissions.set(attemptId, { userId: client.user.id, quizId: quiz.id, answers: acknowledged });
  }
}

it(`stores exactly what ${CLIENTS} concurrent learners were told was saved, with no 5xx`, async () => {
  t = tempDb();
  const users = await seedUsers(t.db, CLIENTS, { prefix: 'load' });
  void t.db.close();
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
  const base = server.url;

  const tally = new Tally();
  const clients = await Promise.all(
    users.map(async (user) => {
      const { cookie } = await signIn(base, user.email, PASSWORD);
      expect(cookie, `sign-in of ${user.email}`).toBeTruthy();
      return new LearnerClient(user, cookie!, catalog, tally, 30_000);
    }),
  );

  const ledger: Ledger = { completionAcks: 0, completions: new Set(), submitAcks: 0, submissions: new Map(), other: [] };
  const until = Date.now() + DURATION_MS;
  await Promise.all(clients.map((client) => drive(client, base, until, ledger)));
  await server.stop();
  server = null;

  const sqlite = new Database(t.file);
  try {
    const ids = users.map((u) => u.id);
    const inUsers = `user_id in (${ids.join(',')})`;
    const storedAttempts = sqlite
      .prepare<[], { id: string }>(`select id from quiz_attempts where submitted_at is not null and ${inUsers}`)
      .all()
      .map((r) => r.id);
    const storedCompletions = sqlite
      .prepare<[], { user_id: number; lesson_id: string }>(`select user_id, lesson_id from lesson_completions where ${inUsers}`)
      .all()
      .map((r) => `${r.user_id}:${r.lesson_id}`);

    console.log(
      `[reliability] concurrency: ${CLIENTS} clients for ${DURATION_MS / 1000} s, ${tally.requests} requests: ` +
        `${tally.ok} 2xx/3xx, ${tally.client} 4xx, ${tally.server} 5xx, ${tally.noAnswer} without answer; ` +
        `submissions ${ledger.submitAcks} success answers for ${ledger.submissions.size} attempts, ${storedAttempts.length} submitted attempts stored; ` +
        `completions ${ledger.completionAcks} success answers for ${ledger.completions.size} (user, lesson) pairs, ${storedCompletions.length} rows stored`,
    );

    expect(tally.serverErrors, '5xx answers').toEqual([]);
    expect(tally.noAnswer, 'requests without an answer').toBe(0);
    expect(tally.clientErrors, '4xx answers to requests the learning path allows').toEqual([]);
    expect(ledger.other, 'refused or unanswered steps').toEqual([]);

    expect(storedAttempts.length).toBe(ledger.submissions.size);
    expect(new Set(storedAttempts)).toEqual(new Set(ledger.submissions.keys()));
    expect(missingSubmissions(sqlite, catalog, ledger.submissions)).toEqual([]);
    expect(storedCompletions.length).toBe(ledger.completions.size);
    expect(new Set(storedCompletions)).toEqual(ledger.completions);
    // The load must have been real, double clicks included.
    expect(ledger.submitAcks).toBeGreaterThan(ledger.submissions.size);
    expect(ledger.completionAcks).toBeGreaterThan(ledger.completions.size);
    expect(ledger.submissions.size).toBeGreaterThan(200);
  } finally {
    sqlite.close();
  }
});
