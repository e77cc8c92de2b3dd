/**
 * `npm run bench`: builds, generates a large organisation and curricula, starts the production
 * server on 127.0.0.1 and measures it with autocannon. Writes bench/RESULTS.md and
 * bench/results.json. Everything generated goes to .test-builds/ (never committed).
 * `node bench/run.ts --report` writes RESULTS.md again from results.json (after a wording change).
 * To compare two trees as ratios in one run: bench/compare.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureBuilds } from './builds.ts';
import { BENCH_CONTENT, BENCH_OUT_DIR, DASHBOARD_REQUESTS, QUICK, ROOT, WORK } from './config.ts';
import { rssMb } from './measure.ts';
import { report } from './report.ts';
import { measureDashboard } from './scenarios/dashboard.ts';
import { measureNotifications } from './scenarios/notifications.ts';
import { lessonHtml, measureLessonPage, writeStaticTwin } from './scenarios/lesson.ts';
import { measurePageWeight } from './scenarios/page-weight.ts';
import { measureWrites } from './scenarios/writes.ts';
import { startProductionServer } from './server.ts';
import { populate } from './setup.ts';

const RESULTS_JSON = path.join(ROOT, 'bench/results.json');
const RESULTS_MD = path.join(ROOT, 'bench/RESULTS.md');
const started = Date.now();
const log = (message: string): void => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);

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
  results.build = measureBuilds(log);
  const population = await populate(path.join(WORK, 'bench.db'), BENCH_CONTENT, log);
  results.organisation = population.organisation;

  log('starting the production server');
  const serve = (): ReturnType<typeof startProductionServer> => startProductionServer({ databasePath: population.databasePath, outDir: BENCH_OUT_DIR });
  let server = await serve();
  try {
    results.pageWeight = await measurePageWeight(server.url, population);
    const bytes = Buffer.byteLength(await lessonHtml(server.url, population));
    writeStaticTwin(BENCH_OUT_DIR, bytes);
    // The server indexes the build's static files when it starts: start it again to serve this one.
    await server.stop();
    server = await serve();
    await new Promise((r) => setTimeout(r, 1000));
    const idle = rssMb(server.process.pid!);

    log('lesson page vs static file, 50 connections');
    results.lessonPage = await measureLessonPage(server.url, population, bytes);
    const { writes, peakRssMb } = await measureWrites(server.url, population, server.process.pid!, log);
    results.writes = writes;
    results.memory = { idleRssMb: idle.rss, peakRssUnderWriteLoadMb: peakRssMb };

    log('dashboard and champion view at 20,000 users');
    // 100 requests each: with 30, the p95 was the second-slowest request, one GC pause away.
    results.dashboard = await measureDashboard(server.url, population, QUICK ? 5 : DASHBOARD_REQUESTS);
  } finally {
    await server.stop();
  }
  // Issue 15: in this process, against its own database and a local SMTP server (no HTTP server involved).
  results.notifications = await measureNotifications(log, QUICK ? 2000 : 20_000);
  results.totalSeconds = Math.round((Date.now() - started) / 1000);
  fs.writeFileSync(RESULTS_JSON, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(RESULTS_MD, report(results));
  log(`done: bench/RESULTS.md (${results.totalSeconds}s)`);
}

if (process.argv.includes('--report')) {
  fs.writeFileSync(RESULTS_MD, report(JSON.parse(fs.readFileSync(RESULTS_JSON, 'utf8'))));
} else {
  await main();
}
