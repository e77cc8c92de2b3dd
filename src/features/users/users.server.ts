/**
 * Users and departments: creation, lookup for sign-in, department upsert.
 * Emails are stored normalised (NFKC, trimmed, lower-case) and unique case-insensitively;
 * display names as given (trimmed), department names NFKC-normalised (src/platform/input/email.ts, src/platform/input/text.ts).
 * Building blocks of larger changes: each takes a `Tx`, so call it inside `db.read` / `db.write`.
 */
import { eq, sql } from 'drizzle-orm';
import { departments, users, type Locale, type Role } from '../../../db/schema/index.ts';
import { normalizeEmail } from '../../platform/input/email.ts';
import { normalizeDisplayName, normalizeName } from '../../platform/input/text.ts';
import type { Tx } from '../../platform/db.server.ts';
import { generateSecureRandomString } from '../auth/session.server.ts';
import { now } from '../../platform/clock.ts';
import { refreshPeople } from '../kpi/dept-rollups.server.ts';
import { first } from '../../platform/query.ts';

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

/**
 * Inserts a user; the caller has checked the email is free (the unique index still guards it).
 * The times come from the clock, not the column default: the KPIs start at the first user's creation.
 */
export async function createUser(tx: Tx, input: CreateUserInput, at = now()): Promise<number> {
  const row = first(
    await tx
      .insert(users)
      .values({
        publicId: generateSecureRandomString(),
        email: normalizeEmail(input.email),
        displayName: normalizeDisplayName(input.displayName),
        role: input.role,
        departmentId: input.departmentId,
        locale: input.locale ?? 'ja',
        passwordHash: input.passwordHash ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .returning({ id: users.id }),
  )!;
  await refreshPeople(tx, [row.id]);
  return row.id;
}

export async function findUserIdByEmail(tx: Tx, email: string): Promise<number | null> {
  const row = first(
    await tx
      .select({ id: users.id })
      .from(users)
      .where(sql`lower(${users.email}) = ${normalizeEmail(email)}`),
  );
  return row?.id ?? null;
}

export async function findLoginCandidate(tx: Tx, email: string): Promise<LoginCandidate | null> {
  const row = first(
    await tx
      .select({ id: users.id, email: users.email, passwordHash: users.passwordHash, active: users.active, locale: users.locale })
      .from(users)
      .where(sql`lower(${users.email}) = ${normalizeEmail(email)}`),
  );
  return row ?? null;
}

export async function setPasswordHash(tx: Tx, userId: number, passwordHash: string): Promise<void> {
  await tx.update(users).set({ passwordHash, updatedAt: now() }).where(eq(users.id, userId));
}

export async function countUsers(tx: Tx): Promise<number> {
  const row = first(await tx.select({ n: sql<number>`count(*)` }).from(users));
  return row?.n ?? 0;
}

/** A department by name, whatever its case or width (NFKC): `ＩＴ部` finds `IT部`. */
export async function findDepartmentId(tx: Tx, name: string): Promise<number | null> {
  const wanted = normalizeName(name);
  const row = first(await tx.select({ id: departments.id }).from(departments).where(sql`lower(${departments.name}) = lower(${wanted})`));
  if (row) return row.id;
  // Rows stored before names were normalised: compare their normalised form (departments are few).
  const key = wanted.toLowerCase();
  return (await tx.select({ id: departments.id, name: departments.name }).from(departments)).find((d) => normalizeName(d.name).toLowerCase() === key)?.id ?? null;
}

/**
 * The new department's id; when another instance created it in the meantime (the unique index on
 * the lower-cased name), the insert does nothing and waits for that one, whose id it answers.
 */
export async function createDepartment(tx: Tx, name: string): Promise<number> {
  const created = first(
    await tx
      .insert(departments)
      .values({ name: normalizeName(name) })
      .onConflictDoNothing()
      .returning({ id: departments.id }),
  );
  if (created) return created.id;
  const existing = await findDepartmentId(tx, name);
  if (existing === null) throw new Error(`department ${JSON.stringify(name)} neither created nor found`);
  return existing;
}

/** Returns the department's id, creating it when missing (matched case-insensitively). */
export async function ensureDepartment(tx: Tx, name: string): Promise<number> {
  return (await findDepartmentId(tx, name)) ?? (await createDepartment(tx, name));
}
