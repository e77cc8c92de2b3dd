/**
 * Just-in-time provisioning from single sign-on: the first sign-in creates the user (or links
 * an existing account with the same email), later sign-ins bring name, department and role
 * up to date from the provider's claims. A user deactivated in Manabi stays out. A role from
 * the groups obeys the rule every role change does (src/features/users/admin-rules.server.ts): a demotion
 * that would leave no active admin is not applied — the sign-in goes on with the old role and
 * the caller audits the refusal — since a provider's group change (a typo, a group renamed, a
 * mapping not set up yet) must not lock everyone out of /admin, with only a shell to recover.
 * One short write transaction; the caller audits the result.
 */
import { and, eq, sql } from 'drizzle-orm';
import { users, type Locale, type Role } from '../../../db/schema/index.ts';
import type { SsoIdentity } from './oidc-claims.ts';
import { adminRuleViolation, userChangeEffect, type AdminRuleViolation } from '../users/admin-rules.server.ts';
import { syncEnrolments } from '../programme/assignments.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { createUser, ensureDepartment } from '../users/users.server.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { refreshPeople } from '../kpi/dept-rollups.server.ts';
import { first, isUniqueViolation } from '../../platform/query.ts';

export interface SsoUser {
  id: number;
  email: string;
  locale: Locale;
}

export type SsoChange = Partial<Record<'identity' | 'displayName' | 'department' | 'role' | 'email', { from: string | null; to: string | null }>>;

/** A role the provider asked for and Manabi did not apply, and why. */
export interface RoleKept {
  from: Role;
  to: Role;
  reason: AdminRuleViolation;
}

export type ProvisionResult =
  | { status: 'created'; user: SsoUser }
  | { status: 'updated'; user: SsoUser; changes: SsoChange; roleKept: RoleKept | null }
  | { status: 'unchanged'; user: SsoUser; roleKept: RoleKept | null }
  | { status: 'deactivated'; user: SsoUser }
  /** The email belongs to an account already linked to another identity at this provider. */
  | { status: 'conflict' };

/**
 * The provisioning write, tried a second time when it broke a unique index: the same person's
 * first sign-in completed on another instance in between (two tabs, a double submit), and the
 * second try finds and updates that account. The write touches the database only, so it repeats.
 */
export async function provisionSsoUser(db: Db, issuer: string, identity: SsoIdentity, now = clockNow()): Promise<ProvisionResult> {
  try {
    return await provisionOnce(db, issuer, identity, now);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return provisionOnce(db, issuer, identity, now);
  }
}

async function provisionOnce(db: Db, issuer: string, identity: SsoIdentity, now: Date): Promise<ProvisionResult> {
  return db.write(async (tx): Promise<ProvisionResult> => {
    const columns = {
      id: users.id,
      email: users.email,
      locale: users.locale,
      active: users.active,
      displayName: users.displayName,
      role: users.role,
      departmentId: users.departmentId,
      oidcSubject: users.oidcSubject,
      department: sql<string | null>`(select name from departments where id = ${users.departmentId})`,
    };
    const changes: SsoChange = {};
    let row = first(
      await tx
        .select(columns)
        .from(users)
        .where(and(eq(users.oidcIssuer, issuer), eq(users.oidcSubject, identity.subject))),
    );
    if (!row) {
      const byEmail = first(await tx.select(columns).from(users).where(sql`lower(${users.email}) = ${identity.email}`));
      if (byEmail && byEmail.oidcSubject !== null) return { status: 'conflict' } as const;
      if (byEmail) {
        // An account made by an admin or an import: link it to this identity from now on.
        await tx.update(users).set({ oidcIssuer: issuer, oidcSubject: identity.subject, updatedAt: now }).where(eq(users.id, byEmail.id));
        changes.identity = { from: null, to: `${issuer} ${identity.subject}` };
        row = byEmail;
      }
    }

    if (!row) {
      const id = await createUser(
        tx,
        {
          email: identity.email,
          displayName: identity.displayName,
          role: identity.role ?? 'learner',
          departmentId: identity.department ? await ensureDepartment(tx, identity.department) : null,
        },
        now,
      );
      await tx.update(users).set({ oidcIssuer: issuer, oidcSubject: identity.subject }).where(eq(users.id, id));
      await syncEnrolments(tx, now);
      return { status: 'created', user: { id, email: identity.email, locale: 'ja' } } as const;
    }

    const user: SsoUser = { id: row.id, email: row.email, locale: row.locale };
    if (!row.active) return { status: 'deactivated', user } as const;

    const set: Partial<{ displayName: string; email: string; role: Role; departmentId: number | null; updatedAt: Date }> = {};
    if (row.displayName !== identity.displayName) {
      changes.displayName = { from: row.displayName, to: identity.displayName };
      set.displayName = identity.displayName;
    }
    if (row.email !== identity.email) {
      const taken = first(await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${identity.email} and ${users.id} <> ${row.id}`));
      if (!taken) {
        changes.email = { from: row.email, to: identity.email };
        set.email = identity.email;
        user.email = identity.email;
      }
    }
    let roleKept: RoleKept | null = null;
    if (identity.role !== undefined && row.role !== identity.role) {
      // No "self" here: the provider decides, within the floor of at least one active admin.
      const violation = await adminRuleViolation(tx, userChangeEffect(null, { id: row.id, role: row.role, active: row.active }, { role: identity.role }));
      if (violation === null) {
        changes.role = { from: row.role, to: identity.role };
        set.role = identity.role;
      } else {
        roleKept = { from: row.role, to: identity.role, reason: violation };
      }
    }
    if (identity.department !== undefined && row.department !== identity.department) {
      changes.department = { from: row.department, to: identity.department };
      set.departmentId = identity.department ? await ensureDepartment(tx, identity.department) : null;
    }
    if (Object.keys(set).length === 0) {
      return Object.keys(changes).length === 0 ? ({ status: 'unchanged', user, roleKept } as const) : ({ status: 'updated', user, changes, roleKept } as const);
    }
    await tx
      .update(users)
      .set({ ...set, updatedAt: now })
      .where(eq(users.id, row.id));
    if (set.role !== undefined || set.departmentId !== undefined) await syncEnrolments(tx, now);
    if (set.departmentId !== undefined) await refreshPeople(tx, [row.id]);
    return { status: 'updated', user, changes, roleKept } as const;
  });
}
