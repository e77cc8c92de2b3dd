/**
 * Per-department roll-ups of the people behind the KPIs (db/schema/kpi.ts): headcount of active
 * users, active users assigned each tier, and learner × quiz pairs by month, so the dashboard
 * sums a few hundred rows instead of scanning users, enrolments and pairs.
 *
 * `kpi_people` records what the roll-ups count for each person (department, active, tiers). A
 * write that changes a user, their enrolments or a quiz pair calls `refreshPeople` (or, for a
 * submitted attempt, `rollupPairChange`) in its transaction: the person's state is read from the
 * base tables, compared with the recorded one, and only the difference is moved. Refreshing an
 * unchanged person changes nothing, so calling it twice (a write path and the enrolment sync it
 * runs) is harmless. `rebuildDepartmentRollupsIn` recomputes everything from the base tables.
 */
import { and, eq, SQL, sql } from 'drizzle-orm';
import { assignmentEnrolments, kpiDepartmentPairs, kpiDepartmentPeople, kpiPeople, quizPairs } from '../../../db/schema/index.ts';
import { monthOf } from './rollup-month.ts';
import { rebuildCertificateRollupsIn, syncCertificateEvents } from './certificate-rollups.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Tx } from '../../platform/db.server.ts';
import { exec, first, jsonIds, onPostgres, rows as queryRows } from '../../platform/query.ts';

/** The `tier_id` of the headcount rows in kpi_department_people. */
export const HEADCOUNT = '';
/** More people than this in one refresh: rebuild the roll-ups instead (one pass, not one per person). */
const BULK = 1000;

interface PersonState {
  departmentId: number;
  active: boolean;
  tiers: string;
}

interface Pair {
  firstAt: number;
  firstPassed: boolean;
  passedAt: number | null;
}

type PairCounts = { pairs: number; firstPassed: number; passed: number };

/** Adds `sign` × the pair's counts to `into`, by month: first attempt, and first pass (once both had happened). */
function addPair(into: Map<string, PairCounts>, pair: Pair, sign: number, timeZone: string): void {
  const cell = (month: string): PairCounts => {
    let c = into.get(month);
    if (!c) into.set(month, (c = { pairs: 0, firstPassed: 0, passed: 0 }));
    return c;
  };
  const first = cell(monthOf(pair.firstAt, timeZone));
  first.pairs += sign;
  if (pair.firstPassed) first.firstPassed += sign;
  if (pair.passedAt !== null) cell(monthOf(Math.max(pair.firstAt, pair.passedAt), timeZone)).passed += sign;
}

async function bumpPairs(tx: Tx, departmentId: number, deltas: Map<string, PairCounts>): Promise<void> {
  const rows = [...deltas].filter(([, c]) => c.pairs !== 0 || c.firstPassed !== 0 || c.passed !== 0);
  if (rows.length === 0) return;
  await exec(
    tx,
    sql`insert into kpi_department_pairs (department_id, month, pairs, first_passed, passed) values ${sql.join(
      rows.map(([month, c]) => sql`(${departmentId}, ${month}, ${c.pairs}, ${c.firstPassed}, ${c.passed})`),
      sql`, `,
    )} on conflict (department_id, month) do update set pairs = kpi_department_pairs.pairs + excluded.pairs,
    first_passed = kpi_department_pairs.first_passed + excluded.first_passed, passed = kpi_department_pairs.passed + excluded.passed`,
  );
}

async function bumpPeople(tx: Tx, deltas: Map<string, number>): Promise<void> {
  const rows = [...deltas].filter(([, n]) => n !== 0);
  if (rows.length === 0) return;
  await exec(
    tx,
    sql`insert into kpi_department_people (department_id, tier_id, people) values ${sql.join(
      rows.map(([key, n]) => {
        const [d, tier] = key.split('|');
        return sql`(${Number(d)}, ${tier}, ${n})`;
      }),
      sql`, `,
    )} on conflict (department_id, tier_id) do update set people = kpi_department_people.people + excluded.people`,
  );
}

const tierList = (tiers: string): string[] => (tiers === '' ? [] : tiers.split(','));

