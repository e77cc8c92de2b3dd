/**
 * Crash safety: the built server (fixture curriculum) under write load from several learners
 * at once is killed with SIGKILL at random moments, again and again, and restarted on the same
 * database file each time (a stale pid file left behind by the kill must not stop it).
 * Every write the server acknowledged — a lesson completion, a started attempt, a submitted
 * attempt with its answers — must be in the database afterwards, and the file must be sound:
 * `PRAGMA integrity_check` ok, `PRAGMA foreign_key_check` empty.
 */
import fs from 'node:fs';
import { randomInt } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { tempDb, type TempDb } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { answerSheet, LearnerClient, missingSubmissions, PASSWORD, pickOne, seedUsers, sleep, Tally, type AcknowledgedSubmission } from './support.ts';

const KILLS = 20;
const USERS = 16;
const CLIENTS = 8;
/** The server is killed this long (ms, uniformly random) after it is up and the clients are running. */
const KILL_AFTER = { min: 50, max: 1500 };

const catalog = fixtureCatalog();
let t: TempDb | null = null;
let server: RunningServer | null = null;

afterAll(async () => {
  if (server && server.process.exitCode === null && server.process.signalCode === null) server.process.kill('SIGKILL');
  t?.cleanup();
});

interface Ledger {
  /** `userId:lessonId` → acknowledgements of that completion. */
  completions: Map<string, number>;
  /** attempt id → the user and quiz a started attempt was shown for (read after an acknowledged start). */
  started: Map<string, { userId: number; quizId: string }>;
  startAcks: number;
  /** attempt id → the answers of its acknowledged submission. */
  submissions: Map<string, AcknowledgedSubmission>;
  submitAcks: number;
  /** A request without answer while the server was supposed to be up: a crash nobody caused. */
  unexpectedNoAnswer: string[];
}

function exited(child: RunningServer['process']): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

async function drive(client: LearnerClient, base: string, stop: { killed: boolean }, ledger: Ledger): Promise<void> {
  const lost = (error: string): boolean => {
    if (!stop.killed) ledger.unexpectedNoAnswer.push(`${client.user.email}: ${error}`);
    return true;
  };
  while (!stop.killed) {
    const { lessons, quizzes } = client.openSteps();
    if ((randomInt(3) === 0 || quizzes.length === 0) && lessons.length > 0) {
      const { courseId, lessonId } = pickOne(lessons);
      const outcome = await client.complete(base, courseId, lessonId);
      if (outcome.kind === 'ack') {
        const key = `${client.user.id}:${lessonId}`;
        ledger.completions.set(key, (ledger.completions.get(key) ?? 0) + 1);
      } else if (outcome.kind === 'no-answer' && lost(outcome.error)) break;
      continue;
    }
    if (quizzes.length === 0) break;
    const quiz = pickOne(quizzes);
    const { outcome, attemptId } = await client.start(base, quiz.id);
    if (outcome.kind === 'no-answer' && lost(outcome.error)) break;
    if (outcome.kind !== 'ack') continue;
    ledger.startAcks++;
    if (attemptId === null) continue;
    ledger.started.set(attemptId, { userId: client.user.id, quizId: quiz.id });
    // Limited quizzes are answered correctly, so the path stays open; the others at random.
    const answers = answerSheet(quiz, quiz.maxAttempts === null ? 'random' : true);
    const submitted = await client.submit(base, quiz.id, attemptId, answers);
    if (submitted.kind === 'ack') {
      ledger.submitAcks++;
      ledger.submissions.set(attemptId, { userId: client.user.id, quizId: quiz.id, answers: [answers] });
    } else if (submitted.kind === 'no-answer' && lost(submitted.error)) break;
  }
}

