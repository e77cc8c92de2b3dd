/**
 * Users and departments: creation, lookup for sign-in, department upsert.
 * Emails are stored normalised (NFKC, trimmed, lower-case) and unique case-insensitively;
 * display names as given (trimmed), department names NFKC-normalised (src/lib/email.ts, src/lib/text.ts).
 */
import { eq, sql } from 'drizzle-orm';
import { departments, users, type Locale, type Role } from '../../../db/schema.ts';
import { normalizeEmail } from '../email.ts';
import { normalizeDisplayName, normalizeName } from '../text.ts';
import type { DbExecutor } from './db.ts';
import { generateSecureRandomString } from './session.ts';

export interface CreateUserInput {
  email: string;
  displayName: string;
  role: Role;
  departmentId: number | null;
  locale?: Locale;
  passwordHash?: string | null;
}

export interface LoginCandidate {
  id: number;
  email: string;
  passwordHash: string | null;
  active: boolean;
  locale: Locale;
}

/** Inserts a user; the caller has checked the email is free (the unique index still guards it). */
export function createUser(db: DbExecutor, input: CreateUserInput): number {
  const row = db
    .insert(users)
    .values({
      publicId: generateSecureRandomString(),
      email: normalizeEmail(input.email),
      displayName: normalizeDisplayName(input.displayName),
      role: input.role,
      departmentId: input.departmentId,
      locale: input.locale ?? 'ja',
      passwordHash: input.passwordHash ?? null,
    })
    .returning({ id: users.id })
    .get();
  return row.id;
}

export function findUserIdByEmail(db: DbExecutor, email: string): number | null {
  const row = db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = ${normalizeEmail(email)}`)
    .get();
  return row?.id ?? null;
}

export function findLoginCandidate(db: DbExecutor, email: string): LoginCandidate | null {
  const row = db
    .select({ id: users.id, email: users.email, passwordHash: users.passwordHash, active: users.active, locale: users.locale })
    .from(users)
    .where(sql`lower(${users.email}) = ${normalizeEmail(email)}`)
    .get();
  return row ?? null;
}

export function setPasswordHash(db: DbExecutor, userId: number, passwordHash: string): void {
  db.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId)).run();
}

export function countUsers(db: DbExecutor): number {
  const row = db.select({ n: sql<number>`count(*)` }).from(users).get();
  return row?.n ?? 0;
}

/** A department by name, whatever its case or width (NFKC): `ＩＴ部` finds `IT部`. */
export function findDepartmentId(db: DbExecutor, name: string): number | null {
  const wanted = normalizeName(name);
  const row = db
    .select({ id: departments.id })
    .from(departments)
    .where(sql`lower(${departments.name}) = lower(${wanted})`)
    .get();
  if (row) return row.id;
  // Rows stored before names were normalised: compare their normalised form (departments are few).
  const key = wanted.toLowerCase();
  return db.select({ id: departments.id, name: departments.name }).from(departments).all().find((d) => normalizeName(d.name).toLowerCase() === key)?.id ?? null;
}

export function createDepartment(db: DbExecutor, name: string): number {
  return db.insert(departments).values({ name: normalizeName(name) }).returning({ id: departments.id }).get().id;
}

/** Returns the department's id, creating it when missing (matched case-insensitively). */
export function ensureDepartment(db: DbExecutor, name: string): number {
  return findDepartmentId(db, name) ?? createDepartment(db, name);
}
