/**
 * Course completions for the xAPI export, per renewal cycle, from one learner's lesson
 * completions and first passes: a course is complete in cycle n when each of its quizzes was
 * passed in n and each lesson read in n — or, in a renewal whose tier takes only what changed,
 * in an earlier cycle (as progress.ts carries it over). The moment is the last of those. Pure.
 */
import type { Catalog } from '../curriculum/catalog.ts';

export interface TimedRecord {
  /** The lesson or quiz id. */
  id: string;
  cycle: number;
  /** Milliseconds. */
  at: number;
}

export interface CourseCompletion {
  courseId: string;
  cycle: number;
  at: number;
}

/** The earliest moment per id and cycle (a re-read of a revised lesson does not move a completion). */
function earliest(records: readonly TimedRecord[]): Map<string, Map<number, number>> {
  const byId = new Map<string, Map<number, number>>();
  for (const r of records) {
    let cycles = byId.get(r.id);
    if (!cycles) byId.set(r.id, (cycles = new Map()));
    const known = cycles.get(r.cycle);
    if (known === undefined || r.at < known) cycles.set(r.cycle, r.at);
  }
  return byId;
}

export function courseCompletions(catalog: Catalog, lessons: readonly TimedRecord[], passes: readonly TimedRecord[]): CourseCompletion[] {
  const read = earliest(lessons);
  const passed = earliest(passes);
  const out: CourseCompletion[] = [];
  for (const tier of catalog.tiers) {
    for (const course of tier.courses) {
      const cycles = new Set<number>();
      for (const lesson of course.lessons) for (const n of read.get(lesson.id)?.keys() ?? []) cycles.add(n);
      for (const quiz of course.quizzes) for (const n of passed.get(quiz.id)?.keys() ?? []) cycles.add(n);
      for (const n of [...cycles].sort((a, b) => a - b)) {
        const carries = n > 1 && tier.renewal?.takes !== 'full';
        const times: number[] = [];
        let complete = true;
        for (const quiz of course.quizzes) {
          const at = passed.get(quiz.id)?.get(n);
          if (at === undefined) complete = false;
          else times.push(at);
        }
        let inCycle = times.length > 0;
        for (const lesson of course.lessons) {
          const byCycle = read.get(lesson.id);
          const own = byCycle?.get(n);
          if (own !== undefined) {
            times.push(own);
            inCycle = true;
            continue;
          }
          const earlier = carries && byCycle ? [...byCycle].filter(([c]) => c < n).map(([, at]) => at) : [];
          if (earlier.length === 0) complete = false;
          else times.push(Math.max(...earlier));
        }
        // A renewal that asked nothing of this course records no new completion of it.
        if (complete && inCycle && times.length > 0) out.push({ courseId: course.id, cycle: n, at: Math.max(...times) });
      }
    }
  }
  return out;
}
