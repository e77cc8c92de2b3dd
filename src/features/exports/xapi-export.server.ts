/**
 * Every learning record as xAPI statements, streamed from the database: lesson and course
 * completions, quiz attempts (passed/failed with score), and one "answered" per question.
 */
import type { Catalog } from '../curriculum/catalog.ts';
import { buildStatement, duration, type Statement, type XapiContext } from './xapi.ts';
import type { Db } from '../../platform/db.server.ts';

export interface KeyedStatement {
  recordKey: string;
  statement: Statement;
}

/**
 * Reads a table in pages by rowid, so no query stays open while the consumer writes to the
 * same connection (better-sqlite3 refuses that) and memory stays flat.
 */
function* paged<T>(db: Db, query: string, pageSize = 5000): Generator<T> {
  const statement = db.$client.prepare(`${query} and t.rowid > ? order by t.rowid limit ${pageSize}`);
  let after = 0;
  for (;;) {
    const rows = statement.all(after) as (T & { rid: number })[];
    if (rows.length === 0) return;
    yield* rows;
    after = rows.at(-1)!.rid;
  }
}

export function* xapiStatements(db: Db, catalog: Catalog, ctx: XapiContext): Generator<KeyedStatement> {
  const lessonName = (id: string) => catalog.lesson(id)?.title ?? { en: id };

  // Lesson completions, and what course completions need.
  const completions = new Map<string, Map<string, number>>(); // publicId → lessonId → completedAt
  for (const row of paged<{ actor: string; lesson: string; at: number }>(
    db,
    `select t.rowid rid, u.public_id actor, t.lesson_id lesson, t.completed_at at from lesson_completions t join users u on u.id = t.user_id where true`,
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
  for (const row of paged<{ id: string; actor: string; quiz: string; started: number; submitted: number; score: number; max: number; passed: number }>(
    db,
    `select t.rowid rid, t.id id, u.public_id actor, t.quiz_id quiz, t.started_at started, t.submitted_at submitted, t.score score, t.max_score max, t.passed passed
     from quiz_attempts t join users u on u.id = t.user_id where t.submitted_at is not null`,
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
  for (const row of paged<{ attempt: string; question: string; correct: number; actor: string; quiz: string; at: number }>(
    db,
    `select t.rowid rid, t.attempt_id attempt, t.question_id question, t.correct correct, u.public_id actor, q.quiz_id quiz, q.submitted_at at
     from attempt_answers t join quiz_attempts q on q.id = t.attempt_id join users u on u.id = q.user_id
     where q.submitted_at is not null`,
  )) {
    const quiz = catalog.quiz(row.quiz);
    if (!quiz) continue;
    const prompt = (locale: 'ja' | 'en') => quiz.text[locale]?.questions.find((q) => q.id === row.question)?.prompt;
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

  // Course completions: all lessons done and every quiz passed; the moment is the last of those.
  for (const [actor, byLesson] of completions) {
    for (const course of catalog.tiers.flatMap((t) => t.courses)) {
      const lessonTimes = course.lessons.map((l) => byLesson.get(l.id));
      const quizTimes = course.quizzes.map((q) => firstPass.get(actor)?.get(q.id));
      if ([...lessonTimes, ...quizTimes].some((t) => t === undefined)) continue;
      const at = Math.max(...(lessonTimes as number[]), ...(quizTimes as number[]));
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
}
