/**
 * `npm run bench`: builds, generates a large organisation and curricula, starts the production
 * server on 127.0.0.1 and measures it with autocannon. Writes bench/RESULTS.md and
 * bench/results.json. Everything generated goes to .test-builds/ (never committed).
 * `node bench/run.ts --report` writes RESULTS.md again from results.json (after a wording change).
 * `BENCH_SECONDS=2 node bench/run.ts --only lesson,writes` runs some scenarios alone (lesson,
 * real-lesson, writes, dashboard, dashboard-100k, notifications, build), reusing the builds in
 * .test-builds/, and writes .test-builds/bench-partial.json instead of the results.
 * `npm run bench -- --postgres` adds PostgreSQL's figures (bench/scenarios/postgres.ts; `--only postgres` alone).
 * To compare two trees as ratios in one run: bench/compare.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBuilds, measureBuilds } from './builds.ts';
import {
  BENCH_CONTENT,
  BENCH_OUT_DIR,
  CONNECTIONS,
  DASHBOARD_REQUESTS,
  LESSON_SECONDS,
  LARGE_DEPARTMENTS,
  LARGE_USERS,
  QUICK,
  REAL_OUT_DIR,
  ROOT,
  SECONDS,
  WARMUP_SECONDS,
  WORK,
} from './config.ts';
import { rssMb } from './measure.ts';
import { report } from './report.ts';
import { measureDashboard } from './scenarios/dashboard.ts';
import { measureNotifications } from './scenarios/notifications.ts';
import { measureLessonPage, mixBytes, writeStaticTwin, type LessonPageResults } from './scenarios/lesson.ts';
import { measurePageWeight } from './scenarios/page-weight.ts';
import { measureWrites } from './scenarios/writes.ts';
import { measurePostgres } from './scenarios/postgres.ts';
import { shellTally, startProductionServer, type RunningServer, type ShellTally } from './server.ts';
import { populate, type Population } from './setup.ts';

const SCENARIOS = ['build', 'lesson', 'real-lesson', 'writes', 'dashboard', 'dashboard-100k', 'notifications', 'postgres'] as const;
type Scenario = (typeof SCENARIOS)[number];

const RESULTS_JSON = path.join(ROOT, 'bench/results.json');
const RESULTS_MD = path.join(ROOT, 'bench/RESULTS.md');
const PARTIAL_JSON = path.join(WORK, 'bench-partial.json');
const started = Date.now();
const log = (message: string): void => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);

const { values: args } = parseArgs({ options: { report: { type: 'boolean' }, only: { type: 'string' }, postgres: { type: 'boolean' } } });
const only = args.only?.split(',').map((s) => s.trim()) ?? null;
for (const name of only ?? []) if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`--only: unknown scenario ${name} (one of ${SCENARIOS.join(', ')})`);
// PostgreSQL's figures (issue 18) only when asked for: `--postgres`, or `--only …,postgres`.
const selected = (name: Scenario): boolean => (name === 'postgres' ? args.postgres === true || (only?.includes(name) ?? false) : only === null || only.includes(name));

/** Starts a server on `outDir` and `population`, with a static file the size of the lesson mix's pages in its build. */
async function serveWithTwin(outDir: string, population: Population): Promise<{ server: RunningServer; bytes: number; stop: () => Promise<ShellTally | null> }> {
  const serve = (): Promise<RunningServer> => startProductionServer({ databasePath: population.databasePath, outDir });
  let server = await serve();
  const bytes = await mixBytes(server.url, population);
  writeStaticTwin(outDir, bytes);
  // The server indexes the build's static files when it starts: start it again to serve this one.
  await server.stop();
  server = await serve();
  await new Promise((r) => setTimeout(r, 1000));
  const running = server;
  return {
    server,
    bytes,
    stop: async () => {
      await running.stop();
      return shellTally(running.output());
    },
  };
}

