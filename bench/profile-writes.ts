/**
 * Where a write's server time goes (issue 17): one server on the benchmark's organisation under
 * `node --cpu-prof`, one load of completions or quiz submissions at 50 connections (warmed), then
 * the profile's self time per function and file and the steps' time with callees
 * (bench/shell-ab.ts --summarise). Uses the builds and the database `npm run bench` made.
 *
 *   node bench/profile-writes.ts complete|submit [seconds]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_CONTENT, BENCH_OUT_DIR, ROOT, WORK } from './config.ts';
import { ensureBuilds } from './builds.ts';
import { postRun, postStream } from './scenarios/writes.ts';
import { populate } from './setup.ts';
import { startServer } from '../tests/helpers/server.ts';

const kind = process.argv[2] === 'submit' ? 'submit' : 'complete';
const seconds = Math.min(30, Math.max(2, Number(process.argv[3] ?? 8)));
const log = (message: string): void => console.log(`[profile] ${message}`);

ensureBuilds(false, log);
const population = await populate(path.join(WORK, 'bench.db'), BENCH_CONTENT, log);
const spawned = performance.now();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-profile-'));
const server = await startServer({
  databasePath: population.databasePath,
  outDir: BENCH_OUT_DIR,
  env: { NODE_ENV: 'production', NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` },
  timeoutMs: 120_000,
});
// The start (a roll-up rebuild of a new database) is not what is profiled: it waits, then is left out.
await new Promise((resolve) => setTimeout(resolve, 2000));
const loadAt = performance.now() - spawned;
try {
  const result = await postRun(server.url, postStream(kind === 'submit' ? population.submissions : population.completions), seconds);
  log(`${kind}: ${result.rps} req/s, p99 ${result.latency.p99} ms, statuses ${JSON.stringify(result.statuses)}`);
} finally {
  await server.stop();
}
const profile = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => path.join(dir, f))[0];
if (!profile) throw new Error(`no profile in ${dir}`);
execFileSync(process.execPath, [path.join(ROOT, 'bench/shell-ab.ts'), '--summarise', profile, '--skip-ms', String(Math.round(loadAt))], { stdio: 'inherit' });
log(`profile kept: ${profile}`);
