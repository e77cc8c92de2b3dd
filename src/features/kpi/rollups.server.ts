/**
 * KPI roll-ups (see db/schema/kpi.ts): kept current by the write paths, in the same transaction
 * as the write, and recomputable from the base tables with `rebuildRollups`. The `rollup…`
 * helpers take the write's `tx`: call them inside `db.write`.
 */
import { eq, sql } from 'drizzle-orm';
import {
  activityMonths,
  anonymousFeedback,
  attemptAnswers,
  checkins,
  kpiDepartmentMonths,
  kpiQuestionMonths,
  kpiWrongOptions,
  lessonFeedback,
  quizAttempts,
  quizPairs,
  users,
} from '../../../db/schema/index.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import { monthKey } from '../../platform/dates.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { correctOptionsOf } from './questions.ts';
import { rebuildDepartmentRollupsIn } from './dept-rollups.server.ts';

type DepartmentMonthField = 'activeUsers' | 'hoursSum' | 'hoursRespondents' | 'attempts' | 'attemptsPassed' | 'scoreSum' | 'ratingSum' | 'ratingCount';

function departmentOf(db: Tx, userId: number): number {
  return db.select({ d: users.departmentId }).from(users).where(eq(users.id, userId)).get()?.d ?? 0;
}

function bumpDepartmentMonth(db: Tx, departmentId: number, month: string, deltas: Partial<Record<DepartmentMonthField, number>>): void {
  const entries = Object.entries(deltas).filter(([, v]) => v !== 0) as [DepartmentMonthField, number][];
  if (entries.length === 0) return;
  db.insert(kpiDepartmentMonths)
    .values({ departmentId, month, ...Object.fromEntries(entries) })
    .onConflictDoUpdate({
      target: [kpiDepartmentMonths.departmentId, kpiDepartmentMonths.month],
      set: Object.fromEntries(entries.map(([field, delta]) => [field, sql`${kpiDepartmentMonths[field]} + ${delta}`])),
    })
    .run();
}

/** A user became active in `month` (called only when their first activity of the month was recorded). */
export function rollupActivity(db: Tx, userId: number, month: string): void {
  bumpDepartmentMonth(db, departmentOf(db, userId), month, { activeUsers: 1 });
}

/** A check-in answer changed from `before` to `after` hours (null: no answer). */
export function rollupCheckin(db: Tx, userId: number, month: string, before: number | null, after: number | null): void {
  bumpDepartmentMonth(db, departmentOf(db, userId), month, {
    hoursSum: (after ?? 0) - (before ?? 0),
    hoursRespondents: (after === null ? 0 : 1) - (before === null ? 0 : 1),
  });
}

/** A lesson rating moved from (`before`, counted in its month) to `after` in `month` (null: withdrawn). */
export function rollupRating(db: Tx, userId: number, before: { rating: number; month: string } | null, after: { rating: number; month: string } | null): void {
  const departmentId = departmentOf(db, userId);
  if (before) bumpDepartmentMonth(db, departmentId, before.month, { ratingSum: -before.rating, ratingCount: -1 });
  if (after) bumpDepartmentMonth(db, departmentId, after.month, { ratingSum: after.rating, ratingCount: 1 });
}

/** A rating sent without a name: counted for the department it was sent from (0: none). */
export function rollupAnonymousRating(db: Tx, departmentId: number, month: string, rating: number): void {
  bumpDepartmentMonth(db, departmentId, month, { ratingSum: rating, ratingCount: 1 });
}

export interface SubmittedAttempt {
  userId: number;
  quizId: string;
  submittedAt: Date;
  score: number;
  maxScore: number;
  passed: boolean;
  answers: { questionId: string; chosenOptionIds: string[]; correct: boolean }[];
  /** Correct options per question, to count only the wrong choices. */
  correctOptions: Map<string, string[]>;
}

export function rollupAttempt(db: Tx, attempt: SubmittedAttempt, timeZone: string): void {
  const departmentId = departmentOf(db, attempt.userId);
  const month = monthKey(attempt.submittedAt, timeZone);
  bumpDepartmentMonth(db, departmentId, month, {
    attempts: 1,
    attemptsPassed: attempt.passed ? 1 : 0,
    scoreSum: attempt.maxScore === 0 ? 0 : (attempt.score * 100) / attempt.maxScore,
  });
  for (const answer of attempt.answers) {
    db.insert(kpiQuestionMonths)
      .values({ departmentId, month, quizId: attempt.quizId, questionId: answer.questionId, answers: 1, correct: answer.correct ? 1 : 0 })
      .onConflictDoUpdate({
        target: [kpiQuestionMonths.departmentId, kpiQuestionMonths.month, kpiQuestionMonths.quizId, kpiQuestionMonths.questionId],
        set: { answers: sql`${kpiQuestionMonths.answers} + 1`, correct: sql`${kpiQuestionMonths.correct} + ${answer.correct ? 1 : 0}` },
      })
      .run();
    if (answer.correct) continue;
    const correct = new Set(attempt.correctOptions.get(answer.questionId) ?? []);
    for (const optionId of answer.chosenOptionIds.filter((o) => !correct.has(o))) {
      db.insert(kpiWrongOptions)
        .values({ departmentId, month, quizId: attempt.quizId, questionId: answer.questionId, optionId, count: 1 })
        .onConflictDoUpdate({
          target: [kpiWrongOptions.departmentId, kpiWrongOptions.month, kpiWrongOptions.quizId, kpiWrongOptions.questionId, kpiWrongOptions.optionId],
          set: { count: sql`${kpiWrongOptions.count} + 1` },
        })
        .run();
    }
  }
  // The learner × quiz pair: the first attempt decides "first-attempt pass"; the first pass is remembered.
  db.insert(quizPairs)
    .values({ userId: attempt.userId, quizId: attempt.quizId, firstAt: attempt.submittedAt, firstPassed: attempt.passed, passedAt: attempt.passed ? attempt.submittedAt : null })
    .onConflictDoUpdate({
      target: [quizPairs.userId, quizPairs.quizId],
      set: { passedAt: sql`coalesce(${quizPairs.passedAt}, ${attempt.passed ? attempt.submittedAt.getTime() : null})` },
    })
    .run();
}

