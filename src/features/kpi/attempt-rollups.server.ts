/**
 * The roll-ups of a handed-in quiz attempt (see rollups.server.ts): one upsert per roll-up
 * table, each prepared once per connection (per number of rows), inside the submission's write.
 */
import { sql } from 'drizzle-orm';
import { kpiDepartmentMonths, kpiQuestionMonths, kpiWrongOptions, quizPairs } from '../../../db/schema/index.ts';
import { monthKey } from '../../platform/dates.ts';
import type { Grade } from '../quiz/quiz.ts';
import type { Tx } from '../../platform/db.server.ts';

export interface SubmittedAttempt {
  userId: number;
  /** The quiz's correct options per question, to count only the wrong choices. */
  quiz: { id: string; questions: readonly { id: string; correctOptionIds: readonly string[] }[] };
  submittedAt: Date;
  grade: Pick<Grade, 'score' | 'maxScore' | 'passed' | 'answers'>;
}

/**
 * An attempt handed in by a learner of `departmentId`: one upsert per roll-up table, each
 * prepared once per connection (per number of rows). Rows are summed per key first: one
 * statement must not touch a row twice (PostgreSQL refuses that), and the counts add `excluded`.
 */
export async function rollupAttempt(run: AttemptRollupStatements, attempt: SubmittedAttempt, departmentId: number, timeZone: string): Promise<void> {
  const month = monthKey(attempt.submittedAt, timeZone);
  const { grade } = attempt;
  const quizId = attempt.quiz.id;
  const correctOptions = new Map(attempt.quiz.questions.map((q) => [q.id, q.correctOptionIds]));
  const questions = new Map<string, { answers: number; correct: number }>();
  const wrong = new Map<string, { questionId: string; optionId: string; count: number }>();
  for (const answer of grade.answers) {
    const q = questions.get(answer.questionId) ?? { answers: 0, correct: 0 };
    questions.set(answer.questionId, { answers: q.answers + 1, correct: q.correct + (answer.correct ? 1 : 0) });
    if (answer.correct) continue;
    const correct = new Set(correctOptions.get(answer.questionId) ?? []);
    for (const optionId of answer.chosenOptionIds.filter((o) => !correct.has(o))) {
      const key = JSON.stringify([answer.questionId, optionId]);
      wrong.set(key, { questionId: answer.questionId, optionId, count: (wrong.get(key)?.count ?? 0) + 1 });
    }
  }
  await run.month.execute({
    departmentId,
    month,
    attemptsPassed: grade.passed ? 1 : 0,
    scoreSum: grade.maxScore === 0 ? 0 : (grade.score * 100) / grade.maxScore,
  });
  const keys = { departmentId, month, quizId };
  const questionRows = [...questions].map(([questionId, q]) => [questionId, q.answers, q.correct] as const);
  if (questionRows.length > 0) await run.questions(questionRows.length).execute(rowParams(keys, ['q', 'a', 'c'], questionRows));
  const wrongRows = [...wrong.values()].map((w) => [w.questionId, w.optionId, w.count] as const);
  if (wrongRows.length > 0) await run.wrong(wrongRows.length).execute(rowParams(keys, ['q', 'o', 'n'], wrongRows));
  // The learner × quiz pair: the first attempt decides "first-attempt pass"; the first pass is remembered.
  await run.pair.execute({
    userId: attempt.userId,
    quizId,
    firstAt: attempt.submittedAt,
    firstPassed: grade.passed,
    passedAt: grade.passed ? attempt.submittedAt.getTime() : null,
  });
}

/** One multi-row statement's parameters: the shared keys, then each row's values as `${name}${row}`. */
function rowParams(keys: Record<string, string | number>, names: readonly string[], rows: readonly (readonly (string | number)[])[]): Record<string, string | number> {
  return Object.fromEntries([...Object.entries(keys), ...rows.flatMap((row, i) => row.map((value, j) => [`${names[j]}${i}`, value]))]);
}

