/**
 * The learner record the progress logic (`progress.ts`) works from, loaded for some users or a
 * whole department in a fixed number of grouped queries: completed lessons (per cycle and
 * version), per quiz and cycle the submitted attempts, best score and pass, the certificates,
 * and (when asked) the last activity. The learner pages, the champion view and the CSV exports
 * all load it here.
 */
import { and, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { certificates, lessonCompletions, quizAttempts } from '../../../db/schema/index.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import type { AttemptSummary, CertificateEntry, CompletionEntry, LearnerRecord } from './progress.ts';
import { exec, jsonIds, onPostgres, rows as queryRows, valueRows } from '../../platform/query.ts';

/** Whose records: these users, or the active members of a department. */
export type LearnerScope = { userIds: readonly number[] } | { departmentId: number };

export interface LoadedLearner {
  record: LearnerRecord;
  /** Best score (%) per quiz taken, in any cycle, unrounded: averages are taken on these, then rounded. */
  bestPercents: ReadonlyMap<string, number>;
  /** The last lesson view, completion or submitted attempt; null without any, or when not asked for. */
  lastActivityAt: Date | null;
}

export interface LoadOptions {
  /** Also read the last activity (three more grouped reads; the lesson pages do without). */
  lastActivity?: boolean;
}

type ScopeKind = 'users' | 'department';

const kindOf = (scope: LearnerScope): ScopeKind => ('userIds' in scope ? 'users' : 'department');

const paramsOf = (scope: LearnerScope): Record<string, unknown> => ('userIds' in scope ? { userIds: JSON.stringify(scope.userIds) } : { departmentId: scope.departmentId });

/** The scope as a condition on a `user_id` column (one bound parameter whatever the number of users). */
function inScope(q: Tx, column: SQLiteColumn, kind: ScopeKind): SQL {
  return kind === 'users'
    ? sql`${column} in (${jsonIds(q, sql.placeholder('userIds'))})`
    : sql`${column} in (select id from users where department_id = ${sql.placeholder('departmentId')} and active)`;
}

function statements(q: Tx, kind: ScopeKind) {
  return {
    completions: q
      .select({
        userId: lessonCompletions.userId,
        lessonId: lessonCompletions.lessonId,
        cycle: lessonCompletions.cycle,
        contentVersion: lessonCompletions.contentVersion,
        majorRevision: lessonCompletions.majorRevision,
        // A number, not a Date: only the last activity reads it.
        completedAt: sql<number>`${lessonCompletions.completedAt}`,
      })
      .from(lessonCompletions)
      .where(inScope(q, lessonCompletions.userId, kind))
      .prepare(),
    quizzes: q
      .select({
        userId: quizAttempts.userId,
        quizId: quizAttempts.quizId,
        cycle: quizAttempts.cycle,
        attempts: sql<number>`count(*)`,
        best: sql<number | null>`max(${quizAttempts.score} * 100.0 / ${quizAttempts.maxScore})`,
        // `case`: PostgreSQL has no max() of booleans.
        passed: sql<number>`max(case when ${quizAttempts.passed} then 1 else 0 end)`,
        lastSubmittedAt: sql<number>`max(${quizAttempts.submittedAt})`,
      })
      .from(quizAttempts)
      .where(and(inScope(q, quizAttempts.userId, kind), isNotNull(quizAttempts.submittedAt)))
      .groupBy(quizAttempts.userId, quizAttempts.quizId, quizAttempts.cycle)
      .prepare(),
    certificates: q
      .select({
        userId: certificates.userId,
        tierId: certificates.tierId,
        cycle: certificates.cycle,
        code: certificates.code,
        issuedAt: certificates.issuedAt,
        validUntil: certificates.validUntil,
      })
      .from(certificates)
      .where(inScope(q, certificates.userId, kind))
      .prepare(),
  };
}

type Statements = ReturnType<typeof statements>;

/** A row of `completions` as `.values()` gives it: the select's columns in order. */
type CompletionValues = [userId: number, lessonId: string, cycle: number, contentVersion: string, majorRevision: string | null, completedAt: number];

/**
 * The newest lesson view per person. With the newest completion and submitted attempt, which the
 * record's own reads bring, it is the last activity: one grouped read instead of a union of three
 * (the union took twice as long as the three apart on a 500-person department).
 */
async function lastViews(q: Tx, scope: LearnerScope): Promise<Map<number, number>> {
  const where =
    'userIds' in scope
      ? sql`user_id in (${jsonIds(q, JSON.stringify(scope.userIds))})`
      : sql`user_id in (select id from users where department_id = ${scope.departmentId} and active)`;
  const rows = await queryRows<{ userId: number; at: number }>(q, sql`select user_id "userId", max(viewed_at) "at" from lesson_views where ${where} group by user_id`);
  return new Map(rows.map((r) => [r.userId, r.at]));
}

interface Collected {
  completions: CompletionEntry[];
  attempts: AttemptSummary[];
  certificates: CertificateEntry[];
  bests: Map<string, number>;
  /** The newest completion or submitted attempt (ms); 0 for none. */
  lastAt: number;
}

async function collect(q: Tx, run: Statements, scope: LearnerScope, options: LoadOptions): Promise<Map<number, LoadedLearner>> {
  const params = paramsOf(scope);
  const byUser = new Map<number, Collected>();
  const ids = 'userIds' in scope ? scope.userIds : [];
  const entry = (id: number): Collected => {
    let value = byUser.get(id);
    if (value === undefined) byUser.set(id, (value = { completions: [], attempts: [], certificates: [], bests: new Map(), lastAt: 0 }));
    return value;
  };
  for (const id of ids) entry(id);
  // Rows as arrays in the select's column order: mapping thousands of completion rows to objects
  // column by column doubled the read for a department (the champion roster).
  for (const [userId, lessonId, cycle, contentVersion, majorRevision, completedAt] of await valueRows<CompletionValues>(run.completions, params)) {
    const learner = entry(userId);
    learner.completions.push({ lessonId, cycle, contentVersion, majorRevision });
    if (completedAt > learner.lastAt) learner.lastAt = completedAt;
  }
  for (const row of await run.quizzes.execute(params)) {
    const learner = entry(row.userId);
    learner.attempts.push({
      quizId: row.quizId,
      cycle: row.cycle,
      attempts: row.attempts,
      bestPercent: row.best === null ? null : Math.round(row.best * 10) / 10,
      passed: row.passed === 1,
    });
    if (row.best !== null && row.best > (learner.bests.get(row.quizId) ?? -1)) learner.bests.set(row.quizId, row.best);
    if (row.lastSubmittedAt !== null && row.lastSubmittedAt > learner.lastAt) learner.lastAt = row.lastSubmittedAt;
  }
  for (const { userId, ...row } of await run.certificates.execute(params)) entry(userId).certificates.push(row);
  const views = options.lastActivity ? await lastViews(q, scope) : new Map<number, number>();
  for (const id of views.keys()) entry(id);
  const learners = new Map<number, LoadedLearner>();
  for (const [id, c] of byUser) {
    learners.set(id, {
      record: { completions: c.completions, attempts: c.attempts, certificates: c.certificates },
      bestPercents: c.bests,
      lastActivityAt: options.lastActivity ? lastActivityOf(c.lastAt, views.get(id) ?? 0) : null,
    });
  }
  return learners;
}

function lastActivityOf(recorded: number, viewed: number): Date | null {
  const at = Math.max(recorded, viewed);
  return at > 0 ? new Date(at) : null;
}

/**
 * The records of everyone in `scope`, by user id. Every id of a user scope is present (an empty
 * record when they have done nothing yet); a department lists the members who have done something.
 */
export async function loadLearnerRecords(db: Db, scope: LearnerScope, options: LoadOptions = {}): Promise<Map<number, LoadedLearner>> {
  const kind = kindOf(scope);
  // Prepared once per connection: every learner page reads the record.
  const run = db.prepared(`learner.records.${kind}`, (q) => statements(q, kind));
  return db.read(async (q) => await collect(q, run, scope, options));
}

/** The same inside a transaction (call inside `db.read` or `db.write`), e.g. right after a write that changes it. */
export async function learnerRecordsIn(q: Tx, scope: LearnerScope, options: LoadOptions = {}): Promise<Map<number, LoadedLearner>> {
  return await collect(q, statements(q, kindOf(scope)), scope, options);
}

const EMPTY: LearnerRecord = { completions: [], attempts: [], certificates: [] };

/** Someone who has done nothing yet (a department scope lists only those who have). */
export const NO_RECORD: LoadedLearner = { record: EMPTY, bestPercents: new Map(), lastActivityAt: null };

/** One learner's record (always scoped by the session's user id). */
export async function loadLearnerRecord(db: Db, userId: number): Promise<LearnerRecord> {
  return (await loadLearnerRecords(db, { userIds: [userId] })).get(userId)?.record ?? EMPTY;
}

/**
 * One learner's record inside the write that decides on it (call inside `db.write`), on the
 * statements prepared once per connection (`db.prepared(...OWN_RECORD)`): the write paths load
 * it once per request. On PostgreSQL the learner's row is locked first (`for update`), so two
 * instances' writes for one learner (a double click on each, a quiz started twice) run one after
 * the other and each decides on what the other stored, as SQLite's single writer has them.
 */
export async function ownRecordIn(q: Tx, run: OwnRecordStatements, userId: number): Promise<LearnerRecord> {
  await lockLearnerIn(q, userId);
  return (await collect(q, run, { userIds: [userId] }, {})).get(userId)?.record ?? EMPTY;
}

/**
 * On PostgreSQL, locks the learner's row until the write ends, so a write that reads what it then
 * changes (a roll-up's before and after) runs after any other for the same learner; SQLite's single
 * writer already does so (a no-op there).
 */
export async function lockLearnerIn(q: Tx, userId: number): Promise<void> {
  if (onPostgres(q)) await exec(q, sql`select id from users where id = ${userId} for update`);
}

export type OwnRecordStatements = Statements;

/** The statements of `ownRecordIn`, for `db.prepared(...OWN_RECORD)` (the key the learner pages use too). */
export const OWN_RECORD = ['learner.records.users', (q: Tx): Statements => statements(q, 'users')] as const;

/** One learner's record inside a transaction (call inside `db.read` or `db.write`). */
export async function learnerRecordIn(q: Tx, userId: number): Promise<LearnerRecord> {
  return (await learnerRecordsIn(q, { userIds: [userId] })).get(userId)?.record ?? EMPTY;
}
