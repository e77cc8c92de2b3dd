/**
 * Every learning record as xAPI statements, streamed from the database: lesson and course
 * completions, quiz attempts (passed/failed with score), one "answered" per question, one
 * "completed" per tier certificate, and one "accepted" per policy acknowledgement. Each training
 * statement carries its renewal cycle and content version in `context.extensions` (xapi.ts).
 * Record keys (and so statement ids) of first-cycle records from before content versions are
 * those they always had, so a re-push never sends them again as new statements.
 */
import type { Catalog } from '../curriculum/catalog.ts';
import { buildStatement, duration, type Statement, type XapiContext } from './xapi.ts';
import { readPages, type Db } from '../../platform/db.server.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { courseCompletions, type TimedRecord } from './xapi-courses.ts';
import type { PolicyCatalog } from '../policies/policies.ts';
import { policyStatements } from '../policies/export.server.ts';

export interface KeyedStatement {
  recordKey: string;
  statement: Statement;
}

/**
 * Every statement, streamed: each table is read in pages (src/platform/db.server.ts `readPages`),
 * so no query stays open while the consumer writes to the same connection and memory stays flat.
 */
export async function* xapiStatements(db: Db, catalog: Catalog, ctx: XapiContext, policies: PolicyCatalog | null = null): AsyncGenerator<KeyedStatement> {
  const lessonName = (id: string) => catalog.lesson(id)?.title ?? { en: id };

  // Lesson completions, and what course completions need.
  const completions = new Map<string, TimedRecord[]>(); // publicId → lesson completions
  for await (const row of readPages<{ actor: string; lesson: string; cycle: number; version: string; major: string | null; at: number }>(
    db,
    `select t.rowid rid, u.public_id actor, t.lesson_id lesson, t.cycle cycle, t.content_version version, t.major_revision major, t.completed_at at
     from lesson_completions t join users u on u.id = t.user_id where true`,
    [],
    5000,
  )) {
    if (!catalog.lesson(row.lesson)) continue;
    let list = completions.get(row.actor);
    if (!list) completions.set(row.actor, (list = []));
    list.push({ id: row.lesson, cycle: row.cycle, at: row.at, majorRevision: row.major });
    // Before cycles and versions a lesson had one completion per learner: that key stays.
    const legacy = row.cycle === 1 && row.version === '';
    const recordKey = `lesson-completed:${row.actor}:${row.lesson}${legacy ? '' : `:${row.cycle}:${row.version}`}`;
    yield {
      recordKey,
      statement: buildStatement(ctx, {
        recordKey,
        actorId: row.actor,
        verb: 'completed',
        activity: { type: 'lesson', path: `lesson/${row.lesson}`, name: lessonName(row.lesson) },
        at: new Date(row.at),
        result: { completion: true },
        context: { cycle: row.cycle, contentVersion: row.version },
      }),
    };
  }

  // Quiz attempts and their answers.
  const passes = new Map<string, TimedRecord[]>(); // publicId → passing submits
  for await (const row of readPages<{
    id: string;
    actor: string;
    quiz: string;
    cycle: number;
    version: string;
    started: number;
    submitted: number;
    score: number;
    max: number;
    passed: number;
  }>(
    db,
    `select t.rowid rid, t.id id, u.public_id actor, t.quiz_id quiz, t.cycle cycle, t.content_version version, t.started_at started, t.submitted_at submitted,
       t.score score, t.max_score max, t.passed passed
     from quiz_attempts t join users u on u.id = t.user_id where t.submitted_at is not null`,
    [],
    5000,
  )) {
    const quiz = catalog.quiz(row.quiz);
    if (!quiz) continue;
    if (row.passed) {
      let list = passes.get(row.actor);
      if (!list) passes.set(row.actor, (list = []));
      list.push({ id: row.quiz, cycle: row.cycle, at: row.submitted });
    }
    const recordKey = `attempt:${row.id}`;
    yield {
      recordKey,
      statement: buildStatement(ctx, {
        recordKey,
        actorId: row.actor,
        verb: row.passed ? 'passed' : 'failed',
        activity: { type: 'assessment', path: `quiz/${row.quiz}`, name: { ja: quiz.text.ja?.title, en: quiz.text.en?.title } },
        at: new Date(row.submitted),
        result: {
          score: { scaled: row.max === 0 ? 0 : row.score / row.max, raw: row.score, min: 0, max: row.max },
          success: Boolean(row.passed),
          completion: true,
          duration: duration(row.submitted - row.started),
        },
        context: { cycle: row.cycle, contentVersion: row.version },
      }),
    };
  }
  for await (const row of readPages<{ attempt: string; question: string; correct: number; version: string; actor: string; quiz: string; cycle: number; at: number }>(
    db,
    `select t.rowid rid, t.attempt_id attempt, t.question_id question, t.correct correct, t.question_version version, u.public_id actor, q.quiz_id quiz,
       q.cycle cycle, q.submitted_at at
     from attempt_answers t join quiz_attempts q on q.id = t.attempt_id join users u on u.id = q.user_id
     where q.submitted_at is not null`,
    [],
    5000,
  )) {
    const quiz = catalog.quiz(row.quiz);
    if (!quiz) continue;
    const prompt = (locale: Locale) => quiz.text[locale]?.questions.find((q) => q.id === row.question)?.prompt;
    const recordKey = `answer:${row.attempt}:${row.question}`;
    yield {
      recordKey,
      statement: buildStatement(ctx, {
        recordKey,
        actorId: row.actor,
        verb: 'answered',
        activity: { type: 'question', path: `quiz/${row.quiz}/question/${row.question}`, name: { ja: prompt('ja'), en: prompt('en') } },
        at: new Date(row.at),
        result: { success: Boolean(row.correct) },
        context: { cycle: row.cycle, contentVersion: row.version },
      }),
    };
  }

  // Course completions per cycle, by the progress rule (xapi-courses.ts); the first cycle keeps its old key.
  for (const [actor, lessons] of completions) {
    for (const done of courseCompletions(catalog, lessons, passes.get(actor) ?? [])) {
      const course = catalog.course(done.courseId)!;
      const recordKey = `course-completed:${actor}:${course.id}${done.cycle === 1 ? '' : `:${done.cycle}`}`;
      yield {
        recordKey,
        statement: buildStatement(ctx, {
          recordKey,
          actorId: actor,
          verb: 'completed',
          activity: { type: 'course', path: `course/${course.id}`, name: course.title },
          at: new Date(done.at),
          result: { completion: true },
          context: { cycle: done.cycle },
        }),
      };
    }
  }

  // Tier certificates, one per cycle, with their validity.
  for await (const row of readPages<{ actor: string; tier: string; cycle: number; issued: number; until: number | null }>(
    db,
    `select t.rowid rid, u.public_id actor, t.tier_id tier, t.cycle cycle, t.issued_at issued, t.valid_until until
     from certificates t join users u on u.id = t.user_id where true`,
    [],
    5000,
  )) {
    const tier = catalog.tier(row.tier);
    const name = (locale: Locale, label: string): string | undefined => {
      const title = tier?.title[locale];
      return title ? `${label}${title}` : undefined;
    };
    const recordKey = `certificate:${row.actor}:${row.tier}:${row.cycle}`;
    yield {
      recordKey,
      statement: buildStatement(ctx, {
        recordKey,
        actorId: row.actor,
        verb: 'completed',
        activity: {
          type: 'certificate',
          path: `certificate/${row.tier}`,
          name: tier ? { ja: name('ja', '修了証：'), en: name('en', 'Certificate: ') } : { en: `Certificate: ${row.tier}` },
        },
        at: new Date(row.issued),
        result: { completion: true, success: true },
        context: { cycle: row.cycle, validUntil: row.until === null ? null : new Date(row.until) },
      }),
    };
  }

  // Policy acknowledgements (src/features/policies).
  yield* policyStatements(db, policies, ctx);
}