function addPerson(into: Map<string, number>, state: PersonState, sign: number): void {
  if (!state.active) return;
  for (const tier of [HEADCOUNT, ...tierList(state.tiers)]) {
    const key = `${state.departmentId}|${tier}`;
    into.set(key, (into.get(key) ?? 0) + sign);
  }
}

/** The person as the base tables have them now; null when the user does not exist. */
async function currentState(tx: Tx, userId: number): Promise<PersonState | null> {
  const user = first(await queryRows<{ d: number; active: number | boolean } | undefined>(tx, sql`select coalesce(department_id, 0) d, active from users where id = ${userId}`));
  if (!user) return null;
  const tiers = (
    await queryRows<{ t: string }>(tx, sql`select distinct a.tier_id t from assignment_enrolments e join assignments a on a.id = e.assignment_id where e.user_id = ${userId}`)
  )
    .map((r) => r.t)
    .sort();
  return { departmentId: user.d, active: Boolean(user.active), tiers: tiers.join(',') };
}

async function pairsOfUser(tx: Tx, userId: number): Promise<Pair[]> {
  return (
    await queryRows<{ f: number; fp: number | boolean; p: number | null }>(tx, sql`select first_at f, first_passed fp, passed_at p from quiz_pairs where user_id = ${userId}`)
  ).map((r) => ({
    firstAt: r.f,
    firstPassed: Boolean(r.fp), // 1/0 on SQLite, a boolean on PostgreSQL
    passedAt: r.p,
  }));
}

async function refreshPerson(tx: Tx, userId: number, timeZone: string): Promise<void> {
  const recorded = first(await tx.select().from(kpiPeople).where(sql`${kpiPeople.userId} = ${userId}`)) ?? null;
  const now = await currentState(tx, userId);
  if (recorded && now && recorded.departmentId === now.departmentId && recorded.active === now.active && recorded.tiers === now.tiers) return;
  const people = new Map<string, number>();
  if (recorded) addPerson(people, recorded, -1);
  if (now) addPerson(people, now, 1);
  await bumpPeople(tx, people);
  await syncCertificateEvents(tx, userId, timeZone, recorded, now);
  // Pairs count for the learner's current department, active or not: they move only with the department.
  if ((recorded?.departmentId ?? null) !== (now?.departmentId ?? null)) {
    const pairs = await pairsOfUser(tx, userId);
    for (const [state, sign] of [
      [recorded, -1],
      [now, 1],
    ] as const) {
      if (!state) continue;
      const deltas = new Map<string, PairCounts>();
      for (const pair of pairs) addPair(deltas, pair, sign, timeZone);
      await bumpPairs(tx, state.departmentId, deltas);
    }
  }
  if (!now) await tx.delete(kpiPeople).where(sql`${kpiPeople.userId} = ${userId}`);
  else
    await tx
      .insert(kpiPeople)
      .values({ userId, ...now })
      .onConflictDoUpdate({ target: kpiPeople.userId, set: now });
}

/**
 * Of these users, the ones whose recorded state differs from the base tables (or who have none,
 * or are gone), in one statement: most writes refresh people who did not change. A tier list in
 * another order only costs a needless refresh, never a missed one.
 */
/** A user's (`x.id`) enrolled tiers as one text, in order: SQLite's `group_concat` of an ordered subquery, PostgreSQL's `string_agg`. */
function enrolledTiersSql(tx: Tx): SQL {
  const tiers = sql`select distinct a.tier_id t from assignment_enrolments e join assignments a on a.id = e.assignment_id where e.user_id = x.id`;
  return onPostgres(tx) ? sql`select string_agg(t, ',' order by t collate "C") from (${tiers}) as tiers` : sql`select group_concat(t, ',') from (${tiers} order by a.tier_id)`;
}

