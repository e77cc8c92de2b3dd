/**
 * `npm run bench:compare -- --base <dir|commit> [--head <dir|commit>] [--rounds 3]`: the lesson
 * page, the writes and the dashboard of two trees as ratios head/base measured in one run, for
 * a shared machine whose speed drifts. Both trees are copied (bench/trees.ts), built with the
 * benchmark curriculum and served in turn against copies of one generated database — A B, B A,
 * A B … — and each figure is the median over rounds of that round's own ratio head/base.
 * Bounded: at most 10 rounds, and no round starts that would end past --max-minutes.
 * Writes .test-builds/compare/compare.json; bench/results.json and RESULTS.md stay as they are.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from './builds.ts';
import { ROOT, WORK } from './config.ts';
import { writeCorpus } from './corpus.ts';
import { quantile, rssMb, type LoadResult } from './measure.ts';
import { measureDashboard } from './scenarios/dashboard.ts';
import { lessonHtml, loadFloor, loadLesson } from './scenarios/lesson.ts';
import { fiveXXCount, okCount, postForms } from './scenarios/writes.ts';
import { startProductionServer } from './server.ts';
import { populate, type Population } from './setup.ts';
import { copyTree, type Tree } from './trees.ts';

const FIGURES = [
  { key: 'lessonRps', name: 'lesson page, signed in (req/s)', better: 'higher' },
  { key: 'minimalPageRps', name: 'floor: sign-in form, no database (req/s)', better: 'higher' },
  { key: 'completeLessonRps', name: 'write: complete lesson (req/s)', better: 'higher' },
  { key: 'submitQuizRps', name: 'write: submit quiz (req/s)', better: 'higher' },
  { key: 'adminMs', name: '/admin at 20,000 users, median (ms)', better: 'lower' },
  { key: 'championMs', name: '/champion, median (ms)', better: 'lower' },
  { key: 'idleRssMb', name: 'server RSS after start (MB)', better: 'lower' },
] as const;

type Sample = Record<(typeof FIGURES)[number]['key'], number> & { lessonBytes: number; problems: string[] };

const { values: args } = parseArgs({
  options: {
    base: { type: 'string' },
    head: { type: 'string', default: ROOT },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '30' },
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

/** One server start of one tree: every figure once, on a fresh copy of the generated database. */
async function measureTree(tree: Tree, population: Population, pristine: string, seconds: number, requests: number): Promise<Sample> {
  const databasePath = path.join(WORK, 'compare', 'serve.db');
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${databasePath}${suffix}`, { force: true });
  fs.copyFileSync(pristine, databasePath);
  const server = await startProductionServer({ root: tree.dir, outDir: 'dist', databasePath });
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idleRssMb = rssMb(server.process.pid!).rss;
    const lessonBytes = Buffer.byteLength(await lessonHtml(server.url, population));
    const problems: string[] = [];
    const check = (name: string, result: LoadResult): number => {
      const answered = Object.values(result.statuses).reduce((n, v) => n + v, 0);
      if (fiveXXCount(result.statuses) > 0 || okCount(result.statuses) < answered || result.errors > 0) problems.push(`${name}: statuses ${JSON.stringify(result.statuses)}, socket errors ${result.errors}`);
      return result.rps;
    };
    // Warm-up (JIT, caches), not recorded; then each figure once.
    await loadLesson(server.url, population, 4);
    await loadFloor(server.url, 1);
    const lessonRps = check('lesson', await loadLesson(server.url, population, seconds));
    const minimalPageRps = check('floor', await loadFloor(server.url, seconds));
    // A warm-up second of each write too, on the second half of the posts, so every measured
    // post (from the first half) is still a new row.
    const half = <T>(list: T[]): T[] => list.slice(Math.floor(list.length / 2));
    await postForms(server.url, half(population.completions), 1, 1);
    await postForms(server.url, half(population.submissions), 1, 1);
    const completeRuns = await postForms(server.url, population.completions, 1, seconds);
    const submitRuns = await postForms(server.url, population.submissions, 1, seconds);
    const completeLessonRps = check('complete lesson', completeRuns[0]!);
    const submitQuizRps = check('submit quiz', submitRuns[0]!);
    const dashboard = await measureDashboard(server.url, population, requests);
    if (dashboard.admin.status !== 200 || dashboard.champion.status !== 200) problems.push(`dashboard statuses ${dashboard.admin.status} / ${dashboard.champion.status}`);
    return { lessonRps, minimalPageRps, completeLessonRps, submitQuizRps, adminMs: dashboard.admin.median, championMs: dashboard.champion.median, idleRssMb, lessonBytes, problems };
  } finally {
    await server.stop();
  }
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

  const samples: { base: Sample; head: Sample }[] = [];
  let roundMs = 0;
  for (let round = 0; round < rounds; round++) {
    if (Date.now() + roundMs > deadline) {
      log(`stopping after ${round} rounds: another would end past --max-minutes`);
      break;
    }
    const roundStart = Date.now();
    // A B, then B A: neither tree always runs second (after the other's load, on a warmer cache).
    const order = round % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const);
    const pair: Partial<Record<'base' | 'head', Sample>> = {};
    for (const label of order) {
      log(`round ${round + 1}/${rounds}: ${label}`);
      pair[label] = await measureTree(trees[label], population, pristine, seconds, requests);
    }
    samples.push(pair as { base: Sample; head: Sample });
    roundMs = Date.now() - roundStart;
  }
  if (samples.length === 0) throw new Error('no round finished within --max-minutes');

  const round2 = (v: number): number => Math.round(v * 100) / 100;
  const median = (values: number[]): number => quantile(values, 0.5);
  const rows = FIGURES.map((f) => {
    const ratios = samples.map((s) => s.head[f.key] / s.base[f.key]);
    return { ...f, base: median(samples.map((s) => s.base[f.key])), head: median(samples.map((s) => s.head[f.key])), ratio: round2(median(ratios)), min: round2(Math.min(...ratios)), max: round2(Math.max(...ratios)) };
  });
  const problems = samples.flatMap((s, i) => (['base', 'head'] as const).flatMap((label) => s[label].problems.map((p) => `round ${i + 1} ${label}: ${p}`)));
  const bytes = samples.map((s) => `${s.base.lessonBytes}/${s.head.lessonBytes}`);
  const result = { trees, rounds: samples.length, seconds, requests, totalSeconds: Math.round((Date.now() - started) / 1000), figures: rows, samples };
  fs.writeFileSync(path.join(work, 'compare.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const tree of Object.values(trees)) fs.rmSync(tree.dir, { recursive: true, force: true });
  for (const suffix of ['', '-wal', '-shm']) for (const file of ['bench.db', 'serve.db']) fs.rmSync(path.join(work, `${file}${suffix}`), { force: true });

  console.log(`\nhead/base, ${samples.length} rounds (alternating), ${seconds} s per load at 50 connections, ${requests} dashboard requests; the ratio is the median of the rounds' own ratios (min–max).\n`);
  console.log('| figure | better | base | head | head/base | rounds min–max |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.better} | ${round2(r.base)} | ${round2(r.head)} | **${r.ratio}** | ${r.min}–${r.max} |`);
  console.log(`\nLesson page HTML bytes per round (base/head): ${bytes.join(', ')}.`);
  console.log(problems.length === 0 ? 'Every response 2xx/3xx, no socket errors.' : `Problems:\n${problems.join('\n')}`);
  console.log(`Total ${result.totalSeconds} s; figures in ${path.relative(ROOT, path.join(work, 'compare.json'))}.`);
}

await main();
