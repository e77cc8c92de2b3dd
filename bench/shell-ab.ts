/**
 * A short, bounded A/B of the lesson page (issue 17): the built server with lesson shells, the
 * same build with MANABI_LESSON_SHELLS=off (Astro), and a static file of the page's size, in
 * alternating rounds on one machine; optionally a second checkout's build with shells (`--before
 * <root>`: the same figures for an earlier commit). Reports per round and as medians the
 * server's CPU per request (from /proc) and requests/s, and fast ÷ Astro (CPU), fast ÷ static
 * (requests/s). Not the benchmark (bench/run.ts): a few seconds per figure, for a change's effect.
 * `--profile <dir>`: instead, one load on the fast server under `node --cpu-prof`, and the
 * functions and files with the most self time in it (`--summarise <file.cpuprofile>`: that for a profile).
 *   node bench/shell-ab.ts [--rounds 3] [--seconds 4] [--users 200] [--before /tmp/main-build] [--profile /tmp/prof]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { policyAcknowledgements, users } from '../db/schema/index.ts';
import { createSession } from '../src/features/auth/session.server.ts';
import { createUser, ensureDepartment } from '../src/features/users/users.server.ts';
import { openDatabase, rawDrizzle, rawSqlite } from '../src/platform/db.server.ts';
import { startServer, type RunningServer } from '../tests/helpers/server.ts';
import { buildContentCatalog } from '../scripts/shell-progress.ts';
import { cpuMs, load, quantile } from './measure.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const argument = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1]! : fallback;
};
const ROUNDS = Math.min(Number(argument('--rounds', '3')), 10);
const SECONDS = Math.min(Number(argument('--seconds', '4')), 15);
const USERS = Math.min(Number(argument('--users', '200')), 2000);
const BEFORE = process.argv.includes('--before') ? path.resolve(argument('--before', '')) : null;
const PROFILE = process.argv.includes('--profile') ? path.resolve(argument('--profile', '')) : null;
const CONNECTIONS = 10;
const STATIC = '/shell-ab-static.html';

interface Visit {
  path: string;
  cookie: string;
}

async function population(file: string): Promise<{ tokens: string[]; lessons: string[] }> {
  const db = openDatabase(file);
  const tokens: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const id = await db.write(async (tx) =>
      createUser(tx, { email: `ab-${i}@example.com`, displayName: `学習者 ${i}`, role: 'learner', departmentId: await ensureDepartment(tx, `dept-${i % 5}`), passwordHash: null }),
    );
    tokens.push((await createSession(db, id, { idleMs: 3_600_000, maxAgeMs: 3_600_000 })).token);
  }
  await db.close();
  // The first tier's lessons, of which a new learner can open some.
  const catalog = buildContentCatalog(path.join(ROOT, 'content'));
  const lessons = catalog.tiers[0]!.courses.flatMap((c) => c.lessons.flatMap((l) => [`/learn/${c.id}/${l.id}`, `/en/learn/${c.id}/${l.id}`]));
  return { tokens, lessons };
}

/** Acknowledges every policy the banner names, for everyone in each file (a banner is a slot either way; the usual page has none). */
async function acknowledgeAll(base: string, files: string[], visit: Visit): Promise<void> {
  const html = await (await fetch(base + visit.path, { headers: { cookie: visit.cookie } })).text();
  const policies: { policyId: string; version: number }[] = [];
  for (const policyId of new Set([...html.matchAll(/href="\/policies\/([a-z0-9-]+)"/g)].map((m) => m[1]!))) {
    const page = await (await fetch(`${base}/policies/${policyId}`, { headers: { cookie: visit.cookie } })).text();
    policies.push({ policyId, version: Number(/name="version" value="(\d+)"/.exec(page)?.[1] ?? 1) });
  }
  for (const file of files) {
    const db = openDatabase(file, { migrate: false });
    const everyone = rawDrizzle(db).select({ id: users.id }).from(users).all();
    for (const { policyId, version } of policies) {
      rawDrizzle(db)
        .insert(policyAcknowledgements)
        .values(everyone.map((u) => ({ userId: u.id, policyId, version, locale: 'ja' as const, acknowledgedAt: new Date() })))
        .onConflictDoNothing()
        .run();
    }
    rawSqlite(db).close();
  }
}

