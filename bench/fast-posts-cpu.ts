/**
 * Server CPU time per form POST, fast form handler ÷ Astro (issue 17 item 2), in one run: two
 * built servers on copies of one database, A as shipped and B with MANABI_FAST_POSTS=off,
 * measured in alternating rounds (A first in odd rounds, B first in even ones). Each round and
 * server: every learner starts a quiz attempt, submits it (all answers right) and answers the
 * check-in; the server's CPU time (/proc/<pid>/stat) is read around each phase. Prints the
 * medians per request and their ratios. Bounded: ROUNDS rounds, and stops after 3 minutes.
 *
 *   node bench/fast-posts-cpu.ts [.test-builds/fixture]   (the fixture build the tests make)
 *
 * Not part of `npm run bench`: a focused A/B of one code path on a quiet enough machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSession } from '../src/features/auth/session.server.ts';
import { createUser, ensureDepartment } from '../src/features/users/users.server.ts';
import { openDatabase, rawSqlite } from '../src/platform/db.server.ts';
import { fixtureCatalog } from '../tests/helpers/fixture.ts';
import { startServer, type RunningServer } from '../tests/helpers/server.ts';
import { SESSION_LIFETIME } from './config.ts';
import { cpuMs } from './measure.ts';

const OUT_DIR = process.argv[2] ?? '.test-builds/fixture';
const LEARNERS = 300;
const ROUNDS = 6;
const CONCURRENCY = 8;
const DEADLINE = performance.now() + 180_000;
const COOKIE = '__Host-manabi_session';

const catalog = fixtureCatalog();
const quiz = catalog.quiz('basic-ai-essentials')!;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-fastposts-'));

interface Side {
  name: 'fast' | 'astro';
  server: RunningServer;
  tokens: string[];
}

/** `count` POSTs, `CONCURRENCY` at a time; the statuses seen. */
async function posts(base: string, count: number, request: (i: number) => { path: string; cookie: string; body: string }): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const { path: address, cookie, body } = request(next++);
      const response = await fetch(base + address, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, cookie },
        body,
      });
      await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return statuses;
}

/** The open attempt of each learner, in the order of `tokens` (read from the server's database). */
function openAttempts(file: string): Map<number, string> {
  const sqlite = rawSqlite(openDatabase(file, { migrate: false }));
  try {
    const rows = sqlite.prepare('SELECT user_id AS u, id FROM quiz_attempts WHERE submitted_at IS NULL').all() as { u: number; id: string }[];
    return new Map(rows.map((r) => [r.u, r.id]));
  } finally {
    sqlite.close();
  }
}

function answersOf(attemptId: string): string {
  const fields = new URLSearchParams({ quizId: quiz.id, attemptId });
  for (const q of quiz.questions) for (const o of q.correctOptionIds) fields.append(`answer.${q.id}`, o);
  return fields.toString();
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  const fileA = path.join(work, 'a.db');
  const db = openDatabase(fileA);
  const userIds: number[] = [];
  await db.write(async (tx) => {
    const department = await ensureDepartment(tx, '営業部');
    for (let i = 0; i < LEARNERS; i++)
      userIds.push(await createUser(tx, { email: `w${i}@example.com`, displayName: `w${i}`, role: 'learner', departmentId: department, passwordHash: null }));
  });
  const fileB = path.join(work, 'b.db');
  rawSqlite(db).exec(`VACUUM INTO '${fileB}'`);
  rawSqlite(db).close();
  const sides: Side[] = [];
  for (const [name, file, env] of [
    ['fast', fileA, { NODE_ENV: 'production' }],
    ['astro', fileB, { NODE_ENV: 'production', MANABI_FAST_POSTS: 'off' }],
  ] as const) {
    const server = await startServer({ databasePath: file, outDir: OUT_DIR, env, timeoutMs: 60_000 });
    const handle = openDatabase(file, { migrate: false });
    const tokens: string[] = [];
    for (const id of userIds) tokens.push((await createSession(handle, id, SESSION_LIFETIME)).token);
    rawSqlite(handle).close();
    sides.push({ name, server, tokens });
  }
  const files = { fast: fileA, astro: fileB };
  const phases = ['quiz.start', 'quiz.submit', 'checkin.save'] as const;
  const samples: Record<string, Record<string, number[]>> = { fast: {}, astro: {} };
  try {
    // A warm-up round on each server (compiles, page cache), not counted.
    for (let round = 0; round <= ROUNDS && performance.now() < DEADLINE; round++) {
      const order = round % 2 ? [sides[1]!, sides[0]!] : [sides[0]!, sides[1]!];
      for (const side of order) {
        const base = side.server.url;
        const pid = side.server.process.pid!;
        const cookie = (i: number): string => `${COOKIE}=${side.tokens[i]}`;
        const measured: Record<string, number> = {};
        let before = cpuMs(pid);
        const started = await posts(base, LEARNERS, (i) => ({ path: `/quiz/${quiz.id}?_action=quiz.start`, cookie: cookie(i), body: `quizId=${quiz.id}` }));
        measured['quiz.start'] = (cpuMs(pid) - before) / LEARNERS;
        const attempts = openAttempts(files[side.name]);
        before = cpuMs(pid);
        const submitted = await posts(base, LEARNERS, (i) => ({ path: `/quiz/${quiz.id}?_action=quiz.submit`, cookie: cookie(i), body: answersOf(attempts.get(userIds[i]!)!) }));
        measured['quiz.submit'] = (cpuMs(pid) - before) / LEARNERS;
        before = cpuMs(pid);
        const saved = await posts(base, LEARNERS, (i) => ({ path: '/home?_action=checkin.save', cookie: cookie(i), body: `hoursSaved=${(round % 8) + 1}&tasks=r${round}` }));
        measured['checkin.save'] = (cpuMs(pid) - before) / LEARNERS;
        const statuses = JSON.stringify({ started, submitted, saved });
        if (!/^\{"started":\{"303":\d+\},"submitted":\{"303":\d+\},"saved":\{"303":\d+\}\}$/.test(statuses)) throw new Error(`${side.name}: unexpected answers ${statuses}`);
        if (round === 0) continue;
        for (const phase of phases) (samples[side.name]![phase] ??= []).push(measured[phase]!);
        console.log(`round ${round} ${side.name}: ${phases.map((p) => `${p} ${measured[p]!.toFixed(3)} ms`).join(', ')}`);
      }
    }
  } finally {
    await Promise.all(sides.map((s) => s.server.stop()));
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(`\nmedian server CPU per request over ${samples.fast!['quiz.submit']?.length ?? 0} rounds of ${LEARNERS} (load average ${os.loadavg()[0]!.toFixed(2)}):`);
  for (const phase of phases) {
    const [fast, astro] = [median(samples.fast![phase] ?? []), median(samples.astro![phase] ?? [])];
    console.log(`  ${phase.padEnd(13)} fast ${fast.toFixed(3)} ms, Astro ${astro.toFixed(3)} ms, fast ÷ Astro ${(fast / astro).toFixed(2)}`);
  }
}

await main();