function attemptStatements(q: Tx) {
  return {
    questions: perCount((rows) => questionUpsert(q, rows)),
    wrong: perCount((rows) => wrongUpsert(q, rows)),
    month: q
      .insert(kpiDepartmentMonths)
      .values({
        departmentId: sql.placeholder('departmentId'),
        month: sql.placeholder('month'),
        attempts: 1,
        attemptsPassed: sql.placeholder('attemptsPassed'),
        scoreSum: sql.placeholder('scoreSum'),
      })
      .onConflictDoUpdate({
        target: [kpiDepartmentMonths.departmentId, kpiDepartmentMonths.month],
        set: {
          attempts: sql`${kpiDepartmentMonths.attempts} + 1`,
          attemptsPassed: sql`${kpiDepartmentMonths.attemptsPassed} + excluded.attempts_passed`,
          scoreSum: sql`${kpiDepartmentMonths.scoreSum} + excluded.score_sum`,
        },
      })
      .prepare(),
    pair: q
      .insert(quizPairs)
      .values({
        userId: sql.placeholder('userId'),
        quizId: sql.placeholder('quizId'),
        firstAt: sql.placeholder('firstAt'),
        firstPassed: sql.placeholder('firstPassed'),
        // A nullable timestamp: bound as stored (ms or null), not through the Date mapping.
        passedAt: sql`${sql.placeholder('passedAt')}`,
      })
      .onConflictDoUpdate({ target: [quizPairs.userId, quizPairs.quizId], set: { passedAt: sql`coalesce(${quizPairs.passedAt}, excluded.passed_at)` } })
      .prepare(),
  };
}

export type AttemptRollupStatements = ReturnType<typeof attemptStatements>;

/** The statements of `rollupAttempt`, for `db.prepared(...ATTEMPT_ROLLUP)`. */
export const ATTEMPT_ROLLUP = ['kpi.attempt', attemptStatements] as const;

/** A multi-row statement per number of rows, prepared on first use (on the connection it was made for). */
function perCount<T>(build: (rows: number) => T): (rows: number) => T {
  const made = new Map<number, T>();
  return (rows) => {
    let statement = made.get(rows);
    if (statement === undefined) made.set(rows, (statement = build(rows)));
    return statement;
  };
}

/** `rows` rows of one department, month and quiz: row i's question is `q${i}`, its other columns from `columns(i)`. */
function quizRows<T>(rows: number, columns: (i: number) => T) {
  return Array.from({ length: rows }, (_, i) => ({
    departmentId: sql.placeholder('departmentId'),
    month: sql.placeholder('month'),
    quizId: sql.placeholder('quizId'),
    questionId: sql.placeholder(`q${i}`),
    ...columns(i),
  }));
}

/** The per-question upsert for `rows` questions. */
function questionUpsert(q: Tx, rows: number) {
  return q
    .insert(kpiQuestionMonths)
    .values(quizRows(rows, (i) => ({ answers: sql.placeholder(`a${i}`), correct: sql.placeholder(`c${i}`) })))
    .onConflictDoUpdate({
      target: [kpiQuestionMonths.departmentId, kpiQuestionMonths.month, kpiQuestionMonths.quizId, kpiQuestionMonths.questionId],
      set: { answers: sql`${kpiQuestionMonths.answers} + excluded.answers`, correct: sql`${kpiQuestionMonths.correct} + excluded.correct` },
    })
    .prepare();
}

/** The wrong-option upsert for `rows` (question, option) pairs. */
function wrongUpsert(q: Tx, rows: number) {
  return q
    .insert(kpiWrongOptions)
    .values(quizRows(rows, (i) => ({ optionId: sql.placeholder(`o${i}`), count: sql.placeholder(`n${i}`) })))
    .onConflictDoUpdate({
      target: [kpiWrongOptions.departmentId, kpiWrongOptions.month, kpiWrongOptions.quizId, kpiWrongOptions.questionId, kpiWrongOptions.optionId],
      set: { count: sql`${kpiWrongOptions.count} + excluded.count` },
    })
    .prepare();
}
