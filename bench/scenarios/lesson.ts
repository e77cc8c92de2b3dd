/**
 * The lesson page, signed in, at 50 connections, against a static file of the same size and the
 * stack's own floor: the smallest server-rendered page (the sign-in form, no database).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONNECTIONS, LESSON_ROUNDS, LESSON_SECONDS, QUICK, ROOT } from '../config.ts';
import { load, pairedRatio, summarise, type LoadResult, type LoadSummary } from '../measure.ts';
import type { Population } from '../setup.ts';

const STATIC_PATH = '/bench-static.html';
const FLOOR_PATH = '/login';

export interface LessonPageResults {
  bytes: number;
  lesson: LoadSummary;
  static: LoadSummary;
  minimalPage: LoadSummary;
  ratio: number;
  minimalPageRatio: number;
  rounds: { lesson: number; static: number; minimalPage: number }[];
}

/** The lesson page's HTML; a signed-in lesson or nothing: a redirect to sign-in would measure the wrong page. */
export async function lessonHtml(base: string, population: Population): Promise<string> {
  const response = await fetch(`${base}${population.lessonPath}`, { headers: { cookie: population.readerCookies[0]! }, redirect: 'manual' });
  if (response.status !== 200) throw new Error(`the lesson page answered ${response.status}, not 200: is the session cookie right?`);
  return response.text();
}

/** Writes the static file into the build; the server indexes static files when it starts, so start it after. */
export function writeStaticTwin(outDir: string, bytes: number, root: string = ROOT): void {
  fs.writeFileSync(path.join(path.resolve(root, outDir), 'client', STATIC_PATH), 'x'.repeat(bytes));
}

/** Learners' sessions spread over the connections. */
export function loadLesson(base: string, population: Population, seconds: number): Promise<LoadResult> {
  const cookies = population.readerCookies;
  return load({ url: `${base}${population.lessonPath}`, connections: CONNECTIONS, duration: seconds, cookieFor: (i) => cookies[i % cookies.length]! });
}

export function loadStatic(base: string, seconds: number): Promise<LoadResult> {
  return load({ url: `${base}${STATIC_PATH}`, connections: CONNECTIONS, duration: seconds });
}

export function loadFloor(base: string, seconds: number): Promise<LoadResult> {
  return load({ url: `${base}${FLOOR_PATH}`, connections: CONNECTIONS, duration: seconds });
}

/** Warm-up (JIT, caches), not recorded, then LESSON_ROUNDS rounds of the three. */
export async function measureLessonPage(base: string, population: Population, bytes: number): Promise<LessonPageResults> {
  const lessonRuns: LoadResult[] = [];
  const staticRuns: LoadResult[] = [];
  await loadLesson(base, population, QUICK ? 2 : 6);
  await loadStatic(base, 2);
  await loadFloor(base, 2);
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
    lesson: summarise(lessonRuns),
    static: summarise(staticRuns),
    minimalPage: summarise(floorRuns),
    // Each round's own ratio, then the median: a round measures all three under the same conditions.
    ratio: pairedRatio(lessonRuns, staticRuns),
    minimalPageRatio: pairedRatio(floorRuns, staticRuns),
    rounds: lessonRuns.map((l, i) => ({ lesson: l.rps, static: staticRuns[i]!.rps, minimalPage: floorRuns[i]!.rps })),
  };
}