/** Every enrolled user's tiers as one text (`user_id`, `tiers`), in order, as `enrolledTiersSql` spells one user's. */
function tiersPerUser(tx: Tx): SQL {
  const pairs = sql`select distinct e.user_id, a.tier_id from assignment_enrolments e join assignments a on a.id = e.assignment_id`;
  return onPostgres(tx)
    ? sql`select user_id, string_agg(tier_id, ',' order by tier_id collate "C") tiers from (${pairs}) as pairs group by user_id`
    : sql`select user_id, group_concat(tier_id, ',') tiers from (${pairs} order by e.user_id, a.tier_id) group by user_id`;
}

async function changedPeople(tx: Tx, userIds: SQL): Promise<number[]> {
  return (
    await queryRows<{ id: number }>(
      tx,
      sql`select x.id from (select distinct user_id id from (${userIds}) as listed) x
      left join kpi_people s on s.user_id = x.id left join users u on u.id = x.id
      where s.user_id is null or u.id is null or s.department_id <> coalesce(u.department_id, 0) or s.active <> u.active
        or s.tiers <> coalesce((${enrolledTiersSql(tx)}), '')`,
    )
  ).map((r) => r.id);
}

/**
 * Brings the roll-ups in step with these users (ids, or a subquery selecting `user_id`s) after a
 * write changed them: created, imported, deactivated, moved, erased, enrolled or unenrolled.
 * Call inside the write's transaction, after the change.
 */
export async function refreshPeople(tx: Tx, userIds: readonly number[] | SQL, timeZone: string = getConfig().timeZone): Promise<void> {
  const listed = userIds instanceof SQL ? userIds : sql`select value user_id from (${jsonIds(tx, JSON.stringify(userIds))}) as ids`;
  const ids = await changedPeople(tx, listed);
  if (ids.length > BULK) {
    await rebuildDepartmentRollupsIn(tx, timeZone);
    return;
  }
  for (const id of ids) await refreshPerson(tx, id, timeZone);
}

/** The users enrolled in an assignment, to refresh after it is deleted (its enrolments go with it). */
export async function usersEnrolledIn(tx: Tx, assignmentId: number): Promise<number[]> {
  return (await tx.select({ id: assignmentEnrolments.userId }).from(assignmentEnrolments).where(sql`${assignmentEnrolments.assignmentId} = ${assignmentId}`)).map((r) => r.id);
}

function pairStatements(q: Tx) {
  const pair = q
    .select({ firstAt: sql<number>`${quizPairs.firstAt}`, firstPassed: quizPairs.firstPassed, passedAt: sql<number | null>`${quizPairs.passedAt}` })
    .from(quizPairs)
    .where(and(eq(quizPairs.userId, sql.placeholder('userId')), eq(quizPairs.quizId, sql.placeholder('quizId'))))
    .prepare();
  const department = q
    .select({ d: kpiPeople.departmentId })
    .from(kpiPeople)
    .where(eq(kpiPeople.userId, sql.placeholder('userId')))
    .prepare();
  const bump = q
    .insert(kpiDepartmentPairs)
    .values({
      departmentId: sql.placeholder('departmentId'),
      month: sql.placeholder('month'),
      pairs: sql.placeholder('pairs'),
      firstPassed: sql.placeholder('firstPassed'),
      passed: sql.placeholder('passed'),
    })
    .onConflictDoUpdate({
      target: [kpiDepartmentPairs.departmentId, kpiDepartmentPairs.month],
      set: {
        pairs: sql`${kpiDepartmentPairs.pairs} + excluded.pairs`,
        firstPassed: sql`${kpiDepartmentPairs.firstPassed} + excluded.first_passed`,
        passed: sql`${kpiDepartmentPairs.passed} + excluded.passed`,
      },
    })
    .prepare();
  return { pair, department, bump };
}
export type PairStatements = ReturnType<typeof pairStatements>;
/** The statements of `quizPairOf` and `rollupPairChange`, for `db.prepared(...PAIR_STATEMENTS)` (the quiz submit path). */
export const PAIR_STATEMENTS = ['kpi.departmentPairs', pairStatements] as const;

/** A learner × quiz pair as stored, or null: read before a submitted attempt changes it. */
export async function quizPairOf(run: PairStatements, userId: number, quizId: string): Promise<Pair | null> {
  return first(await run.pair.execute({ userId, quizId })) ?? null;
}

