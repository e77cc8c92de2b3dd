/** User management for admins: search and page, change role and department, deactivate and reactivate. */
import { and, asc, eq, or, sql, type SQL } from 'drizzle-orm';
import { departments, users, type Role } from '../../../db/schema.ts';
import { syncEnrolments } from './assignments.ts';
import type { DbExecutor } from './db.ts';
import { deleteUserSessions } from './session.ts';

export interface UserRow {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  departmentId: number | null;
  departmentName: string | null;
  active: boolean;
  hasPassword: boolean;
  createdAt: Date;
}

export interface UserQuery {
  search?: string;
  departmentId?: number | null;
  role?: Role | null;
  page?: number;
  pageSize?: number;
}

export function searchUsers(db: DbExecutor, query: UserQuery): { rows: UserRow[]; total: number; page: number; pages: number } {
  const pageSize = query.pageSize ?? 50;
  const conditions: SQL[] = [];
  if (query.search) {
    const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(sql`${users.email} like ${pattern} escape '\\'`, sql`${users.displayName} like ${pattern} escape '\\'`)!);
  }
  if (query.departmentId) conditions.push(eq(users.departmentId, query.departmentId));
  if (query.role) conditions.push(eq(users.role, query.role));
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  const total = db.select({ n: sql<number>`count(*)` }).from(users).where(where).get()!.n;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, query.page ?? 1), pages);
  const rows = db
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
    })
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(where)
    .orderBy(asc(users.email))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  return { rows: rows.map((r) => ({ ...r, hasPassword: Boolean(r.hasPassword) })), total, page, pages };
}

export function getUser(db: DbExecutor, id: number) {
  return db.select().from(users).where(eq(users.id, id)).get() ?? null;
}

export interface UserChange {
  before: { role: Role; departmentId: number | null };
  after: { role: Role; departmentId: number | null };
}

/** Role and department; takes effect on the user's next request (the session reads them fresh). */
export function updateUser(db: DbExecutor, id: number, change: { role: Role; departmentId: number | null }, now = new Date()): UserChange | null {
  const user = getUser(db, id);
  if (!user) return null;
  db.update(users).set({ ...change, updatedAt: now }).where(eq(users.id, id)).run();
  syncEnrolments(db, now);
  return { before: { role: user.role, departmentId: user.departmentId }, after: change };
}

/** Deactivation ends every session of the user at once; reactivation lets them sign in again. */
export function setActive(db: DbExecutor, id: number, active: boolean, now = new Date()): boolean {
  const changed = db.update(users).set({ active, updatedAt: now }).where(and(eq(users.id, id), eq(users.active, !active))).run().changes === 1;
  if (changed && !active) deleteUserSessions(db, id);
  return changed;
}

export function listDepartments(db: DbExecutor) {
  return db.select().from(departments).orderBy(asc(departments.name)).all();
}

