/**
 * KPI roll-ups (see db/schema/kpi.ts): kept current by the write paths, in the same transaction
 * as the write, and recomputable from the base tables with `rebuildRollups`. The `rollup…`
 * helpers run inside `db.write` (the attempt's in attempt-rollups.server.ts).
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
import { first } from '../../platform/query.ts';

type DepartmentMonthField = 'activeUsers' | 'hoursSum' | 'hoursRespondents' | 'attempts' | 'attemptsPassed' | 'scoreSum' | 'ratingSum' | 'ratingCount';

async function departmentOf(db: Tx, userId: number): Promise<number> {
  return first(await db.select({ d: users.departmentId }).from(users).where(eq(users.id, userId)))?.d ?? 0;
}

async function bumpDepartmentMonth(db: Tx, departmentId: number, month: string, deltas: Partial<Record<DepartmentMonthField, number>>): Promise<void> {
  const entries = Object.entries(deltas).filter(([, v]) => v !== 0) as [DepartmentMonthField, number][];
  if (entries.length === 0) return;
  await db
    .insert(kpiDepartmentMonths)
    .values({ departmentId, month, ...Object.fromEntries(entries) })
    .onConflictDoUpdate({
      target: [kpiDepartmentMonths.departmentId, kpiDepartmentMonths.month],
      set: Object.fromEntries(entries.map(([field, delta]) => [field, sql`${kpiDepartmentMonths[field]} + ${delta}`])),
    });
}

function departmentStatement(q: Tx) {
  return q
    .select({ d: users.departmentId })
    .from(users)
    .where(eq(users.id, sql.placeholder('userId')))
    .prepare();
}

/** The statement of `departmentIdWith`, for `db.prepared(...DEPARTMENT_OF)`. */
export const DEPARTMENT_OF = ['users.department', departmentStatement] as const;

/** The learner's department (0: none), on its prepared statement: read it once per request. */
export async function departmentIdWith(select: ReturnType<typeof departmentStatement>, userId: number): Promise<number> {
  return first(await select.execute({ userId }))?.d ?? 0;
}

function activityStatement(q: Tx) {
  return q
    .insert(kpiDepartmentMonths)
    .values({ departmentId: sql.placeholder('departmentId'), month: sql.placeholder('month'), activeUsers: 1 })
    .onConflictDoUpdate({ target: [kpiDepartmentMonths.departmentId, kpiDepartmentMonths.month], set: { activeUsers: sql`${kpiDepartmentMonths.activeUsers} + 1` } })
    .prepare();
}

/** The statement of `rollupActivity`, for `db.prepared(...ACTIVITY_ROLLUP)`. */
export const ACTIVITY_ROLLUP = ['kpiDepartmentMonths.activity', activityStatement] as const;

/** A user of `departmentId` became active in `month` (called only when their first activity of the month was recorded). */
export async function rollupActivity(upsert: ReturnType<typeof activityStatement>, departmentId: number, month: string): Promise<void> {
  await upsert.execute({ departmentId, month });
}

function hoursStatement(q: Tx) {
  return q
    .insert(kpiDepartmentMonths)
    .values({
      departmentId: sql.placeholder('departmentId'),
      month: sql.placeholder('month'),
      hoursSum: sql.placeholder('hours'),
      hoursRespondents: sql.placeholder('respondents'),
    })
    .onConflictDoUpdate({
      target: [kpiDepartmentMonths.departmentId, kpiDepartmentMonths.month],
      set: { hoursSum: sql`${kpiDepartmentMonths.hoursSum} + excluded.hours_sum`, hoursRespondents: sql`${kpiDepartmentMonths.hoursRespondents} + excluded.hours_respondents` },
    })
    .prepare();
}

/** The statement of `rollupCheckin`, for `db.prepared(...CHECKIN_ROLLUP)`. */
export const CHECKIN_ROLLUP = ['kpiDepartmentMonths.hours', hoursStatement] as const;

