/**
 * User management for admins: search and page, change role and department, deactivate and
 * reactivate. The changes (`getUser`, `updateUser`, `setActive`) take a `Tx`: call them inside
 * `db.write`, with the admin rules and the audit row (src/features/users/user-changes.server.ts).
 */
import { and, asc, eq, or, sql, type SQL } from 'drizzle-orm';
import { certificates, departments, lessonCompletions, policyAcknowledgements, quizAttempts, users, type Role } from '../../../db/schema/index.ts';
import { syncEnrolments } from '../programme/assignments.server.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { deleteUserSessions } from '../auth/session.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { erasureTag } from './erasure.ts';
import { refreshPeople } from '../kpi/dept-rollups.server.ts';
import { type PersonRef, reportingLineOf } from './managers.server.ts';
import { changes, first } from '../../platform/query.ts';

/** A user as the admin's user list shows them. */
export interface AdminUserRow {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  departmentId: number | null;
  departmentName: string | null;
  active: boolean;
  hasPassword: boolean;
  createdAt: Date;
  /** For an erased user, the tag of their pseudonym (src/features/users/erasure.ts); null otherwise. */
  erasureTag: string | null;
}

export interface UserQuery {
  search?: string;
  departmentId?: number | null;
  role?: Role | null;
  page?: number;
  pageSize?: number;
}

export interface UserSearchResult {
  rows: AdminUserRow[];
  total: number;
  page: number;
  pages: number;
}

export async function searchUsers(db: Db, query: UserQuery): Promise<UserSearchResult> {
  return db.read(async (q) => await search(q, query));
}

async function search(q: Tx, query: UserQuery): Promise<UserSearchResult> {
  const pageSize = query.pageSize ?? 50;
  const conditions: SQL[] = [];
  if (query.search) {
    const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(sql`${users.email} like ${pattern} escape '\\'`, sql`${users.displayName} like ${pattern} escape '\\'`)!);
  }
  if (query.departmentId) conditions.push(eq(users.departmentId, query.departmentId));
  if (query.role) conditions.push(eq(users.role, query.role));
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  const total = first(await q.select({ n: sql<number>`count(*)` }).from(users).where(where))!.n;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, query.page ?? 1), pages);
  const rows = await q
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      role: users.role,
      departmentId: users.departmentId,
      departmentName: departments.name,
      active: users.active,
      hasPassword: sql<number>`${users.passwordHash} is not null`,
      createdAt: users.createdAt,
      publicId: users.publicId,
      erasedAt: users.erasedAt,
    })
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(where)
    .orderBy(asc(users.email))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return {
    rows: rows.map(({ publicId, erasedAt, ...r }) => ({ ...r, hasPassword: Boolean(r.hasPassword), erasureTag: erasedAt ? erasureTag(publicId) : null })),
    total,
    page,
    pages,
  };
}

export async function getUser(tx: Tx, id: number) {
  return first(await tx.select().from(users).where(eq(users.id, id))) ?? null;
}

export interface UserChange {
  before: { role: Role; departmentId: number | null };
  after: { role: Role; departmentId: number | null };
}

/** Role and department; takes effect on the user's next request (the session reads them fresh). */
export async function updateUser(tx: Tx, id: number, change: { role: Role; departmentId: number | null }, now = clockNow()): Promise<UserChange | null> {
  const user = await getUser(tx, id);
  if (!user) return null;
  await tx
    .update(users)
    .set({ ...change, updatedAt: now })
    .where(eq(users.id, id));
  await syncEnrolments(tx, now);
  await refreshPeople(tx, [id]);
  return { before: { role: user.role, departmentId: user.departmentId }, after: change };
}

/** Deactivation ends every session of the user at once; reactivation lets them sign in again. */
export async function setActive(tx: Tx, id: number, active: boolean, now = clockNow()): Promise<boolean> {
  const changed =
    changes(
      await tx
        .update(users)
        .set({ active, updatedAt: now })
        .where(and(eq(users.id, id), eq(users.active, !active))),
    ) === 1;
  if (changed && !active) await deleteUserSessions(tx, id);
  if (changed) await refreshPeople(tx, [id]);
  return changed;
}

export type Department = typeof departments.$inferSelect;

export async function listDepartments(db: Db): Promise<Department[]> {
  return db.read(async (q) => await q.select().from(departments).orderBy(asc(departments.name)));
}

/** The admin's user list: the departments to filter and assign, and the page of users asked for. */
export async function loadUsersPage(db: Db, query: UserQuery): Promise<{ departments: Department[]; list: UserSearchResult }> {
  return { departments: await listDepartments(db), list: await searchUsers(db, query) };
}

/** One user as their admin page shows them, with what the records hold (kept on erasure). */
export interface AdminUserDetail extends AdminUserRow {
  publicId: string;
  singleSignOn: boolean;
  erasedAt: Date | null;
  records: { lessonsCompleted: number; quizAttempts: number; certificates: number; policyAcknowledgements: number };
  /** The line manager (null for none) and how many active people report to this user. */
  manager: PersonRef | null;
  directReports: number;
}

/** The admin's page of one user; null when there is no such user. */
export async function loadUserPage(db: Db, userId: number): Promise<AdminUserDetail | null> {
  return db.read(async (q) => {
    const user = first(
      await q.select({ user: users, departmentName: departments.name }).from(users).leftJoin(departments, eq(departments.id, users.departmentId)).where(eq(users.id, userId)),
    );
    if (!user) return null;
    const { user: u, departmentName } = user;
    const count = async (table: typeof lessonCompletions | typeof quizAttempts | typeof certificates | typeof policyAcknowledgements): Promise<number> =>
      first(await q.select({ n: sql<number>`count(*)` }).from(table).where(eq(table.userId, userId)))?.n ?? 0;
    return {
      id: u.id,
      publicId: u.publicId,
      email: u.email,
      displayName: u.displayName,
      role: u.role,
      departmentId: u.departmentId,
      departmentName,
      active: u.active,
      hasPassword: u.passwordHash !== null,
      singleSignOn: u.oidcSubject !== null,
      createdAt: u.createdAt,
      erasedAt: u.erasedAt,
      erasureTag: u.erasedAt ? erasureTag(u.publicId) : null,
      records: {
        lessonsCompleted: await count(lessonCompletions),
        quizAttempts: await count(quizAttempts),
        certificates: await count(certificates),
        policyAcknowledgements: await count(policyAcknowledgements),
      },
      ...(await reportingLineOf(q, userId)),
    };
  });
}
