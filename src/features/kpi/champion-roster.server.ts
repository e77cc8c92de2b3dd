/**
 * The whole-department pass of a big roster: per person only what sorting, counting and paging
 * need (name, distinct lessons done, last activity, assignments' due dates, the certificates'
 * state), in three grouped reads on statements prepared once per connection. The full records are
 * then loaded for one page of people only (champion.server.ts).
 */
import { and, eq, sql } from 'drizzle-orm';
import { assignmentEnrolments, assignments, certificates, users } from '../../../db/schema/index.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { classify, dueAtFor } from '../programme/assignments.server.ts';
import { certificationStatus } from './certification.ts';
import { triageStatus, type TriageRow } from './champion-roster.ts';
import { first } from '../../platform/query.ts';

export interface Enrolment {
  userId: number;
  tierId: string;
  dueDate: string | null;
  dueDays: number | null;
  enrolledAt: number;
}

export interface Triage {
  rows: TriageRow[];
  /** Per user: their enrolments (the page's entries reuse them). */
  enrolments: Map<number, Enrolment[]>;
  /** Per tier: how many people have it assigned and expiring or expired (the dashboard's counts). */
  expiry: Map<string, { expiring: number; expired: number }>;
}

const inDepartment = and(eq(users.departmentId, sql.placeholder('departmentId')), eq(users.active, true));

// The subqueries name `"users"."id"` in full: Drizzle writes a lone `"id"` in a one-table select, which the subquery would read as its own table's id.
function statements(q: Tx) {
  return {
    headcount: q.select({ n: sql<number>`count(*)` }).from(users).where(inDepartment).prepare(),
    people: q
      .select({
        id: users.id,
        displayName: users.displayName,
        email: users.email,
        lessons: sql<number>`(select count(distinct c.lesson_id) from lesson_completions c where c.user_id = "users"."id")`,
        submitted: sql<number>`exists(select 1 from quiz_attempts a where a.user_id = "users"."id" and a.submitted_at is not null)`,
      })
      .from(users)
      .where(inDepartment)
      .prepare(),
    // Read only to sort by it: the three maxima cost more than the rest of the pass together.
    lastActivity: q
      .select({
        id: users.id,
        // Three columns, the maximum taken in JS: SQLite's many-argument max() is greatest() on PostgreSQL.
        completed: sql<number | null>`(select max(c.completed_at) from lesson_completions c where c.user_id = "users"."id")`,
        submitted: sql<number | null>`(select max(a.submitted_at) from quiz_attempts a where a.user_id = "users"."id" and a.submitted_at is not null)`,
        viewed: sql<number | null>`(select max(v.viewed_at) from lesson_views v where v.user_id = "users"."id")`,
      })
      .from(users)
      .where(inDepartment)
      .prepare(),
    enrolments: q
      .select({
        userId: assignmentEnrolments.userId,
        tierId: assignments.tierId,
        dueDate: assignments.dueDate,
        dueDays: assignments.dueDays,
        enrolledAt: sql<number>`${assignmentEnrolments.enrolledAt}`,
      })
      .from(assignmentEnrolments)
      .innerJoin(assignments, eq(assignments.id, assignmentEnrolments.assignmentId))
      .innerJoin(users, eq(users.id, assignmentEnrolments.userId))
      .where(inDepartment)
      .prepare(),
    certificates: q
      .select({ userId: certificates.userId, tierId: certificates.tierId, cycle: certificates.cycle, issuedAt: certificates.issuedAt, validUntil: certificates.validUntil })
      .from(certificates)
      .innerJoin(users, eq(users.id, certificates.userId))
      .where(inDepartment)
      .prepare(),
  };
}

function groupBy<T extends { userId: number }>(rows: T[]): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const row of rows) {
    const list = map.get(row.userId);
    if (list) list.push(row);
    else map.set(row.userId, [row]);
  }
  return map;
}

/** The department's active people, counted (one indexed read): whether its roster is paged. */
export async function departmentHeadcount(db: Db, departmentId: number): Promise<number> {
  const run = db.prepared('champion.triage', statements);
  return db.read(async () => first(await run.headcount.execute({ departmentId }))?.n ?? 0);
}

/** Everyone active in the department, with their triage status (the same rules as the full roster's); last activity only when asked (null otherwise). */
export async function loadTriage(db: Db, departmentId: number, timeZone: string, now: Date, options: { lastActivity: boolean }): Promise<Triage> {
  const run = db.prepared('champion.triage', statements);
  const params = { departmentId };
  const { people, lastActivity, enrolments, certs } = await db.read(async () => ({
    people: await run.people.execute(params),
    lastActivity: options.lastActivity ? new Map((await run.lastActivity.execute(params)).map((r) => [r.id, Math.max(r.completed ?? 0, r.submitted ?? 0, r.viewed ?? 0)])) : null,
    enrolments: groupBy((await run.enrolments.execute(params)) as Enrolment[]),
    certs: groupBy(await run.certificates.execute(params)),
  }));
  const expiry = new Map<string, { expiring: number; expired: number }>();
  const rows = people.map((person): TriageRow => {
    const firstCertified = new Map<string, Date>();
    const newest = new Map<string, { cycle: number; issuedAt: Date; validUntil: Date | null }>();
    for (const c of certs.get(person.id) ?? []) {
      const seen = firstCertified.get(c.tierId);
      if (!seen || c.issuedAt < seen) firstCertified.set(c.tierId, c.issuedAt);
      const top = newest.get(c.tierId);
      // The newest cycle's certificate, as newestCertificates (cycles.ts).
      if (!top || c.cycle > top.cycle) newest.set(c.tierId, c);
    }
    // As the full roster: per tier the earliest due date of its enrolments.
    const byTier = new Map<string, Date | null>();
    for (const e of enrolments.get(person.id) ?? []) {
      const due = dueAtFor(e, new Date(e.enrolledAt), timeZone);
      const current = byTier.get(e.tierId);
      if (!byTier.has(e.tierId) || (due && (!current || due < current))) byTier.set(e.tierId, due ?? current ?? null);
    }
    let overdue = false;
    let expired = false;
    let expiring = false;
    let open = 0;
    let dueAt: number | null = null;
    for (const [tierId, due] of byTier) {
      const completedAt = firstCertified.get(tierId) ?? null;
      if (classify(due, completedAt, now) === 'overdue') overdue = true;
      if (!completedAt) {
        open++;
        if (due && (dueAt === null || due.getTime() < dueAt)) dueAt = due.getTime();
      }
      const status = certificationStatus(newest.get(tierId) ?? null, now);
      if (status === 'expired' || status === 'expiring') {
        const count = expiry.get(tierId) ?? { expiring: 0, expired: 0 };
        count[status]++;
        expiry.set(tierId, count);
        if (status === 'expired') expired = true;
        else expiring = true;
      }
    }
    return {
      id: person.id,
      displayName: person.displayName,
      email: person.email,
      status: triageStatus({ overdue, expired, expiring, started: person.lessons > 0 || Boolean(person.submitted), openAssignments: open }),
      lessons: person.lessons,
      lastActivityAt: lastActivity?.get(person.id) || null,
      dueAt,
    };
  });
  return { rows, enrolments, expiry };
}