/** After an attempt was rolled up (rollupAttempt): moves the pair's counts from `before` to how it stands now. */
export async function rollupPairChange(run: PairStatements, userId: number, quizId: string, before: Pair | null, timeZone: string): Promise<void> {
  const person = first(await run.department.execute({ userId }));
  // Not counted yet (no refresh since the user was made): the refresh counts all their pairs.
  if (!person) return;
  const after = await quizPairOf(run, userId, quizId);
  const deltas = new Map<string, PairCounts>();
  if (before) addPair(deltas, before, -1, timeZone);
  if (after) addPair(deltas, after, 1, timeZone);
  for (const [month, c] of deltas) {
    if (c.pairs !== 0 || c.firstPassed !== 0 || c.passed !== 0) await run.bump.execute({ departmentId: person.d, month, ...c });
  }
}

/** Recomputes the three tables from users, enrolments and quiz_pairs (after quiz_pairs is rebuilt), then the certificate roll-ups. */
export async function rebuildDepartmentRollupsIn(tx: Tx, timeZone: string): Promise<void> {
  for (const table of [kpiDepartmentPeople, kpiDepartmentPairs, kpiPeople]) await tx.delete(table);
  await exec(
    tx,
    sql`insert into kpi_people (user_id, department_id, active, tiers)
    select u.id, coalesce(u.department_id, 0), u.active, coalesce(t.tiers, '') from users u
    left join (${tiersPerUser(tx)}) t on t.user_id = u.id`,
  );
  const people = new Map<string, number>();
  for (const row of await tx.select().from(kpiPeople)) addPerson(people, row, 1);
  await bumpPeople(tx, people);
  const byDepartment = new Map<number, Map<string, PairCounts>>();
  for (const row of await queryRows<{ d: number; f: number; fp: number | boolean; p: number | null }>(
    tx,
    sql`select s.department_id d, p.first_at f, p.first_passed fp, p.passed_at p from ${quizPairs} p join kpi_people s on s.user_id = p.user_id`,
  )) {
    let deltas = byDepartment.get(row.d);
    if (!deltas) byDepartment.set(row.d, (deltas = new Map()));
    addPair(deltas, { firstAt: row.f, firstPassed: Boolean(row.fp), passedAt: row.p }, 1, timeZone);
  }
  for (const [d, deltas] of byDepartment) for (const chunk of chunked([...deltas])) await bumpPairs(tx, d, new Map(chunk));
  await rebuildCertificateRollupsIn(tx, timeZone);
}

const chunked = <T>(rows: T[], size = 300): T[][] => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));

/** What the dashboard reads: headcount and assigned people per department (0: none) and tier. */
export async function departmentPeople(q: Tx): Promise<{ d: number; tier: string; n: number }[]> {
  return await queryRows(q, sql`select department_id d, tier_id tier, people n from kpi_department_people where people <> 0`);
}

/** Pairs up to the end of each month in `lastMonths` (null: a period with no months), per department. */
export async function departmentPairsUpTo(q: Tx, lastMonths: (string | null)[]): Promise<{ d: number; counts: (PairCounts | null)[] }[]> {
  const live = lastMonths.flatMap((m, i) => (m === null ? [] : [{ m, i }]));
  if (live.length === 0) return [];
  const columns = live.map(
    ({ m, i }) => sql`sum(case when month <= ${m} then pairs else 0 end) ${sql.raw(`pairs${i}`)},
      sum(case when month <= ${m} then first_passed else 0 end) ${sql.raw(`first${i}`)},
      sum(case when month <= ${m} then passed else 0 end) ${sql.raw(`passed${i}`)}`,
  );
  const rows = await queryRows<Record<string, number>>(q, sql`select department_id d, ${sql.join(columns, sql`, `)} from kpi_department_pairs group by department_id`);
  return rows.map((row) => ({
    d: row.d!,
    counts: lastMonths.map((m, i) => (m === null ? null : { pairs: row[`pairs${i}`] ?? 0, firstPassed: row[`first${i}`] ?? 0, passed: row[`passed${i}`] ?? 0 })),
  }));
}
