/**
 * Course completions for the xAPI export, per renewal cycle, from one learner's lesson
 * completions and first passes: a course is complete in cycle n when each of its quizzes was
 * passed in n and each lesson read in n — or, in a renewal whose tier takes only what changed,
 * in an earlier cycle and not revised (major) since, as of the cycle's own last record (as
 * progress.ts carries it over). The moment is the last of those. Pure.
 */
import type { Catalog, LessonNode } from '../curriculum/catalog.ts';
import { outdatedBy } from '../progress/cycles.ts';

export interface TimedRecord {
  /** The lesson or quiz id. */
  id: string;
  cycle: number;
  /** Milliseconds. */
  at: number;
  /** A lesson completion's newest major revision when it was read (`YYYY-MM-DD`); null: none then. Quizzes: absent. */
  majorRevision?: string | null;
}

export interface CourseCompletion {
  courseId: string;
  cycle: number;
  at: number;
}

/** The earliest record per id and cycle (a re-read of a revised lesson does not move a completion). */
function earliest(records: readonly TimedRecord[]): Map<string, Map<number, TimedRecord>> {
  const byId = new Map<string, Map<number, TimedRecord>>();
  for (const r of records) {
    let cycles = byId.get(r.id);
    if (!cycles) byId.set(r.id, (cycles = new Map()));
    const known = cycles.get(r.cycle);
    if (known === undefined || r.at < known.at) cycles.set(r.cycle, r);
  }
  return byId;
}

/** The lesson as it stood at `at`: its revisions up to that (UTC) day, so the newest major then is `majorRevision`. */
function lessonAt(lesson: LessonNode, at: number): Pick<LessonNode, 'majorRevision'> {
  const day = new Date(at).toISOString().slice(0, 10);
  // revisions are newest first
  return { majorRevision: lesson.revisions.find((r) => r.significance === 'major' && r.date <= day) ?? null };
}

export function courseCompletions(catalog: Catalog, lessons: readonly TimedRecord[], passes: readonly TimedRecord[]): CourseCompletion[] {
  const read = earliest(lessons);
  const allReads = new Map<string, TimedRecord[]>();
  for (const r of lessons) {
    const list = allReads.get(r.id);
    if (list) list.push(r);
    else allReads.set(r.id, [r]);
  }
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
          const pass = passed.get(quiz.id)?.get(n);
          if (pass === undefined) complete = false;
          else times.push(pass.at);
        }
        const carried: LessonNode[] = [];
        for (const lesson of course.lessons) {
          const own = read.get(lesson.id)?.get(n);
          if (own !== undefined) times.push(own.at);
          else if (carries) carried.push(lesson);
          else complete = false;
        }
        const inCycle = times.length > 0;
        // What was read before counts if no major revision came between it and this cycle's own work.
        const cycleEnd = inCycle ? Math.max(...times) : 0;
        for (const lesson of carried) {
          const then = lessonAt(lesson, cycleEnd);
          // any read of an earlier cycle counts, a review of the revision too
          const earlier = (allReads.get(lesson.id) ?? []).filter((r) => r.cycle < n && !outdatedBy(then, { majorRevision: r.majorRevision ?? null })).map((r) => r.at);
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
