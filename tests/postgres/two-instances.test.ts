/**
 * Two Manabi instances, one PostgreSQL (issue 18, tests): two built servers on different ports share
 * one throwaway cluster, as two containers behind a load balancer do. A session made on one works
 * on the other and ends on both; learners spread over both for 20 s get no 5xx and every write they
 * were told was stored is stored, with one open attempt at most; killing one instance (kill -9)
 * again and again under load leaves the other answering and loses nothing acknowledged; and a
 * restart of PostgreSQL under load is answered with 503 (never 500) and recovers by itself.
 */
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import { and, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonCompletions, quizAttempts } from '../../db/schema/index.ts';
import type { Db } from '../../src/platform/db.server.ts';
import { openPostgres, postgresReady } from '../../src/platform/postgres.server.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, postForm, signIn } from '../helpers/http.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import {
  type AcknowledgedSubmission,
  answerSheet,
  LearnerClient,
  missingSubmissionsIn,
  PASSWORD,
  pickOne,
  type SeededUser,
  seedUsers,
  sleep,
  Tally,
} from '../reliability/support.ts';

const CLIENTS = 50;
const LOAD_MS = 20_000;
const KILLS = 10;

const catalog = fixtureCatalog();
let cluster: PostgresCluster;
let db: Db;
let users: SeededUser[];
const servers: { a: RunningServer | null; b: RunningServer | null } = { a: null, b: null };

const start = (): Promise<RunningServer> =>
  // The database path is unused: DATABASE_URL selects PostgreSQL.
  startServer({ databasePath: `${cluster.dir}/unused.db`, outDir: FIXTURE_OUT_DIR, env: { DATABASE_URL: cluster.url, DATABASE_POOL_SIZE: '8' } });

beforeAll(async () => {
  cluster = await startPostgres();
  db = openPostgres({ url: cluster.url, poolSize: 4, connectTimeoutMs: 5000, idleTimeoutMs: 1000, statementTimeoutMs: 10_000 });
  await postgresReady(db);
  users = await seedUsers(db, CLIENTS + 2, { prefix: 'duo' });
  [servers.a, servers.b] = await Promise.all([start(), start()]);
}, 120_000);

afterAll(async () => {
  for (const s of [servers.a, servers.b]) if (s && s.process.exitCode === null && s.process.signalCode === null) s.process.kill('SIGKILL');
  await db?.close();
  await cluster?.stop();
});

/** What the clients were told was stored, to look for in the database afterwards. */
interface Ledger {
  completions: Set<string>;
  started: Map<string, { userId: number; quizId: string }>;
  submissions: Map<string, AcknowledgedSubmission>;
  /** No answer from an instance that was meant to be up. */
  unexpectedNoAnswer: string[];
}

const newLedger = (): Ledger => ({ completions: new Set(), started: new Map(), submissions: new Map(), unexpectedNoAnswer: [] });

/**
 * A learner's loop: complete a lesson or take a quiz, each request to the instance `pick` gives.
 * `expectedDown(base)` says a no-answer from that instance was caused (it was killed); the client
 * then goes on with the other, as a load balancer would send it.
 */
async function drive(client: LearnerClient, pick: () => string, going: () => boolean, ledger: Ledger, expectedDown: (base: string) => boolean = () => false): Promise<void> {
  const noAnswer = (base: string, error: string): void => {
    if (!expectedDown(base)) ledger.unexpectedNoAnswer.push(`${client.user.email} → ${base}: ${error}`);
  };
  for (let step = 0; step < 10_000 && going(); step++) {
    const { lessons, quizzes } = client.openSteps();
    let base = pick();
    if ((randomInt(3) === 0 || quizzes.length === 0) && lessons.length > 0) {
      const { courseId, lessonId } = pickOne(lessons);
      const outcome = await client.complete(base, courseId, lessonId);
      if (outcome.kind === 'ack') ledger.completions.add(`${client.user.id}:${lessonId}`);
      else if (outcome.kind === 'no-answer') noAnswer(base, outcome.error);
      continue;
    }
    if (quizzes.length === 0) return;
    const quiz = pickOne(quizzes);
    const { outcome, attemptId } = await client.start(base, quiz.id);
    if (outcome.kind === 'no-answer') noAnswer(base, outcome.error);
    if (outcome.kind !== 'ack' || attemptId === null) continue;
    ledger.started.set(attemptId, { userId: client.user.id, quizId: quiz.id });
    const answers = answerSheet(quiz, quiz.maxAttempts === null ? 'random' : true);
    base = pick();
    const submitted = await client.submit(base, quiz.id, attemptId, answers);
    if (submitted.kind === 'ack') ledger.submissions.set(attemptId, { userId: client.user.id, quizId: quiz.id, answers: [answers] });
    else if (submitted.kind === 'no-answer') noAnswer(base, submitted.error);
  }
}

