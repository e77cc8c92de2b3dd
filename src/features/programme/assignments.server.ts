/**
 * Assigned training: a tier for everyone, a role, a department or a rollout wave, due on a
 * date or N days after the user joined. Enrolments record when each user joined each
 * assignment; `syncEnrolments` keeps them in step after any change to users, waves or
 * assignments. The sync helpers take the write's `tx`: call them inside `db.write`.
 */
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { assignmentEnrolments, assignments, certificates, departments, waves, type Assignment, type Role } from '../../../db/schema/index.ts';
import type { TierId } from '../curriculum/schemas.ts';
import { endOfDay } from '../../platform/dates.ts';
import { now as clockNow } from '../../platform/clock.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { audit, type AuditInput } from '../audit/audit.server.ts';
import { requireExisting } from './references.server.ts';
import { refreshPeople, usersEnrolledIn } from '../kpi/dept-rollups.server.ts';
import { changes, exec, first, rows as queryRows } from '../../platform/query.ts';

const DAY_MS = 86_400_000;

const MATCHES = sql`(
  a.target_kind = 'everyone'
  or (a.target_kind = 'role' and u.role = a.target_role)
  or (a.target_kind = 'department' and u.department_id = a.target_department_id)
  or (a.target_kind = 'wave' and u.department_id in (select wd.department_id from wave_departments wd where wd.wave_id = a.target_wave_id))
)`;

/** The built-in defaults: everyone → basic, champions → applied, admins → specialist. */
export async function ensureDefaultAssignments(db: Tx): Promise<void> {
  const existing = first(await db.select({ n: sql<number>`count(*)` }).from(assignments).where(eq(assignments.isDefault, true)))!.n;
  if (existing > 0) return;
  await db.insert(assignments).values([
    { tierId: 'basic', targetKind: 'everyone', isDefault: true },
    { tierId: 'applied', targetKind: 'role', targetRole: 'champion', isDefault: true },
    { tierId: 'specialist', targetKind: 'role', targetRole: 'admin', isDefault: true },
  ]);
}

/** Adds enrolments for users who now match an assignment (joined now) and removes those who no longer do. */
export async function syncEnrolments(db: Tx, now = clockNow()): Promise<void> {
  const added = await queryRows<{ u: number }>(
    db,
    sql`insert into assignment_enrolments (assignment_id, user_id, enrolled_at)
    select a.id, u.id, ${now.getTime()} from assignments a join users u on ${MATCHES}
    where true on conflict do nothing returning user_id u`,
  );
  const removed = await queryRows<{ u: number }>(
    db,
    sql`delete from assignment_enrolments where not exists (
    select 1 from assignments a join users u on ${MATCHES}
    where a.id = assignment_enrolments.assignment_id and u.id = assignment_enrolments.user_id) returning user_id u`,
  );
  const changed = [...added, ...removed].map((r) => r.u);
  await refreshPeople(db, changed);
}

/**
 * `syncEnrolments` for some users only: `userIds` is a subquery of user ids (an import's
 * users), so a large import's write transaction does not walk every enrolment.
 */
export async function syncEnrolmentsOf(db: Tx, userIds: SQL, now = clockNow()): Promise<void> {
  await exec(
    db,
    sql`insert into assignment_enrolments (assignment_id, user_id, enrolled_at)
    select a.id, u.id, ${now.getTime()} from (${userIds}) x join users u on u.id = x.user_id join assignments a on ${MATCHES}
    where true on conflict do nothing`,
  );
  await exec(
    db,
    sql`delete from assignment_enrolments where user_id in (${userIds}) and not exists (
    select 1 from assignments a join users u on ${MATCHES}
    where a.id = assignment_enrolments.assignment_id and u.id = assignment_enrolments.user_id)`,
  );
  // These users may have changed in other ways too (an import moves them): refresh them all.
  await refreshPeople(db, userIds);
}

export async function listAssignments(db: Db): Promise<Assignment[]> {
  return db.read(async (q) => await q.select().from(assignments).orderBy(asc(assignments.tierId), asc(assignments.id)));
}

/** How many users each assignment has enrolled, by assignment id. */
export async function enrolmentCounts(db: Db): Promise<Map<number, number>> {
  const rows = await db.read(
    async (q) => await queryRows<{ id: number; n: number }>(q, sql`select assignment_id id, count(*) n from assignment_enrolments group by assignment_id`),
  );
  return new Map(rows.map((r) => [r.id, r.n]));
}

export interface NewAssignment {
  tierId: TierId;
  target: { kind: 'everyone' } | { kind: 'role'; role: Role } | { kind: 'department'; departmentId: number } | { kind: 'wave'; waveId: number };
  due: { kind: 'none' } | { kind: 'date'; date: string } | { kind: 'days'; days: number };
  /** Certificates of the tier for these people expire after this many months (1–60) and renew; null: the tier's own setting. */
  validForMonths?: number | null;
  createdBy: number;
}

export const VALID_FOR_MONTHS_MIN = 1;
export const VALID_FOR_MONTHS_MAX = 60;

/**
 * Creates an assignment and enrols its users, with its audit row when `by` is given, in one
 * write; an unknown department or wave is refused (`unknown_department`, `unknown_wave`).
 */
