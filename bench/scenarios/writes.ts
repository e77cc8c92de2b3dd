/**
 * Writes at 50 warmed connections: lesson completions and quiz submissions as same-origin form
 * POSTs, alternating in rounds with the static file, so each is also a ratio to the static
 * file's requests/s measured in the same round.
 */
import { CONNECTIONS, RUNS, SECONDS, WARMUP_SECONDS } from '../config.ts';
import { load, pairedRatio, sampleRss, summarise, type LoadResult, type LoadSummary } from '../measure.ts';
import { countWrites, type FormPost, type Population } from '../setup.ts';
import { loadStatic } from './lesson.ts';

type Counted = LoadSummary & { ok: number; fiveXX: number; answeredWithWarmup: number; ratioToStatic: number };

export interface WriteResults {
  static: LoadSummary;
  completeLesson: Counted & { rowsCreated: number };
  submitQuiz: Counted & { attemptsStored: number };
  rounds: { static: number; completeLesson: number; submitQuiz: number }[];
}

/** A stream of posts: each request takes the next (in order, across runs sharing the stream). */
export function postStream(posts: FormPost[]): () => FormPost {
  let index = 0;
  return () => posts[index++ % posts.length]!;
}

/** One timed run of form POSTs from `next`, after the warm-up on the same connections. */
export function postRun(base: string, next: () => FormPost, seconds: number, warmupSeconds: number = WARMUP_SECONDS, connections: number = CONNECTIONS): Promise<LoadResult> {
  return load({
    url: base,
    connections,
    duration: seconds,
    warmupSeconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const { path: address, cookie, body } = next();
          return { ...request, path: address, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, cookie }, body };
        },
      },
    ],
  });
}

/** `runs` timed runs of form POSTs, each request the next of `posts` (in order, across the runs). */
export async function postForms(base: string, posts: FormPost[], runs: number, seconds: number): Promise<LoadResult[]> {
  const next = postStream(posts);
  const results: LoadResult[] = [];
  for (let run = 0; run < runs; run++) results.push(await postRun(base, next, seconds));
  return results;
}

const countOf = (statuses: Record<string, number>, accept: (status: string) => boolean): number =>
  Object.entries(statuses)
    .filter(([k]) => accept(k))
    .reduce((n, [, v]) => n + v, 0);

/** Answers that are 2xx or 3xx (the forms redirect after a POST). */
export const okCount = (statuses: Record<string, number>): number => countOf(statuses, (k) => k.startsWith('2') || k.startsWith('3'));
export const fiveXXCount = (statuses: Record<string, number>): number => countOf(statuses, (k) => k.startsWith('5'));

/** RUNS rounds of static file, complete lesson, submit quiz (SECONDS each), with the server's peak RSS during them. */
export async function measureWrites(base: string, population: Population, serverPid: number, log: (message: string) => void): Promise<{ writes: WriteResults; peakRssMb: number }> {
  log(`writes: ${RUNS} rounds of static file, complete lesson, submit quiz, 50 connections`);
  const before = countWrites(population.databasePath);
  const rss = sampleRss(serverPid);
  const completions = postStream(population.completions);
  const submissions = postStream(population.submissions);
  const staticRuns: LoadResult[] = [];
  const completeRuns: LoadResult[] = [];
  const submitRuns: LoadResult[] = [];
  for (let round = 0; round < RUNS; round++) {
    staticRuns.push(await loadStatic(base, SECONDS));
    completeRuns.push(await postRun(base, completions, SECONDS));
    submitRuns.push(await postRun(base, submissions, SECONDS));
  }
  const peakRssMb = rss.stop();
  const after = countWrites(population.databasePath);
  const counted = (runs: LoadResult[]): Counted => {
    const summary = summarise(runs);
    return {
      ...summary,
      ok: okCount(summary.statuses),
      fiveXX: fiveXXCount(summary.statuses),
      answeredWithWarmup: runs.reduce((n, r) => n + (r.answered ?? 0), 0),
      ratioToStatic: pairedRatio(runs, staticRuns),
    };
  };
  return {
    writes: {
      static: summarise(staticRuns),
      completeLesson: { ...counted(completeRuns), rowsCreated: after.completions - before.completions },
      submitQuiz: { ...counted(submitRuns), attemptsStored: after.submittedByWriters - before.submittedByWriters },
      rounds: staticRuns.map((s, i) => ({ static: s.rps, completeLesson: completeRuns[i]!.rps, submitQuiz: submitRuns[i]!.rps })),
    },
    peakRssMb,
  };
}
