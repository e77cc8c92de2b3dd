/**
 * The lesson page, signed in, at 50 warmed connections, against a static file of the same size
 * and the stack's own floor: the smallest server-rendered page (the sign-in form, no database).
 * The lesson load is the population's visit mix: thousands of distinct learners (and every
 * champion and admin) over the basic tier's lessons.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONNECTIONS, LESSON_ROUNDS, LESSON_SECONDS, QUICK, ROOT, WARMUP_SECONDS } from '../config.ts';
import { load, pairedRatio, quantile, summarise, type LoadResult, type LoadSummary } from '../measure.ts';
import type { ShellTally } from '../server.ts';
import type { Population } from '../setup.ts';

export const STATIC_PATH = '/bench-static.html';
const FLOOR_PATH = '/login';

export interface LessonPageResults {
  /** Mean HTML bytes of the visit mix; the static file has exactly this many. */
  bytes: number;
  /** Distinct sessions and lessons in the mix. */
  users: number;
  lessons: number;
  lesson: LoadSummary;
  static: LoadSummary;
  minimalPage: LoadSummary;
  ratio: number;
  minimalPageRatio: number;
  rounds: { lesson: number; static: number; minimalPage: number }[];
  /** Pages the server answered from shells, and why the others went to Astro (its shutdown tally). */
  shells?: ShellTally | null;
}

/** The lesson page's HTML; a signed-in lesson or nothing: a redirect to sign-in would measure the wrong page. */
export async function lessonHtml(base: string, population: Population, visit = population.visits[0]!): Promise<string> {
  const response = await fetch(`${base}${visit.path}`, { headers: { cookie: visit.cookie }, redirect: 'manual' });
  if (response.status !== 200) throw new Error(`the lesson page ${visit.path} answered ${response.status}, not 200: is the session cookie right?`);
  return response.text();
}

/** Mean HTML size over the first `sample` visits of the mix (each must answer 200). */
export async function mixBytes(base: string, population: Population, sample = 60): Promise<number> {
  const visits = population.visits.slice(0, sample);
  let total = 0;
  for (const visit of visits) total += Buffer.byteLength(await lessonHtml(base, population, visit));
  return Math.round(total / visits.length);
}

/** Writes the static file into the build; the server indexes static files when it starts, so start it after. */
export function writeStaticTwin(outDir: string, bytes: number, root: string = ROOT): void {
  fs.writeFileSync(path.join(path.resolve(root, outDir), 'client', STATIC_PATH), 'x'.repeat(bytes));
}

/** Each request the next visit of the mix (user and lesson), over warmed connections. */
export function loadLesson(base: string, population: Population, seconds: number, warmupSeconds: number = WARMUP_SECONDS): Promise<LoadResult> {
  const visits = population.visits;
  let index = 0;
  return load({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    warmupSeconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const { path: address, cookie } = visits[index++ % visits.length]!;
          return { ...request, path: address, headers: { cookie } };
        },
      },
    ],
  });
}

/**
 * Every visit of the mix once, untimed: each session's first view of its lesson today is stored
 * (a write), so the timed rounds measure what most lesson requests are, a page read again the
 * same day — the same for every round and both trees of a comparison.
 */
export function visitAll(base: string, population: Population): Promise<LoadResult> {
  const visits = population.visits;
  let index = 0;
  return load({
    url: base,
    connections: CONNECTIONS,
    amount: visits.length,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const { path: address, cookie } = visits[index++ % visits.length]!;
          return { ...request, path: address, headers: { cookie } };
        },
      },
    ],
  });
}

export function loadStatic(base: string, seconds: number, warmupSeconds: number = WARMUP_SECONDS): Promise<LoadResult> {
  return load({ url: `${base}${STATIC_PATH}`, connections: CONNECTIONS, duration: seconds, warmupSeconds });
}

export function loadFloor(base: string, seconds: number, warmupSeconds: number = WARMUP_SECONDS): Promise<LoadResult> {
  return load({ url: `${base}${FLOOR_PATH}`, connections: CONNECTIONS, duration: seconds, warmupSeconds });
}

/** Warm-up (JIT, caches), not recorded, then LESSON_ROUNDS rounds of the three. */
export async function measureLessonPage(base: string, population: Population, bytes: number): Promise<LessonPageResults> {
  const lessonRuns: LoadResult[] = [];
  const staticRuns: LoadResult[] = [];
  await visitAll(base, population);
  await loadLesson(base, population, QUICK ? 2 : 6, 0);
  await loadStatic(base, 2, 0);
  await loadFloor(base, 2, 0);
  // The three alternate within each round, so a slower stretch of a shared machine weighs on
  // all of them alike and the ratios stay comparable.
  const floorRuns: LoadResult[] = [];
  for (let run = 0; run < LESSON_ROUNDS; run++) {
    lessonRuns.push(await loadLesson(base, population, LESSON_SECONDS));
    staticRuns.push(await loadStatic(base, LESSON_SECONDS));
    floorRuns.push(await loadFloor(base, LESSON_SECONDS));
  }
  return {
    bytes,
    users: new Set(population.visits.map((v) => v.cookie)).size,
    lessons: new Set(population.visits.map((v) => v.path)).size,
    lesson: summarise(lessonRuns),
    static: summarise(staticRuns),
    minimalPage: summarise(floorRuns),
    // Each round's own ratio, then the median: a round measures all three under the same conditions.
    ratio: pairedRatio(lessonRuns, staticRuns),
    minimalPageRatio: pairedRatio(floorRuns, staticRuns),
    rounds: lessonRuns.map((l, i) => ({ lesson: l.rps, static: staticRuns[i]!.rps, minimalPage: floorRuns[i]!.rps })),
  };
}

/** The median of each round's lesson ÷ floor. */
export function floorShare(rounds: { lesson: number; minimalPage: number }[]): number {
  return (
    Math.round(
      quantile(
        rounds.map((x) => x.lesson / x.minimalPage),
        0.5,
      ) * 100,
    ) / 100
  );
}