it(`keeps every acknowledged write through ${KILLS} kill -9 and restarts`, async () => {
  t = tempDb();
  const users = await seedUsers(t.db, USERS, { prefix: 'crash' });
  void t.db.close();
  const pidFile = `${t.file}.pid`;
  const tally = new Tally();
  const ledger: Ledger = { completions: new Map(), started: new Map(), startAcks: 0, submissions: new Map(), submitAcks: 0, unexpectedNoAnswer: [] };

  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
  const clients: LearnerClient[] = [];
  for (const user of users) {
    const { cookie } = await signIn(server.url, user.email, PASSWORD);
    expect(cookie, `sign-in of ${user.email}`).toBeTruthy();
    clients.push(new LearnerClient(user, cookie!, catalog, tally));
  }

  let kills = 0;
  for (let cycle = 0; cycle < KILLS; cycle++) {
    if (cycle > 0) {
      // The last kill left its pid file behind; the server must start anyway, on the same file.
      expect(fs.existsSync(pidFile), 'stale pid file after kill -9').toBe(true);
      server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
    }
    expect(fs.readFileSync(pidFile, 'utf8').trim()).toBe(String(server.process.pid));
    const base = server.url;
    const stop = { killed: false };
    const pool = [...clients].sort(() => Math.random() - 0.5).slice(0, CLIENTS);
    const running = pool.map((client) => drive(client, base, stop, ledger));
    await sleep(KILL_AFTER.min + randomInt(KILL_AFTER.max - KILL_AFTER.min));
    // Same tick: no client continuation runs between the kill and the flag.
    server.process.kill('SIGKILL');
    stop.killed = true;
    await exited(server.process);
    expect(server.process.signalCode).toBe('SIGKILL');
    kills++;
    await Promise.all(running);
  }

  // One more start after the last kill, then a clean stop: the file the next real start finds.
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  await server.stop();
  expect(fs.existsSync(pidFile), 'a clean stop removes the pid file').toBe(false);

  const sqlite = new Database(t.file);
  try {
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(sqlite.pragma('foreign_key_check')).toEqual([]);

    const lost: string[] = [];
    let verified = 0;
    const completion = sqlite.prepare('select 1 from lesson_completions where user_id = ? and lesson_id = ?');
    for (const [key, acks] of ledger.completions) {
      const [userId, lessonId] = key.split(':');
      if (completion.get(Number(userId), lessonId)) verified += acks;
      else lost.push(`completion ${key} (${acks} acknowledgements)`);
    }
    const attempt = sqlite.prepare<[string], { user_id: number; quiz_id: string }>('select user_id, quiz_id from quiz_attempts where id = ?');
    let startsVerified = 0;
    for (const [attemptId, { userId, quizId }] of ledger.started) {
      const row = attempt.get(attemptId);
      if (row && row.user_id === userId && row.quiz_id === quizId) startsVerified++;
      else lost.push(`started attempt ${attemptId} of user ${userId}`);
    }
    const submissionProblems = missingSubmissions(sqlite, catalog, ledger.submissions);
    lost.push(...submissionProblems);
    const submissionsVerified = ledger.submissions.size - submissionProblems.length;

    // A start counts once per attempt the quiz page then showed (an acknowledged start whose page
    // load a kill cut off names no attempt to look for; those are in startAcks, not checked).
    const acknowledged = [...ledger.completions.values()].reduce((a, b) => a + b, 0) + ledger.started.size + ledger.submitAcks;
    // Submissions are unique per attempt (one client per learner never submits an attempt twice).
    expect(ledger.submissions.size).toBe(ledger.submitAcks);
    verified += startsVerified + submissionsVerified;

    console.log(
      `[reliability] crash: ${kills} kills survived, ${acknowledged} writes acknowledged, ${verified} verified ` +
        `(completions ${[...ledger.completions.values()].reduce((a, b) => a + b, 0)} acks of ${ledger.completions.size} rows, ` +
        `attempts started ${ledger.started.size}, submissions ${ledger.submitAcks}); ` +
        `${tally.requests} requests: ${tally.ok} 2xx/3xx, ${tally.client} 4xx, ${tally.server} 5xx, ${tally.noAnswer} cut off by a kill`,
    );
    // 4xx are expected only where a kill hid a committed write from the client (e.g. its last
    // attempt of a limited quiz was stored but never acknowledged, so a new start is refused).
    if (tally.clientErrors.length > 0) console.log(`[reliability] crash: first 4xx answers: ${tally.clientErrors.slice(0, 5).join('; ')}`);
    expect(lost, 'acknowledged writes missing after the crashes').toEqual([]);
    expect(verified).toBe(acknowledged);
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(ledger.submitAcks, 'the load must really write').toBeGreaterThan(100);
    expect(ledger.completions.size).toBeGreaterThan(USERS);
  } finally {
    sqlite.close();
  }
  expect(ledger.unexpectedNoAnswer, 'requests that died while the server was meant to be up').toEqual([]);
  expect(tally.serverErrors, '5xx answers').toEqual([]);
});
