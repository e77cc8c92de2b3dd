/**
 * Issue 11, item 13: a 50,000-row users import froze the server (/healthz took 5.5 s meanwhile).
 * The import now decodes, validates, stages and writes in a worker thread, with one short write
 * transaction at the end. Measured here against the built server: /healthz latency while a
 * 50,000-row file is imported from the browser (p99 must stay under 500 ms; printed), and that
 * nobody ever sees half an import — not another connection during it, and not after a kill -9
 * at a random moment of it (then the file is sound and holds nothing or everything).
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDb, type TempDb } from '../helpers/db.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { afterPost, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { PASSWORD, seedUsers, sleep } from './support.ts';
import { rawSqlite } from '../../src/platform/db.server.ts';

const ROWS = 50_000;
/** Kills, one at a random moment in each equal slice of the import's duration (the last reaching past its end). */
const KILLS = 4;
const P99_LIMIT_MS = 500;

let t: TempDb | null = null;
let server: RunningServer | null = null;
beforeAll(async () => {
  t = tempDb();
  await seedUsers(t.db, 1, { prefix: 'admin', role: 'admin', department: 'IT' });
});
afterAll(async () => {
  if (server && server.process.exitCode === null && server.process.signalCode === null) server.process.kill('SIGKILL');
  t?.cleanup();
});

function bulkCsv(prefix: string): string {
  const lines = ['email,name,department,role'];
  for (let i = 0; i < ROWS; i++) lines.push(`${prefix}${i}@example.com,社員 ${i},部署${i % 50},${i % 500 === 0 ? 'champion' : 'learner'}`);
  return `${lines.join('\r\n')}\r\n`;
}

async function importRequest(base: string, cookie: string, csv: string): Promise<Response> {
  const form = new FormData();
  form.set('file', new File([csv], 'staff.csv', { type: 'text/csv' }));
  const posted = await fetch(`${base}/admin/users?_action=admin.importUsers`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: base }, body: form });
  // post/redirect/get: the import report is on the page the 303 leads to
  return afterPost(base, posted, cookie);
}

const countUsers = (): number => (rawSqlite(t!.db).prepare('select count(*) n from users').get() as { n: number }).n;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

async function start(): Promise<{ base: string; cookie: string }> {
  server = await startServer({ databasePath: t!.file, outDir: FIXTURE_OUT_DIR });
  const { cookie } = await signIn(server.url, 'admin0@example.com', PASSWORD);
  return { base: server.url, cookie: cookie! };
}

/** How long the import took in the first test (a guess if that one did not run). */
let importMs = 4000;

it(`answers /healthz within ${P99_LIMIT_MS} ms (p99) while ${ROWS} users are imported, and shows no half import`, async () => {
  const { base, cookie } = await start();
  const before = countUsers();
  // Built before the clock starts: this process's own work must not count as the server's latency.
  const csv = bulkCsv('bulk');

  const latencies: number[] = [];
  const counts = new Set<number>();
  let done = false;
  const deadline = Date.now() + 180_000;
  const poll = (async () => {
    while (!done && Date.now() < deadline) {
      const started = performance.now();
      const response = await fetch(`${base}/healthz`);
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
      expect(response.status).toBe(200);
      counts.add(countUsers());
      await sleep(20);
    }
  })();

  const started = performance.now();
  const response = await importRequest(base, cookie, csv);
  importMs = performance.now() - started;
  done = true;
  await poll;
  expect(response.status).toBe(200);
  expect(await response.text()).toContain(String(ROWS));

  const p50 = percentile(latencies, 0.5);
  const p99 = percentile(latencies, 0.99);
  const max = Math.max(...latencies);
  console.log(
    `large import: ${ROWS} rows in ${Math.round(importMs)} ms; /healthz meanwhile: ${latencies.length} requests, ` +
      `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`,
  );
  expect(latencies.length).toBeGreaterThan(20);
  expect(p99).toBeLessThan(P99_LIMIT_MS);
  expect(countUsers()).toBe(before + ROWS);
  // Another connection saw the users table before the import or after it, never in between.
  expect(
    [...counts].every((n) => n === before || n === before + ROWS),
    [...counts].join(', '),
  ).toBe(true);
  await server!.stop();
});

it(`leaves nothing or everything after a kill -9 during a ${ROWS}-row import (${KILLS} times)`, async () => {
  const outcomes: string[] = [];
  for (let kill = 0; kill < KILLS; kill++) {
    const csv = bulkCsv(`kill${kill}-`);
    const { base, cookie } = await start();
    const before = countUsers();
    const request = importRequest(base, cookie, csv).catch(() => null);
    const slice = (importMs * 1.1) / KILLS;
    const after = randomInt(Math.round(slice * kill), Math.round(slice * (kill + 1))) + 1;
    await sleep(after);
    const child = server!.process;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    await request;
    const now = countUsers();
    outcomes.push(`${after} ms: ${now === before ? 'nothing' : now === before + ROWS ? 'everything' : `${now - before} rows`}`);
    expect([before, before + ROWS]).toContain(now);
    expect(rawSqlite(t!.db).pragma('integrity_check', { simple: true })).toBe('ok');
    expect(rawSqlite(t!.db).pragma('foreign_key_check')).toEqual([]);
  }
  console.log(`kill -9 during the import: ${outcomes.join('; ')}`);

  // After all that the server starts and imports as before.
  const { base, cookie } = await start();
  const before = countUsers();
  expect(await importRequest(base, cookie, bulkCsv('after-')).then((r) => r.status)).toBe(200);
  expect(countUsers()).toBe(before + ROWS);
  await server!.stop();
});