/** Every acknowledged write of the ledger, looked for in the database; the problems found. */
async function lostWrites(ledger: Ledger): Promise<string[]> {
  const stored = await db.read(async (q) => ({
    completions: new Set(
      (await q.select({ userId: lessonCompletions.userId, lessonId: lessonCompletions.lessonId }).from(lessonCompletions)).map((c) => `${c.userId}:${c.lessonId}`),
    ),
    attempts: new Map((await q.select({ id: quizAttempts.id, userId: quizAttempts.userId, quizId: quizAttempts.quizId }).from(quizAttempts)).map((a) => [a.id, a])),
  }));
  const lost: string[] = [];
  for (const key of ledger.completions) if (!stored.completions.has(key)) lost.push(`completion ${key}`);
  for (const [id, { userId, quizId }] of ledger.started) {
    const row = stored.attempts.get(id);
    if (!row || row.userId !== userId || row.quizId !== quizId) lost.push(`started attempt ${id} of user ${userId}`);
  }
  lost.push(...(await missingSubmissionsIn(db, catalog, ledger.submissions)));
  return lost;
}

/** Learners with more than one open attempt of one quiz (the per-learner lock's promise). */
async function doubleOpenAttempts(): Promise<unknown[]> {
  return db.read(
    async (q) =>
      await q
        .select({ userId: quizAttempts.userId, quizId: quizAttempts.quizId, n: sql<number>`count(*)` })
        .from(quizAttempts)
        .where(and(isNull(quizAttempts.submittedAt)))
        .groupBy(quizAttempts.userId, quizAttempts.quizId)
        .having(sql`count(*) > 1`),
  );
}

async function signedInClients(tally: Tally, count: number): Promise<LearnerClient[]> {
  const clients: LearnerClient[] = [];
  for (const [i, user] of users.slice(0, count).entries()) {
    // Signed in on either instance: the session is the database's, not the instance's.
    const { cookie } = await signIn(i % 2 ? servers.a!.url : servers.b!.url, user.email, PASSWORD);
    expect(cookie, `sign-in of ${user.email}`).toBeTruthy();
    clients.push(new LearnerClient(user, cookie!, catalog, tally));
  }
  return clients;
}

