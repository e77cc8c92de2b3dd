/** Writes at 50 connections: lesson completions and quiz submissions as same-origin form POSTs. */
import { CONNECTIONS, RUNS, SECONDS } from '../config.ts';
import { load, sampleRss, summarise, type LoadResult, type LoadSummary } from '../measure.ts';
import { countWrites, type FormPost, type Population } from '../setup.ts';

type Counted = LoadSummary & { ok: number; fiveXX: number };

export interface WriteResults {
  completeLesson: Counted & { rowsCreated: number };
  submitQuiz: Counted & { attemptsStored: number };
}

/** `runs` timed runs of form POSTs, each request the next of `posts` (in order, across the runs). */
export async function postForms(base: string, posts: FormPost[], runs: number, seconds: number): Promise<LoadResult[]> {
  let index = 0;
  const results: LoadResult[] = [];
  for (let run = 0; run < runs; run++) {
    results.push(
      await load({
        url: base,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const { path: address, cookie, body } = posts[index++ % posts.length]!;
              return { ...request, path: address, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, cookie }, body };
            },
          },
        ],
      }),
    );
  }
  return results;
}

const countOf = (statuses: Record<string, number>, accept: (status: string) => boolean): number =>
  Object.entries(statuses)
    .filter(([k]) => accept(k))
    .reduce((n, [, v]) => n + v, 0);

/** Answers that are 2xx or 3xx (the forms redirect after a POST). */
export const okCount = (statuses: Record<string, number>): number => countOf(statuses, (k) => k.startsWith('2') || k.startsWith('3'));
export const fiveXXCount = (statuses: Record<string, number>): number => countOf(statuses, (k) => k.startsWith('5'));

/** Both write loads, RUNS × SECONDS each, with the server's peak RSS during them. */
export async function measureWrites(base: string, population: Population, serverPid: number, log: (message: string) => void): Promise<{ writes: WriteResults; peakRssMb: number }> {
  log('writes: complete lesson, 50 connections');
  const before = countWrites(population.databasePath);
  const rss = sampleRss(serverPid);
  const completeRuns = await postForms(base, population.completions, RUNS, SECONDS);
  log('writes: submit quiz, 50 connections');
  const submitRuns = await postForms(base, population.submissions, RUNS, SECONDS);
  const peakRssMb = rss.stop();
  const after = countWrites(population.databasePath);
  const complete = summarise(completeRuns);
  const submit = summarise(submitRuns);
  return {
    writes: {
      completeLesson: { ...complete, ok: okCount(complete.statuses), fiveXX: fiveXXCount(complete.statuses), rowsCreated: after.completions - before.completions },
      submitQuiz: { ...submit, ok: okCount(submit.statuses), fiveXX: fiveXXCount(submit.statuses), attemptsStored: after.submittedByWriters },
    },
    peakRssMb,
  };
}
