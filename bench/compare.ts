/**
 * `npm run bench:compare -- --base <dir|commit> [--head <dir|commit>] [--rounds 4]`: the lesson
 * page, the writes and the dashboard of two trees as ratios head/base measured in one run, for
 * a shared machine whose speed drifts. Both trees are copied (bench/trees.ts) and built with the
 * benchmark curriculum; in each round both servers run, each on a fresh copy of one generated
 * database, and every figure is measured on one and straight after on the other (A B per figure;
 * the next round B A).
 * Each figure's ratio is the median over rounds of that round's own ratio head/base. Beside
 * requests/s and latency, the server's CPU time per request: far steadier when others share the cores.
 * Bounded: at most 10 rounds, and no round starts that would end past --max-minutes.
 * Writes .test-builds/compare/compare.json; bench/results.json and RESULTS.md stay as they are.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from './builds.ts';
import { ROOT, WORK } from './config.ts';
import { writeCorpus } from './corpus.ts';
import { cpuMs, quantile, rssMb, sequential, type LoadResult } from './measure.ts';
import { lessonHtml, loadFloor, loadLesson, visitAll } from './scenarios/lesson.ts';
import { fiveXXCount, okCount, postForms } from './scenarios/writes.ts';
import { startProductionServer, type RunningServer } from './server.ts';
import { populate, type Population } from './setup.ts';
import { copyTree, type Tree } from './trees.ts';

/** Each scenario's wall-clock figure and the server's CPU time per request during it. */
const FIGURES = [
  { key: 'lessonRps', name: 'lesson page, signed in (req/s)', better: 'higher' },
  { key: 'lessonCpuMs', name: 'lesson page: server CPU per request (ms)', better: 'lower' },
  { key: 'minimalPageRps', name: 'floor: sign-in form, no database (req/s)', better: 'higher' },
  { key: 'minimalPageCpuMs', name: 'floor: server CPU per request (ms)', better: 'lower' },
  { key: 'completeLessonRps', name: 'write: complete lesson (req/s)', better: 'higher' },
  { key: 'completeLessonCpuMs', name: 'complete lesson: server CPU per request (ms)', better: 'lower' },
  { key: 'submitQuizRps', name: 'write: submit quiz (req/s)', better: 'higher' },
  { key: 'submitQuizCpuMs', name: 'submit quiz: server CPU per request (ms)', better: 'lower' },
  { key: 'adminMs', name: '/admin at 20,000 users, median (ms)', better: 'lower' },
  { key: 'adminCpuMs', name: '/admin: server CPU per request (ms)', better: 'lower' },
  { key: 'championMs', name: '/champion, median (ms)', better: 'lower' },
  { key: 'championCpuMs', name: '/champion: server CPU per request (ms)', better: 'lower' },
  { key: 'idleRssMb', name: 'server RSS after start (MB)', better: 'lower' },
] as const;

type Figure = (typeof FIGURES)[number]['key'];
type Sample = Record<Figure, number> & { lessonBytes: number; problems: string[] };

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    head: { type: 'string', default: ROOT },
    rounds: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '20' },
    'max-minutes': { type: 'string', default: '10' },
  },
});

function bounded(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max}, not ${value}`);
  return n;
}

const started = Date.now();
const log = (message: string): void => console.log(`[compare ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);

type Label = 'base' | 'head';
/** A scenario: its figure and the requests it sent (for the CPU time per request). */
type Step = [Figure, Figure, (url: string, problems: string[]) => Promise<{ value: number; requests: number }>];

const half = <T>(list: T[]): T[] => list.slice(Math.floor(list.length / 2));

/** Records a load's problems (5xx, other non-2xx/3xx, socket errors); its requests/s and answers. */
function checked(name: string, result: LoadResult, problems: string[]): { value: number; requests: number } {
  const answered = Object.values(result.statuses).reduce((n, v) => n + v, 0);
  if (fiveXXCount(result.statuses) > 0 || okCount(result.statuses) < answered || result.errors > 0)
    problems.push(`${name}: statuses ${JSON.stringify(result.statuses)}, socket errors ${result.errors}`);
  // The CPU reading spans the whole run, warm-up included: divide by every answer, not only the timed ones.
  return { value: result.rps, requests: result.answered ?? answered };
}