/** Recomputes every roll-up from the base tables (departments as they are now), in one write. */
export async function rebuildRollups(db: Db, catalog: Catalog, timeZone: string): Promise<void> {
  await db.write((tx) => rebuildRollupsIn(tx, catalog, timeZone));
}

/** `rebuildRollups` inside a write the caller holds: call inside `db.write`. */
export function rebuildRollupsIn(tx: Tx, catalog: Catalog, timeZone: string): void {
  const correct = correctOptionsOf(catalog);
  for (const table of [kpiDepartmentMonths, kpiQuestionMonths, kpiWrongOptions, quizPairs]) tx.delete(table).run();
  const departments = new Map(
    tx
      .select({ id: users.id, d: users.departmentId })
      .from(users)
      .all()
      .map((u) => [u.id, u.d ?? 0]),
  );
  const dm = new Map<string, Partial<Record<DepartmentMonthField, number>> & { departmentId: number; month: string }>();
  const cell = (departmentId: number, month: string) => {
    const key = `${departmentId}|${month}`;
    let row = dm.get(key);
    if (!row) dm.set(key, (row = { departmentId, month }));
    return row;
  };
  const add = (row: Partial<Record<DepartmentMonthField, number>>, field: DepartmentMonthField, delta: number) => {
    row[field] = (row[field] ?? 0) + delta;
  };
  for (const a of tx.select().from(activityMonths).all()) add(cell(departments.get(a.userId) ?? 0, a.month), 'activeUsers', 1);
  for (const c of tx.select().from(checkins).where(sql`${checkins.hoursSaved} is not null`).all()) {
    const row = cell(departments.get(c.userId) ?? 0, c.month);
    add(row, 'hoursSum', c.hoursSaved!);
    add(row, 'hoursRespondents', 1);
  }
  for (const f of tx.select().from(lessonFeedback).all()) {
    const row = cell(departments.get(f.userId) ?? 0, monthKey(f.updatedAt, timeZone));
    add(row, 'ratingSum', f.rating);
    add(row, 'ratingCount', 1);
  }
  for (const f of tx.select().from(anonymousFeedback).all()) {
    const row = cell(f.departmentId ?? 0, f.month);
    add(row, 'ratingSum', f.rating);
    add(row, 'ratingCount', 1);
  }
  const attempts = tx.select().from(quizAttempts).where(sql`${quizAttempts.submittedAt} is not null`).orderBy(quizAttempts.submittedAt, quizAttempts.id).all();
  const attemptInfo = new Map<string, { departmentId: number; month: string; quizId: string }>();
  const pairs = new Map<string, { userId: number; quizId: string; firstAt: Date; firstPassed: boolean; passedAt: Date | null }>();
  for (const a of attempts) {
    const departmentId = departments.get(a.userId) ?? 0;
    const month = monthKey(a.submittedAt!, timeZone);
    attemptInfo.set(a.id, { departmentId, month, quizId: a.quizId });
    const row = cell(departmentId, month);
    add(row, 'attempts', 1);
    add(row, 'attemptsPassed', a.passed ? 1 : 0);
    add(row, 'scoreSum', a.maxScore ? (a.score! * 100) / a.maxScore : 0);
    const key = `${a.userId}|${a.quizId}`;
    const pair = pairs.get(key);
    if (!pair) pairs.set(key, { userId: a.userId, quizId: a.quizId, firstAt: a.submittedAt!, firstPassed: Boolean(a.passed), passedAt: a.passed ? a.submittedAt : null });
    else if (a.passed && !pair.passedAt) pair.passedAt = a.submittedAt;
  }
  const questions = new Map<string, { departmentId: number; month: string; quizId: string; questionId: string; answers: number; correct: number }>();
  const wrong = new Map<string, { departmentId: number; month: string; quizId: string; questionId: string; optionId: string; count: number }>();
  for (const answer of tx.select().from(attemptAnswers).all()) {
    const info = attemptInfo.get(answer.attemptId);
    if (!info) continue;
    const key = `${info.departmentId}|${info.month}|${info.quizId}|${answer.questionId}`;
    let q = questions.get(key);
    if (!q) questions.set(key, (q = { ...info, questionId: answer.questionId, answers: 0, correct: 0 }));
    q.answers++;
    if (answer.correct) {
      q.correct++;
      continue;
    }
    const right = new Set(correct[`${info.quizId}/${answer.questionId}`] ?? []);
    for (const optionId of answer.chosenOptionIds.filter((o) => !right.has(o))) {
      const wkey = `${key}|${optionId}`;
      const w = wrong.get(wkey);
      if (w) w.count++;
      else wrong.set(wkey, { ...info, questionId: answer.questionId, optionId, count: 1 });
    }
  }
  const chunks = <T>(rows: T[], size = 500): T[][] => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
  for (const chunk of chunks([...dm.values()])) tx.insert(kpiDepartmentMonths).values(chunk).run();
  for (const chunk of chunks([...questions.values()])) tx.insert(kpiQuestionMonths).values(chunk).run();
  for (const chunk of chunks([...wrong.values()])) tx.insert(kpiWrongOptions).values(chunk).run();
  for (const chunk of chunks([...pairs.values()])) tx.insert(quizPairs).values(chunk).run();
  rebuildDepartmentRollupsIn(tx, timeZone);
}