async function main(): Promise<void> {
  fs.mkdirSync(WORK, { recursive: true });
  // Key order is the order of results.json.
  const results: Record<string, unknown> = {};
  results.machine = {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
    quick: QUICK,
  };
  results.settings = { connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, lessonSeconds: LESSON_SECONDS, writeSeconds: SECONDS };
  if (selected('build')) results.build = measureBuilds(log);
  else ensureBuilds(selected('real-lesson'), log);

  if (selected('lesson') || selected('writes') || selected('dashboard') || selected('postgres')) {
    const population = await populate(path.join(WORK, 'bench.db'), BENCH_CONTENT, log);
    results.organisation = population.organisation;
    log('starting the production server (generated curriculum)');
    const { server, bytes, stop } = await serveWithTwin(BENCH_OUT_DIR, population);
    try {
      const idle = rssMb(server.process.pid!);
      if (selected('lesson')) {
        results.pageWeight = await measurePageWeight(server.url, population);
        log(`generated lesson pages (${population.visits.length} sessions) vs static file of ${bytes} bytes, 50 connections`);
        results.lessonPage = await measureLessonPage(server.url, population, bytes);
      }
      if (selected('writes')) {
        const { writes, peakRssMb } = await measureWrites(server.url, population, server.process.pid!, log);
        results.writes = writes;
        results.memory = { idleRssMb: idle.rss, peakRssUnderWriteLoadMb: peakRssMb };
      }
      if (selected('dashboard')) {
        log('dashboard and champion view at 20,000 users (departments of 500)');
        // 100 requests each: with 30, the p95 was the second-slowest request, one GC pause away.
        results.dashboard = await measureDashboard(server.url, population, QUICK ? 5 : DASHBOARD_REQUESTS);
      }
    } finally {
      const shells = await stop();
      // The whole server's tally: the lesson rounds and the page-weight sample (the writes post to the form handler).
      if (results.lessonPage) (results.lessonPage as LessonPageResults).shells = shells;
    }
    // The same organisation (after SQLite's writes) and build, on PostgreSQL.
    if (selected('postgres')) results.postgres = await measurePostgres(population, BENCH_OUT_DIR, bytes, log);
  }

  if (selected('real-lesson')) {
    // The real curriculum's build, on its own organisation of 20,000 (no writers: this server only reads).
    const population = await populate(path.join(WORK, 'bench-real.db'), path.join(ROOT, 'content'), log, { writers: 0, cache: true });
    log('starting the production server (real curriculum)');
    const { server, bytes, stop } = await serveWithTwin(REAL_OUT_DIR, population);
    try {
      log(`real lesson pages vs static file of ${bytes} bytes, 50 connections`);
      results.realLessonPage = await measureLessonPage(server.url, population, bytes);
    } finally {
      const shells = await stop();
      if (results.realLessonPage) (results.realLessonPage as LessonPageResults).shells = shells;
    }
  }

  if (selected('dashboard-100k')) {
    const population = await populate(path.join(WORK, 'bench-100k.db'), BENCH_CONTENT, log, { users: LARGE_USERS, departments: LARGE_DEPARTMENTS, writers: 0, cache: true });
    log(`starting the production server on ${LARGE_USERS.toLocaleString('en')} users`);
    const server = await startProductionServer({ databasePath: population.databasePath, outDir: BENCH_OUT_DIR });
    try {
      log(`dashboard and champion view at ${LARGE_USERS.toLocaleString('en')} users (departments of ${LARGE_USERS / LARGE_DEPARTMENTS})`);
      results.dashboardLarge = { organisation: population.organisation, ...(await measureDashboard(server.url, population, QUICK ? 5 : DASHBOARD_REQUESTS)) };
    } finally {
      await server.stop();
    }
  }

  // Issue 15: in this process, against its own database and a local SMTP server (no HTTP server involved).
  if (selected('notifications')) results.notifications = await measureNotifications(log, QUICK ? 2000 : 20_000);
  results.totalSeconds = Math.round((Date.now() - started) / 1000);
  if (only) {
    fs.writeFileSync(PARTIAL_JSON, `${JSON.stringify(results, null, 2)}\n`);
    log(`done: ${path.relative(ROOT, PARTIAL_JSON)} (${results.totalSeconds}s); bench/results.json and RESULTS.md unchanged`);
    return;
  }
  // A run without --postgres keeps the last PostgreSQL figures (they carry their own date).
  if (!results.postgres && fs.existsSync(RESULTS_JSON)) {
    const previous = JSON.parse(fs.readFileSync(RESULTS_JSON, 'utf8')) as { postgres?: unknown };
    if (previous.postgres) results.postgres = previous.postgres as typeof results.postgres;
  }
  fs.writeFileSync(RESULTS_JSON, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(RESULTS_MD, report(results));
  log(`done: bench/RESULTS.md (${results.totalSeconds}s)`);
}

if (args.report) {
  fs.writeFileSync(RESULTS_MD, report(JSON.parse(fs.readFileSync(RESULTS_JSON, 'utf8'))));
} else {
  await main();
}