export async function createAssignment(db: Db, input: NewAssignment, by: Pick<AuditInput, 'actor' | 'ip'> | null = null, now = clockNow()): Promise<number> {
  return db.write(async (tx) => {
    if (input.target.kind === 'department') await requireExisting(tx, departments, [input.target.departmentId], 'unknown_department');
    if (input.target.kind === 'wave') await requireExisting(tx, waves, [input.target.waveId], 'unknown_wave');
    const id = first(
      await tx
        .insert(assignments)
        .values({
          tierId: input.tierId,
          targetKind: input.target.kind,
          targetRole: input.target.kind === 'role' ? input.target.role : null,
          targetDepartmentId: input.target.kind === 'department' ? input.target.departmentId : null,
          targetWaveId: input.target.kind === 'wave' ? input.target.waveId : null,
          dueDate: input.due.kind === 'date' ? input.due.date : null,
          dueDays: input.due.kind === 'days' ? input.due.days : null,
          validForMonths: input.validForMonths ?? null,
          createdBy: input.createdBy,
          createdAt: now,
        })
        .returning({ id: assignments.id }),
    )!.id;
    await syncEnrolments(tx, now);
    if (by)
      await audit(
        tx,
        {
          ...by,
          action: 'assignment.created',
          target: { type: 'assignment', id },
          details: { tierId: input.tierId, target: input.target, due: input.due, validForMonths: input.validForMonths ?? null },
        },
        now,
      );
    return id;
  });
}

/** Deletes an assignment (its enrolments go with it), with its audit row; false when there is none. */
export async function deleteAssignment(db: Db, id: number, by: Pick<AuditInput, 'actor' | 'ip'> | null = null, now = clockNow()): Promise<boolean> {
  return db.write(async (tx) => {
    const enrolled = await usersEnrolledIn(tx, id);
    const deleted = changes(await tx.delete(assignments).where(eq(assignments.id, id))) === 1;
    await refreshPeople(tx, enrolled);
    if (deleted && by) await audit(tx, { ...by, action: 'assignment.deleted', target: { type: 'assignment', id } }, now);
    return deleted;
  });
}

export interface UserAssignment {
  tierId: string;
  /** The earliest due moment over the assignments of this tier; null when none has a due date. */
  dueAt: Date | null;
  completedAt: Date | null;
  status: 'complete' | 'complete_late' | 'overdue' | 'open';
}

export function dueAtFor(assignment: Pick<Assignment, 'dueDate' | 'dueDays'>, enrolledAt: Date, timeZone: string): Date | null {
  if (assignment.dueDate) return endOfDay(assignment.dueDate, timeZone);
  if (assignment.dueDays !== null) return new Date(enrolledAt.getTime() + assignment.dueDays * DAY_MS);
  return null;
}

export function classify(dueAt: Date | null, completedAt: Date | null, now: Date): UserAssignment['status'] {
  if (completedAt) return dueAt && completedAt > dueAt ? 'complete_late' : 'complete';
  return dueAt && now > dueAt ? 'overdue' : 'open';
}

/** The tiers assigned to a user, earliest due first, with completion (the tier certificate) and lateness. */
export async function assignmentsForUser(db: Db, userId: number, timeZone: string, now = clockNow()): Promise<UserAssignment[]> {
  return db.read(async (q) => await assignmentsOf(q, userId, timeZone, now));
}

async function assignmentsOf(db: Tx, userId: number, timeZone: string, now: Date): Promise<UserAssignment[]> {
  const rows = await db
    .select({ tierId: assignments.tierId, dueDate: assignments.dueDate, dueDays: assignments.dueDays, enrolledAt: assignmentEnrolments.enrolledAt })
    .from(assignmentEnrolments)
    .innerJoin(assignments, eq(assignments.id, assignmentEnrolments.assignmentId))
    .where(eq(assignmentEnrolments.userId, userId));
  if (rows.length === 0) return [];
  // The first certificate of a tier completes its assignment (the due date was for the first cycle), however many renewals follow.
  const completed = new Map(
    (
      await db
        .select({ tierId: certificates.tierId, issuedAt: sql<number>`min(${certificates.issuedAt})` })
        .from(certificates)
        .where(and(eq(certificates.userId, userId), inArray(certificates.tierId, [...new Set(rows.map((r) => r.tierId))])))
        .groupBy(certificates.tierId)
    ).map((c) => [c.tierId, new Date(c.issuedAt)]),
  );
  const byTier = new Map<string, Date | null>();
  for (const row of rows) {
    const due = dueAtFor(row, row.enrolledAt, timeZone);
    const current = byTier.get(row.tierId);
    if (!byTier.has(row.tierId) || (due && (!current || due < current))) byTier.set(row.tierId, due ?? current ?? null);
  }
  return [...byTier.entries()]
    .map(([tierId, dueAt]) => {
      const completedAt = completed.get(tierId) ?? null;
      return { tierId, dueAt, completedAt, status: classify(dueAt, completedAt, now) };
    })
    .sort((a, b) => (a.dueAt?.getTime() ?? Infinity) - (b.dueAt?.getTime() ?? Infinity));
}
