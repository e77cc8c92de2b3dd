/**
 * The admin's changes to users, each one write with its audit row: role and department,
 * (de)activation, a new user with their first sign-in link, a new link, a CSV import (in the
 * worker, which audits in its own transaction). Role and activation changes obey
 * src/features/users/admin-rules.server.ts. Refusals come back as codes the actions turn into messages.
 */
import { inArray } from 'drizzle-orm';
import { departments } from '../../../db/schema/index.ts';
import { audit, type AuditCaller } from '../audit/audit.server.ts';
import { issueLoginToken, loginLinkUrl } from '../auth/login-links.server.ts';
import { syncEnrolments } from '../programme/assignments.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { adminRuleViolation, userChangeEffect, type AdminRuleViolation } from './admin-rules.server.ts';
import { importDatabaseOf, runImport } from './import-runner.server.ts';
import type { ImportReport } from './import.server.ts';
import type { Role } from './roles.ts';
import { getUser, setActive, updateUser } from './users-admin.server.ts';
import { createUser, ensureDepartment, findUserIdByEmail } from './users.server.ts';
import { first, isUniqueViolation } from '../../platform/query.ts';

export type Refused<Code extends string> = { ok: false; error: Code };

/** Role and department; refused for an unknown department, a missing or erased user, or the admin rules. */
export async function changeUserRole(
  db: Db,
  caller: AuditCaller,
  userId: number,
  change: { role: Role; departmentId: number | null },
): Promise<{ ok: true } | Refused<'unknown_department' | 'not_found' | 'erased' | AdminRuleViolation>> {
  return db.write(async (tx) => {
    // A forged or stale form: the foreign key would refuse it too, but as an error mid-write (a 500).
    if (
      change.departmentId !== null &&
      !first(
        await tx
          .select({ id: departments.id })
          .from(departments)
          .where(inArray(departments.id, [change.departmentId])),
      )
    ) {
      return { ok: false, error: 'unknown_department' } as const;
    }
    const user = await getUser(tx, userId);
    // An erased user's role and department stay as they were at erasure: the records' context.
    if (user?.erasedAt) return { ok: false, error: 'erased' } as const;
    const violation = user ? await adminRuleViolation(tx, userChangeEffect(caller.actor.id, user, { role: change.role })) : null;
    if (violation) return { ok: false, error: violation } as const;
    const done = await updateUser(tx, userId, change);
    if (!done) return { ok: false, error: 'not_found' } as const;
    await audit(tx, { actor: caller.actor, action: 'user.updated', target: { type: 'user', id: userId }, details: { ...done }, ip: caller.ip });
    return { ok: true } as const;
  });
}

/**
 * Deactivation (every session ends) or reactivation; audited only when it changed something.
 * An erased user is never reactivated: nobody can sign in as them, and they are no one now.
 */
export async function changeUserActive(db: Db, caller: AuditCaller, userId: number, active: boolean): Promise<{ ok: true } | Refused<'not_found' | 'erased' | AdminRuleViolation>> {
  return db.write(async (tx) => {
    const user = await getUser(tx, userId);
    if (!user) return { ok: false, error: 'not_found' } as const;
    if (active && user.erasedAt) return { ok: false, error: 'erased' } as const;
    const violation = await adminRuleViolation(tx, userChangeEffect(caller.actor.id, user, { active }));
    if (violation) return { ok: false, error: violation } as const;
    if (await setActive(tx, userId, active)) {
      await audit(tx, { actor: caller.actor, action: active ? 'user.reactivated' : 'user.deactivated', target: { type: 'user', id: userId }, ip: caller.ip });
    }
    return { ok: true } as const;
  });
}

export interface LoginLink {
  userId: number;
  email: string;
  link: string;
}

/** A new user (their department created when missing) and their first sign-in link. */
export async function addUserWithLink(
  db: Db,
  caller: AuditCaller,
  input: { email: string; name: string; department: string; role: Role },
): Promise<({ ok: true } & LoginLink) | Refused<'email_taken'>> {
  const { email, name, department, role } = input;
  // The check finds an existing account; the unique index answers for one another instance adds meanwhile.
  const created = await db
    .write(async (tx) => {
      if ((await findUserIdByEmail(tx, email)) !== null) return null;
      const userId = await createUser(tx, { email, displayName: name, role, departmentId: await ensureDepartment(tx, department) });
      await syncEnrolments(tx);
      await audit(tx, { actor: caller.actor, action: 'user.created', target: { type: 'user', id: userId }, details: { email, role, department }, ip: caller.ip });
      const token = await issueLoginToken(tx, userId, caller.actor.id);
      await audit(tx, { actor: caller.actor, action: 'user.login_link_created', target: { type: 'user', id: userId }, ip: caller.ip });
      return { userId, token };
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) return null;
      throw error;
    });
  if (!created) return { ok: false, error: 'email_taken' };
  return { ok: true, userId: created.userId, email, link: loginLinkUrl(created.token, getConfig().siteUrl) };
}

/** A fresh sign-in link for an active user: a reset when they have a password, else their first. */
export async function createUserLoginLink(db: Db, caller: AuditCaller, userId: number): Promise<({ ok: true } & LoginLink) | Refused<'not_found' | 'inactive_user'>> {
  const issued = await db.write(async (tx) => {
    const user = await getUser(tx, userId);
    if (!user) return 'not_found' as const;
    if (!user.active) return 'inactive_user' as const;
    const token = await issueLoginToken(tx, userId, caller.actor.id, user.passwordHash ? 'reset' : 'first_login');
    await audit(tx, { actor: caller.actor, action: 'user.login_link_created', target: { type: 'user', id: userId }, ip: caller.ip });
    return { email: user.email, token };
  });
  if (typeof issued === 'string') return { ok: false, error: issued };
  return { ok: true, userId, email: issued.email, link: loginLinkUrl(issued.token, getConfig().siteUrl) };
}

/** An uploaded users CSV: decoded, validated and written in the worker thread, audited there in the same transaction. */
export async function importUsersUpload(db: Db, caller: AuditCaller, bytes: Uint8Array, options: { update: boolean; fileName: string }): Promise<ImportReport> {
  return runImport({
    kind: 'users',
    database: importDatabaseOf(db),
    bytes,
    options: { update: options.update, actor: { id: caller.actor.id, email: caller.actor.email }, ip: caller.ip, fileName: options.fileName },
  });
}