/** `count` GETs of a dashboard page (after three warm-up GETs): the median in ms; a status other than 200 is a problem. */
async function dashboardMedian(url: string, page: string, cookie: string, count: number, problems: string[]): Promise<{ value: number; requests: number }> {
  const timing = await sequential(url, page, cookie, count);
  if (timing.status !== 200) problems.push(`${page} answered ${timing.status}`);
  return { value: timing.median, requests: count + 3 };
}

/**
 * One round: both trees' servers up at once, each on its own fresh copy of the generated
 * database (an idle server costs nothing), then every figure on one server and at once on the
 * other, so the two figures of a pair see the same machine. Always A B, A B within a round: a
 * server's leftover work from one figure (GC, a checkpoint) never runs into its own next one.
 */
async function measureRound(trees: Record<Label, Tree>, population: Population, pristine: string, first: Label, seconds: number, requests: number): Promise<Record<Label, Sample>> {
  const labels: Label[] = first === 'base' ? ['base', 'head'] : ['head', 'base'];
  const servers: Partial<Record<Label, RunningServer>> = {};
  const figures: Record<Label, Partial<Sample>> = { base: {}, head: {} };
  const problems: Record<Label, string[]> = { base: [], head: [] };
  try {
    for (const label of labels) {
      const databasePath = path.join(WORK, 'compare', `${label}.db`);
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${databasePath}${suffix}`, { force: true });
      for (const suffix of ['', '-wal']) if (fs.existsSync(`${pristine}${suffix}`)) fs.copyFileSync(`${pristine}${suffix}`, `${databasePath}${suffix}`);
      servers[label] = await startProductionServer({ root: trees[label].dir, outDir: 'dist', databasePath });
    }
    await new Promise((r) => setTimeout(r, 1000));
    for (const label of labels) {
      const server = servers[label]!;
      figures[label].idleRssMb = rssMb(server.process.pid!).rss;
      figures[label].lessonBytes = Buffer.byteLength(await lessonHtml(server.url, population));
      // Warm-up (JIT, caches), not recorded. The writes' on the second half of the posts, so
      // every measured post (from the first half) is still a new row.
      await visitAll(server.url, population);
      await loadLesson(server.url, population, 3);
      await loadFloor(server.url, 1);
      await postForms(server.url, half(population.completions), 1, 1);
      await postForms(server.url, half(population.submissions), 1, 1);
    }
    const steps: Step[] = [
      ['lessonRps', 'lessonCpuMs', async (url, p) => checked('lesson', await loadLesson(url, population, seconds), p)],
      ['minimalPageRps', 'minimalPageCpuMs', async (url, p) => checked('floor', await loadFloor(url, seconds), p)],
      // The dashboards before the writes: both servers then read the same rows.
      ['adminMs', 'adminCpuMs', (url, p) => dashboardMedian(url, '/admin', population.adminCookie, requests, p)],
      ['championMs', 'championCpuMs', (url, p) => dashboardMedian(url, '/champion', population.championCookie, requests, p)],
      ['completeLessonRps', 'completeLessonCpuMs', async (url, p) => checked('complete lesson', (await postForms(url, population.completions, 1, seconds))[0]!, p)],
      ['submitQuizRps', 'submitQuizCpuMs', async (url, p) => checked('submit quiz', (await postForms(url, population.submissions, 1, seconds))[0]!, p)],
    ];
    for (const [key, cpuKey, measure] of steps) {
      for (const label of labels) {
        const server = servers[label]!;
        const cpuBefore = cpuMs(server.process.pid!);
        const { value, requests: sent } = await measure(server.url, problems[label]);
        figures[label][key] = value;
        figures[label][cpuKey] = Math.round(((cpuMs(server.process.pid!) - cpuBefore) / sent) * 1000) / 1000;
      }
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }
  return { base: { ...figures.base, problems: problems.base } as Sample, head: { ...figures.head, problems: problems.head } as Sample };
}

async function main(): Promise<void> {
  if (!args.base) throw new Error('--base <dir|commit> is required (the tree before); --head defaults to this checkout');
  const rounds = bounded('rounds', args.rounds, 1, 10);
  const seconds = bounded('seconds', args.seconds, 2, 30);
  const requests = bounded('requests', args.requests, 5, 200);
  const deadline = started + bounded('max-minutes', args['max-minutes'], 2, 60) * 60_000;
  const work = path.join(WORK, 'compare');
  fs.rmSync(work, { recursive: true, force: true });

  const trees: Record<'base' | 'head', Tree> = { base: copyTree(args.base, path.join(work, 'base')), head: copyTree(args.head, path.join(work, 'head')) };
  for (const [label, tree] of Object.entries(trees)) {
    log(`${label}: ${tree.source} at ${tree.commit.slice(0, 12)}${tree.dirty ? ' with uncommitted changes' : ''}`);
    // The curriculum inside each copy, where the build expects content.
    const corpus = path.join(tree.dir, '.test-builds', 'bench-content');
    writeCorpus(corpus, 2, 6);
    log(`${label}: building the 36-lesson benchmark curriculum`);
    const build = buildApp(corpus, 'dist', tree.dir);
    log(`${label}: built in ${build.seconds} s`);
  }
  const pristine = path.join(work, 'bench.db');
  const population = await populate(pristine, path.join(trees.head.dir, '.test-builds', 'bench-content'), log);
  // The generated roll-ups carry no version, so a server's first start rebuilds them and records
  // it (as after a restore): do that once here rather than in every measured start.
  log('head: a first start on the generated database (records the roll-up version)');
  await (await startProductionServer({ root: trees.head.dir, outDir: 'dist', databasePath: pristine })).stop();

  const samples: { base: Sample; head: Sample }[] = [];
  let roundMs = 0;
  /** The machine's 1-minute load average after each round: how busy it was besides us. */
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    if (Date.now() + roundMs > deadline) {
      log(`stopping after ${round} rounds: another would end past --max-minutes`);
      break;
    }
    const roundStart = Date.now();
    // Base first, then head first: neither tree always starts the pairs (an even count balances them).
    log(`round ${round + 1}/${rounds}`);
    samples.push(await measureRound(trees, population, pristine, round % 2 === 0 ? 'base' : 'head', seconds, requests));
    loads.push(Math.round((os.loadavg()[0] ?? 0) * 10) / 10);
    roundMs = Date.now() - roundStart;
  }
  if (samples.length === 0) throw new Error('no round finished within --max-minutes');

  const round2 = (v: number): number => Math.round(v * 100) / 100;
  const median = (values: number[]): number => quantile(values, 0.5);
  const rows = FIGURES.map((f) => {
    const ratios = samples.map((s) => s.head[f.key] / s.base[f.key]);
    return {
      ...f,
      base: median(samples.map((s) => s.base[f.key])),
      head: median(samples.map((s) => s.head[f.key])),
      ratio: round2(median(ratios)),
      min: round2(Math.min(...ratios)),
      max: round2(Math.max(...ratios)),
    };
  });
  const problems = samples.flatMap((s, i) => (['base', 'head'] as const).flatMap((label) => s[label].problems.map((p) => `round ${i + 1} ${label}: ${p}`)));
  const bytes = samples.map((s) => `${s.base.lessonBytes}/${s.head.lessonBytes}`);
  const result = { trees, rounds: samples.length, seconds, requests, totalSeconds: Math.round((Date.now() - started) / 1000), loadAverages: loads, figures: rows, samples };
  fs.writeFileSync(path.join(work, 'compare.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const tree of Object.values(trees)) fs.rmSync(tree.dir, { recursive: true, force: true });
  for (const suffix of ['', '-wal', '-shm', '.lock']) for (const file of ['bench.db', 'base.db', 'head.db']) fs.rmSync(path.join(work, `${file}${suffix}`), { force: true });

  console.log(
    `\nhead/base, ${samples.length} rounds (alternating), ${seconds} s per load at 50 connections, ${requests} dashboard requests; the ratio is the median of the rounds' own ratios (min–max).\n`,
  );
  console.log('| figure | better | base | head | head/base | rounds min–max |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.better} | ${round2(r.base)} | ${round2(r.head)} | **${r.ratio}** | ${r.min}–${r.max} |`);
  console.log(
    `\nLoad average after each round: ${loads.join(', ')} on ${os.cpus().length} cores. On a busy machine trust the CPU-per-request rows over requests/s and latency: other work steals wall time, not the server's CPU time.`,
  );
  console.log(`Lesson page HTML bytes per round (base/head): ${bytes.join(', ')}.`);
  console.log(problems.length === 0 ? 'Every response 2xx/3xx, no socket errors.' : `Problems:\n${problems.join('\n')}`);
  console.log(`Total ${result.totalSeconds} s; figures in ${path.relative(ROOT, path.join(work, 'compare.json'))}.`);
}

await main();