describe('two instances on one PostgreSQL', () => {
  it('run everything on PostgreSQL: no SQLite file or lock is made, background work included', async () => {
    // The session clean-up runs at start; it used to open DATABASE_PATH even with DATABASE_URL.
    await sleep(500);
    expect(fs.readdirSync(cluster.dir).filter((name) => name.startsWith('unused.db'))).toEqual([]);
  });

  it('a session made on one instance works on the other, and signing out on one ends it on both', async () => {
    const user = users.at(-1)!;
    const { cookie } = await signIn(servers.a!.url, user.email, PASSWORD);
    expect(cookie).toBeTruthy();
    for (const base of [servers.a!.url, servers.b!.url]) {
      const home = await get(base, '/home', cookie);
      expect(home.status, base).toBe(200);
      expect(await home.text()).toContain(user.name);
    }
    const out = await postForm(servers.b!.url, '/logout?_action=auth.logout', cookie, {});
    expect(out.status).toBe(303);
    for (const base of [servers.a!.url, servers.b!.url]) {
      const home = await get(base, '/home', cookie);
      expect([302, 303], `${base} sends a signed-out visitor to sign in`).toContain(home.status);
      expect(home.headers.get('location')).toMatch(/^\/login/);
    }
  });

  /** The instances' log lines at warn level or above, oldest first. */
  const warningsOf = (instances: RunningServer[]): string[] =>
    instances.flatMap((server) =>
      server
        .output()
        .split('\n')
        .filter((line) => /"level":(4|5|6)0/.test(line)),
    );

  it(`${CLIENTS} learners spread over both for ${LOAD_MS / 1000} s: no 5xx, every acknowledged write stored, one open attempt at most`, async () => {
    const tally = new Tally();
    const clients = await signedInClients(tally, CLIENTS);
    const ledger = newLedger();
    const bases = [servers.a!.url, servers.b!.url];
    const until = Date.now() + LOAD_MS;
    await Promise.all(
      clients.map((client) =>
        drive(
          client,
          () => pickOne(bases),
          () => Date.now() < until,
          ledger,
        ),
      ),
    );
    const acknowledged = ledger.completions.size + ledger.started.size + ledger.submissions.size;
    console.log(`[postgres] two instances: ${tally.requests} requests (${tally.ok} 2xx/3xx, ${tally.client} 4xx, ${tally.server} 5xx), ${acknowledged} writes acknowledged`);
    // Why, when it happens: the instances' warnings and errors (a 5xx here has been rare and load-dependent).
    if (tally.serverErrors.length > 0) for (const line of warningsOf([servers.a!, servers.b!]).slice(0, 20)) console.log(`[postgres] ${line.slice(0, 600)}`);
    expect(tally.serverErrors, '5xx answers').toEqual([]);
    expect(ledger.unexpectedNoAnswer).toEqual([]);
    expect(await lostWrites(ledger)).toEqual([]);
    expect(await doubleOpenAttempts()).toEqual([]);
    expect(ledger.submissions.size, 'the load must really write').toBeGreaterThan(50);
  }, 120_000);

  it(`kill -9 one instance under load ${KILLS} times: the other keeps answering, nothing acknowledged is lost`, async () => {
    const tally = new Tally();
    const clients = await signedInClients(tally, 16);
    const ledger = newLedger();
    let kills = 0;
    for (let cycle = 0; cycle < KILLS; cycle++) {
      const victim = servers.a!;
      let down = false;
      // Half the requests to each; a request to the killed one is lost, the next goes to the survivor.
      const pick = (): string => (down || randomInt(2) === 0 ? servers.b!.url : victim.url);
      const until = Date.now() + 60_000;
      let going = true;
      const running = clients.map((client) =>
        drive(
          client,
          pick,
          () => going && Date.now() < until,
          ledger,
          (base) => base === victim.url && down,
        ),
      );
      await sleep(300 + randomInt(1200));
      down = true;
      victim.process.kill('SIGKILL');
      await new Promise<void>((resolve) => (victim.process.exitCode !== null || victim.process.signalCode !== null ? resolve() : victim.process.once('exit', () => resolve())));
      kills++;
      // The survivor alone for a moment, then the clients stop and the instance comes back.
      await sleep(300);
      going = false;
      await Promise.race([Promise.all(running), sleep(30_000)]);
      servers.a = await start();
    }
    expect(kills).toBe(KILLS);
    expect(ledger.unexpectedNoAnswer, 'the survivor must answer every request').toEqual([]);
    expect(tally.serverErrors, '5xx answers').toEqual([]);
    expect(await lostWrites(ledger)).toEqual([]);
    expect(await doubleOpenAttempts()).toEqual([]);
    expect(ledger.completions.size + ledger.submissions.size).toBeGreaterThan(20);
  }, 240_000);

  it('PostgreSQL restarting under load: answers are 503, never 500, and the instances recover by themselves within seconds', async () => {
    const tally = new Tally();
    const clients = await signedInClients(tally, 10);
    const ledger = newLedger();
    const bases = [servers.a!.url, servers.b!.url];
    const until = Date.now() + 12_000;
    const running = clients.map((client) =>
      drive(
        client,
        () => pickOne(bases),
        () => Date.now() < until,
        ledger,
      ),
    );
    await sleep(2000);
    await cluster.restart();
    const restartedAt = Date.now();
    await Promise.all(running);
    console.log(`[postgres] PostgreSQL restart under load: ${tally.requests} requests, ${tally.ok} 2xx/3xx, ${tally.server} 5xx (${tally.serverErrors.slice(0, 3).join('; ')})`);
    const non503 = tally.serverErrors.filter((e) => !e.startsWith('503'));
    expect(non503, 'server errors other than 503').toEqual([]);
    const fatal = [servers.a!, servers.b!].flatMap((server) =>
      server
        .output()
        .split('\n')
        .filter((line) => /"level":60|uncaught|exited/i.test(line)),
    );
    expect(fatal, 'the instances stay up').toEqual([]);
    expect(ledger.unexpectedNoAnswer, 'the instances stay up').toEqual([]);
    // Both back by themselves: healthy and taking writes within a few seconds of the restart.
    for (const base of bases) {
      let healthy = false;
      for (let i = 0; i < 100 && !healthy && Date.now() - restartedAt < 15_000; i++) {
        healthy = (await fetch(`${base}/healthz`)).status === 200;
        if (!healthy) await sleep(100);
      }
      expect(healthy, `${base} healthy again`).toBe(true);
    }
    const probe = new LearnerClient(users[0]!, clients[0]!.cookie, catalog, tally);
    const lesson = catalog.tiers[0]!.courses[0]!.lessons[1]!;
    for (const base of bases) expect((await probe.complete(base, catalog.tiers[0]!.courses[0]!.id, lesson.id)).kind).toBe('ack');
    expect(await lostWrites(ledger)).toEqual([]);
  }, 120_000);
});
