/**
 * Every learning record as xAPI statements, streamed from the database: lesson and course
 * completions, quiz attempts (passed/failed with score), one "answered" per question, and one
 * "accepted" per policy acknowledgement.
 */
import type { Catalog } from '../curriculum/catalog.ts';
import { buildStatement, duration, type Statement, type XapiContext } from './xapi.ts';
import { readPages, type Db } from '../../platform/db.server.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { computeProgress, firstCycleRecord, type QuizRecord } from '../progress/progress.ts';
import { now as clockNow } from '../../platform/clock.ts';
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
  const completions = new Map<string, Map<string, number>>(); // publicId → lessonId → completedAt
  for await (const row of readPages<{ actor: string; lesson: string; at: number }>(
    db,
    `select t.rowid rid, u.public_id actor, t.lesson_id lesson, t.completed_at at from lesson_completions t join users u on u.id = t.user_id where true`,
    [],
    5000,
  )) {
    if (!catalog.lesson(row.lesson)) continue;
    let byLesson = completions.get(row.actor);
    if (!byLesson) completions.set(row.actor, (byLesson = new Map()));
    byLesson.set(row.lesson, row.at);
    const recordKey = `lesson-completed:${row.actor}:${row.lesson}`;
    yield {
      recordKey,
      statement: buildStatement(ctx, {
        recordKey,
        actorId: row.actor,
        verb: 'completed',
        activity: { type: 'lesson', path: `lesson/${row.lesson}`, name: lessonName(row.lesson) },
        at: new Date(row.at),
        result: { completion: true },
      }),
    };
  }

  // Quiz attempts and their answers.
  const firstPass = new Map<string, Map<string, number>>(); // publicId → quizId → first passing submit
  for await (const row of readPages<{ id: string; actor: string; quiz: string; started: number; submitted: number; score: number; max: number; passed: number }>(
    db,
    `select t.rowid rid, t.id id, u.public_id actor, t.quiz_id quiz, t.started_at started, t.submitted_at submitted, t.score score, t.max_score max, t.passed passed
     from quiz_attempts t join users u on u.id = t.user_id where t.submitted_at is not null`,
    [],
    5000,
  )) {
    const quiz = catalog.quiz(row.quiz);
    if (!quiz) continue;
    if (row.passed) {
      let byQuiz = firstPass.get(row.actor);
      if (!byQuiz) firstPass.set(row.actor, (byQuiz = new Map()));
      const known = byQuiz.get(row.quiz);
      if (known === undefined || row.submitted < known) byQuiz.set(row.quiz, row.submitted);
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
      }),
    };
  }
  for await (const row of readPages<{ attempt: string; question: string; correct: number; actor: string; quiz: string; at: number }>(
    db,
    `select t.rowid rid, t.attempt_id attempt, t.question_id question, t.correct correct, u.public_id actor, q.quiz_id quiz, q.submitted_at at
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
      }),
    };
  }

  // Course completions, by the progress rule (src/features/progress/progress.ts): the moment is the last of the lessons and first passes.
  const passed: QuizRecord = { attempts: 1, bestPercent: null, passed: true };
  for (const [actor, byLesson] of completions) {
    const byQuiz = firstPass.get(actor) ?? new Map<string, number>();
    // Without certificates every tier is in its first cycle: the moment and zone decide nothing here.
    const progress = computeProgress(catalog, firstCycleRecord(byLesson.keys(), new Map([...byQuiz.keys()].map((id) => [id, passed]))), { now: clockNow(), timeZone: 'UTC' });
    for (const course of catalog.tiers.flatMap((t) => t.courses)) {
      if (!progress.course(course.id)?.complete) continue;
      const at = Math.max(...course.lessons.map((l) => byLesson.get(l.id)!), ...course.quizzes.map((q) => byQuiz.get(q.id)!));
      const recordKey = `course-completed:${actor}:${course.id}`;
      yield {
        recordKey,
        statement: buildStatement(ctx, {
          recordKey,
          actorId: actor,
          verb: 'completed',
          activity: { type: 'course', path: `course/${course.id}`, name: course.title },
          at: new Date(at),
          result: { completion: true },
        }),
      };
    }
  }

  // Policy acknowledgements (src/features/policies).
  yield* policyStatements(db, policies, ctx);
}