/** A check-in answer of someone in `departmentId` changed from `before` to `after` hours (null: no answer); one upsert. */
export async function rollupCheckin(upsert: ReturnType<typeof hoursStatement>, departmentId: number, month: string, before: number | null, after: number | null): Promise<void> {
  const hours = (after ?? 0) - (before ?? 0);
  const respondents = (after === null ? 0 : 1) - (before === null ? 0 : 1);
  if (hours === 0 && respondents === 0) return;
  await upsert.execute({ departmentId, month, hours, respondents });
}

/** A lesson rating moved from (`before`, counted in its month) to `after` in `month` (null: withdrawn). */
export async function rollupRating(db: Tx, userId: number, before: { rating: number; month: string } | null, after: { rating: number; month: string } | null): Promise<void> {
  const departmentId = await departmentOf(db, userId);
  if (before) await bumpDepartmentMonth(db, departmentId, before.month, { ratingSum: -before.rating, ratingCount: -1 });
  if (after) await bumpDepartmentMonth(db, departmentId, after.month, { ratingSum: after.rating, ratingCount: 1 });
}

/** A rating sent without a name: counted for the department it was sent from (0: none). */
export async function rollupAnonymousRating(db: Tx, departmentId: number, month: string, rating: number): Promise<void> {
  await bumpDepartmentMonth(db, departmentId, month, { ratingSum: rating, ratingCount: 1 });
}

/** Recomputes every roll-up from the base tables (departments as they are now), in one write. */
export async function rebuildRollups(db: Db, catalog: Catalog, timeZone: string): Promise<void> {
  await db.write(async (tx) => await rebuildRollupsIn(tx, catalog, timeZone));
}

/** `rebuildRollups` inside a write the caller holds: call inside `db.write`. */
export async function rebuildRollupsIn(tx: Tx, catalog: Catalog, timeZone: string): Promise<void> {
  const correct = correctOptionsOf(catalog);
  for (const table of [kpiDepartmentMonths, kpiQuestionMonths, kpiWrongOptions, quizPairs]) await tx.delete(table);
  const departments = new Map((await tx.select({ id: users.id, d: users.departmentId }).from(users)).map((u) => [u.id, u.d ?? 0]));
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
  for (const a of await tx.select().from(activityMonths)) add(cell(departments.get(a.userId) ?? 0, a.month), 'activeUsers', 1);
  for (const c of await tx.select().from(checkins).where(sql`${checkins.hoursSaved} is not null`)) {
    const row = cell(departments.get(c.userId) ?? 0, c.month);
    add(row, 'hoursSum', c.hoursSaved!);
    add(row, 'hoursRespondents', 1);
  }
  for (const f of await tx.select().from(lessonFeedback)) {
    const row = cell(departments.get(f.userId) ?? 0, monthKey(f.updatedAt, timeZone));
    add(row, 'ratingSum', f.rating);
    add(row, 'ratingCount', 1);
  }
  for (const f of await tx.select().from(anonymousFeedback)) {
    const row = cell(f.departmentId ?? 0, f.month);
    add(row, 'ratingSum', f.rating);
    add(row, 'ratingCount', 1);
  }
  const attempts = await tx.select().from(quizAttempts).where(sql`${quizAttempts.submittedAt} is not null`).orderBy(quizAttempts.submittedAt, quizAttempts.id);
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
  for (const answer of await tx.select().from(attemptAnswers)) {
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
  for (const chunk of chunks([...dm.values()])) await tx.insert(kpiDepartmentMonths).values(chunk);
  for (const chunk of chunks([...questions.values()])) await tx.insert(kpiQuestionMonths).values(chunk);
  for (const chunk of chunks([...wrong.values()])) await tx.insert(kpiWrongOptions).values(chunk);
  for (const chunk of chunks([...pairs.values()])) await tx.insert(quizPairs).values(chunk);
  await rebuildDepartmentRollupsIn(tx, timeZone);
}