async function measure(server: RunningServer, visits: Visit[]): Promise<{ rps: number; cpu: number }> {
  let index = 0;
  const before = cpuMs(server.process.pid!);
  const result = await load({
    url: server.url,
    connections: CONNECTIONS,
    duration: SECONDS,
    warmupSeconds: 1,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const visit = visits[index++ % visits.length]!;
          return { ...request, path: visit.path, headers: { cookie: visit.cookie } };
        },
      },
    ],
  });
  const bad = Object.entries(result.statuses).filter(([status]) => status !== '200');
  if (bad.length > 0 || result.errors > 0) throw new Error(`${server.url}: ${JSON.stringify(result.statuses)}, ${result.errors} errors`);
  return { rps: Math.round(result.rps), cpu: Math.round(((cpuMs(server.process.pid!) - before) / result.answered!) * 1000) / 1000 };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** Functions whose time with all they call is shown (the fast path's steps). */
const INCLUSIVE =
  /^(render|loadLessonPage|loadLearnerContext|loadLearnerRecords?|computeProgress|loadPolicyNotices|validateSessionToken|resolveSession|ownFeedback|ownLessonAnswers|completedAt|recordLessonView|progressView|fill|tokenize|prepareQuery|buildQueryFromSourceParams|sqlToQuery|mapResultRow|certificateFor)$/;

/**
 * The self time per function and per file of a .cpuprofile, the largest first, and the time
 * with callees of the fast path's steps. Samples under module loading (the start) are left out.
 */
function summariseProfile(file: string, skipMs = 0): void {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  // Samples in the first `skipMs` of the process (its start, a roll-up rebuild) are left out.
  let elapsedUs = 0;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const where = (url: string): string =>
    url
      .replace(/^file:\/\//, '')
      .replace(`${ROOT}/`, '')
      .replace(/.*node_modules\//, 'nm/');
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const us = profile.timeDeltas[i] ?? 0;
    elapsedUs += us;
    if (elapsedUs < skipMs * 1000) return;
    if (frame.functionName === '(idle)') return;
    const stack: ProfileNode['callFrame'][] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
    if (stack.some((f) => f.url.startsWith('node:internal/modules') || f.functionName === 'compileSourceTextModule')) return;
    total += us;
    const file = where(frame.url);
    const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    const group = file.startsWith('nm/')
      ? file
          .split('/')
          .slice(0, file.startsWith('nm/@') ? 3 : 2)
          .join('/')
      : file || frame.functionName;
    files.set(group, (files.get(group) ?? 0) + us);
    for (const step of new Set(stack.filter((f) => INCLUSIVE.test(f.functionName)).map((f) => `${f.functionName} ${where(f.url).split('/').at(-1)}`)))
      inclusive.set(step, (inclusive.get(step) ?? 0) + us);
  });
  const top = (map: Map<string, number>, n: number): string =>
    [...map]
      .sort((x, y) => y[1] - x[1])
      .slice(0, n)
      .map(([k, v]) => `  ${((v / total) * 100).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  console.log(
    `busy ${Math.round(total / 1000)} ms (start-up's module loading left out)\nby function (self):\n${top(fn, 30)}\nby file or package (self):\n${top(files, 15)}\nsteps (with what they call):\n${top(inclusive, 30)}`,
  );
}

const median = (values: number[]): number => Math.round(quantile(values, 0.5) * 1000) / 1000;

if (process.argv.includes('--summarise')) {
  summariseProfile(argument('--summarise', ''), Number(argument('--skip-ms', '0')));
  process.exit(0);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-shell-ab-'));
const servers: RunningServer[] = [];
const staticFiles: string[] = [];
try {
  const file = path.join(dir, 'a.db');
  const { tokens, lessons: candidates } = await population(file);
  const cookies = tokens.map((token) => `manabi_session=${token}`);
  let visits: Visit[] = [];
  const lessons: string[] = [];
  // Each server its own copy of the same database.
  const names = ['fast', 'astro', ...(BEFORE ? ['before'] : [])];
  for (const name of names.slice(1)) fs.copyFileSync(file, path.join(dir, `${name}.db`));
  fs.renameSync(file, path.join(dir, 'fast.db'));
  const start = (name: string, root: string, env: Record<string, string>): Promise<RunningServer> =>
    startServer({ databasePath: path.join(dir, `${name}.db`), root, env: { NOTIFY_SCHEDULER: 'false', LOG_LEVEL: 'warn', ...env }, timeoutMs: 60_000 });
  const probe = await start('fast', ROOT, {});
  // Only the lessons a new learner can open: a locked one is Astro's page (the lock notice).
  for (const lesson of candidates) {
    const html = await (await fetch(probe.url + lesson, { headers: { cookie: cookies[0]! } })).text();
    if (!html.includes('class="lock notice')) lessons.push(lesson);
  }
  visits = cookies.map((cookie, i) => ({ path: lessons[i % lessons.length]!, cookie }));
  await acknowledgeAll(
    probe.url,
    names.map((name) => path.join(dir, `${name}.db`)),
    visits[0]!,
  );
  // The static twin, as big as the mean page; the server indexes static files when it starts.
  let bytes = 0;
  for (const visit of visits.slice(0, 40)) bytes += Buffer.byteLength(await (await fetch(probe.url + visit.path, { headers: { cookie: visit.cookie } })).text());
  await probe.stop();
  for (const root of [ROOT, ...(BEFORE ? [BEFORE] : [])]) {
    const twin = path.join(root, 'dist', 'client', STATIC);
    fs.writeFileSync(twin, 'x'.repeat(Math.round(bytes / 40)));
    staticFiles.push(twin);
  }
  if (PROFILE) {
    fs.mkdirSync(PROFILE, { recursive: true });
    const profiled = await start('fast', ROOT, { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE}` });
    servers.push(profiled);
    for (const visit of visits) await (await fetch(profiled.url + visit.path, { headers: { cookie: visit.cookie } })).arrayBuffer();
    console.log(JSON.stringify(await measure(profiled, visits)));
    await profiled.stop();
    const newest = fs
      .readdirSync(PROFILE)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(PROFILE, f))
      .sort((x, y) => fs.statSync(y).mtimeMs - fs.statSync(x).mtimeMs)[0];
    if (!newest) throw new Error(`no profile in ${PROFILE}`);
    summariseProfile(newest);
  } else await compareServers(start, visits, lessons.length, bytes);
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  for (const twin of staticFiles) fs.rmSync(twin, { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
}

async function compareServers(
  start: (name: string, root: string, env: Record<string, string>) => Promise<RunningServer>,
  visits: Visit[],
  lessonCount: number,
  bytes: number,
): Promise<void> {
  const fast = await start('fast', ROOT, {});
  const astro = await start('astro', ROOT, { MANABI_LESSON_SHELLS: 'off' });
  servers.push(fast, astro);
  const before = BEFORE ? await start('before', BEFORE, {}) : null;
  if (before) servers.push(before);
  // Every visit once, untimed: the day's lesson-view rows are written, as in the benchmark.
  for (const server of servers) for (const visit of visits) await (await fetch(server.url + visit.path, { headers: { cookie: visit.cookie } })).arrayBuffer();
  const staticVisits = [{ path: STATIC, cookie: '' }];
  const rows: Record<string, { rps: number; cpu: number }[]> = { fast: [], astro: [], static: [], before: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating order, so that neither side always runs on a warmer or a busier machine.
    const order: [string, RunningServer, Visit[]][] = [
      ['fast', fast, visits],
      ['astro', astro, visits],
      ['static', fast, staticVisits],
      ...(before ? ([['before', before, visits]] as [string, RunningServer, Visit[]][]) : []),
    ];
    if (round % 2 === 1) order.reverse();
    for (const [name, server, list] of order) rows[name]!.push(await measure(server, list));
    console.log(`round ${round + 1}: ${order.map(([name]) => `${name} ${JSON.stringify(rows[name]!.at(-1))}`).join(', ')}; load ${os.loadavg()[0]!.toFixed(2)}`);
  }
  const m = (name: string, key: 'rps' | 'cpu'): number => median(rows[name]!.map((r) => r[key]));
  const paired = (a: string, b: string, key: 'rps' | 'cpu'): number => median(rows[a]!.map((r, i) => r[key] / rows[b]![i]![key]));
  console.log(`page ${Math.round(bytes / 40)} bytes, ${USERS} users, ${lessonCount} lesson pages, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s`);
  for (const name of ['fast', 'astro', 'static', ...(before ? ['before'] : [])]) console.log(`${name}: ${m(name, 'rps')} req/s, ${m(name, 'cpu')} ms CPU per request`);
  console.log(`CPU per request fast ÷ Astro: ${paired('fast', 'astro', 'cpu').toFixed(2)}; req/s fast ÷ static: ${paired('fast', 'static', 'rps').toFixed(2)}`);
  if (before) console.log(`CPU per request fast ÷ before: ${paired('fast', 'before', 'cpu').toFixed(2)}; req/s before ÷ static: ${paired('before', 'static', 'rps').toFixed(2)}`);
}
