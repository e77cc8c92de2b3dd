/**
 * SCIM Users against the database: create, read, list, replace/patch and delete. Each write is
 * one transaction that reads the current user, lets the pure core (user-resource.ts, patch.ts)
 * compute the next fields, checks uniqueness, the manager and the admin rules, and writes with
 * its audit rows (actor `scim`). A ScimError thrown inside rolls everything back: an invalid
 * request changes nothing. Deactivation (active false or DELETE) ends every session at once
 * (setActive) and keeps the records; erased users are never found, so never re-identified.
 */
import { eq, sql } from 'drizzle-orm';
import { users } from '../../../db/schema/index.ts';
import { now as clockNow } from '../../platform/clock.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { audit } from '../audit/audit.server.ts';
import { syncEnrolmentsOf } from '../programme/assignments.server.ts';
import { adminRuleViolation, userChangeEffect } from '../users/admin-rules.server.ts';
import { setActive } from '../users/users-admin.server.ts';
import { createUser, ensureDepartment, findUserIdByEmail } from '../users/users.server.ts';
import { badRequest, conflict, notFound } from './errors.ts';
import type { Page } from './list.ts';
import type { ScimUserFields, ScimUserUpdate } from './model.ts';
import { userCondition } from './query.server.ts';
import { isUniqueViolation } from '../../platform/query.ts';
import type { ScimQuery, UserQueryAttribute } from './filter.ts';
import { findUser, findUserByRowId, listUsers, SCIM_ACTOR, type StoredUser, userRowIds } from './store.server.ts';

const ENTERPRISE_MANAGER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager';

async function auditScim(
  tx: Tx,
  action: 'user.created' | 'user.updated' | 'user.deactivated' | 'user.reactivated',
  userId: number,
  details: Record<string, unknown> | null,
  at: Date,
): Promise<void> {
  await audit(tx, { actor: null, actorLabel: SCIM_ACTOR, action, target: { type: 'user', id: userId }, details: details && { via: 'scim', ...details } }, at);
}

async function managerRowId(tx: Tx, managerId: string | null): Promise<number | null> {
  if (managerId === null) return null;
  const id = (await userRowIds(tx, [managerId])).get(managerId);
  if (id === undefined) throw badRequest('invalidValue', `${ENTERPRISE_MANAGER}: no user has the id ${JSON.stringify(managerId.slice(0, 100))}.`);
  return id;
}

async function refuseLastAdmin(tx: Tx, user: StoredUser): Promise<void> {
  if ((await adminRuleViolation(tx, userChangeEffect(null, { id: user.rowId, role: user.role, active: user.active }, { active: false }))) === 'last_admin') {
    throw badRequest('invalidValue', 'active: this is the last active admin; Manabi keeps at least one (make another admin first).');
  }
}

export async function getScimUser(db: Db, publicId: string): Promise<StoredUser> {
  const user = await db.read(async (q) => await findUser(q, publicId));
  if (user === null) throw notFound('User', publicId);
  return user;
}

export async function findScimUsers(db: Db, query: ScimQuery<UserQueryAttribute>, page: Page): Promise<{ total: number; users: StoredUser[] }> {
  return db.read(async (q) => await listUsers(q, userCondition(query), page));
}

/** The unique index's answer for a userName another instance took between the check and the write. */
async function takenAsConflict<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('userName is already taken by another user.');
    throw error;
  }
}

export async function createScimUser(db: Db, fields: ScimUserFields): Promise<StoredUser> {
  return takenAsConflict(
    db.write(async (tx) => {
      const at = clockNow();
      if ((await findUserIdByEmail(tx, fields.email)) !== null) throw conflict('userName is already taken by another user.');
      const managerId = await managerRowId(tx, fields.managerId);
      const departmentId = fields.department === null ? null : await ensureDepartment(tx, fields.department);
      const id = await createUser(tx, { email: fields.email, displayName: fields.displayName, role: 'learner', departmentId, locale: fields.locale }, at);
      await tx
        .update(users)
        .set({ externalId: fields.externalId, givenName: fields.givenName, familyName: fields.familyName, managerId, active: fields.active })
        .where(eq(users.id, id));
      await syncEnrolmentsOf(tx, sql`select cast(${id} as integer) as user_id`, at);
      await auditScim(tx, 'user.created', id, { email: fields.email, department: fields.department, externalId: fields.externalId, active: fields.active }, at);
      return (await findUserByRowId(tx, id))!;
    }),
  );
}

/** PUT or PATCH: `compute` turns the current user into the update (parseUserReplace, applyUserPatch). */
export async function updateScimUser(db: Db, publicId: string, compute: (current: StoredUser) => ScimUserUpdate): Promise<StoredUser> {
  return takenAsConflict(
    db.write(async (tx) => {
      const current = await findUser(tx, publicId);
      if (current === null) throw notFound('User', publicId);
      const { next, changes } = compute(current);
      if (Object.keys(changes).length === 0) return current;
      const at = clockNow();
      if (changes.email !== undefined) {
        const holder = await findUserIdByEmail(tx, next.email);
        if (holder !== null && holder !== current.rowId) throw conflict('userName is already taken by another user.');
      }
      const managerId = changes.managerId === undefined ? undefined : await managerRowId(tx, next.managerId);
      if (changes.active === false) await refuseLastAdmin(tx, current);
      const departmentId = changes.department === undefined ? undefined : next.department === null ? null : await ensureDepartment(tx, next.department);
      await tx
        .update(users)
        .set({
          email: next.email,
          displayName: next.displayName,
          givenName: next.givenName,
          familyName: next.familyName,
          locale: next.locale,
          externalId: next.externalId,
          ...(managerId !== undefined && { managerId }),
          ...(departmentId !== undefined && { departmentId }),
          updatedAt: at,
        })
        .where(eq(users.id, current.rowId));
      if (departmentId !== undefined) await syncEnrolmentsOf(tx, sql`select cast(${current.rowId} as integer) as user_id`, at);
      const { active, ...rest } = changes;
      if (Object.keys(rest).length > 0) await auditScim(tx, 'user.updated', current.rowId, rest, at);
      if (active !== undefined && (await setActive(tx, current.rowId, active, at))) await auditScim(tx, active ? 'user.reactivated' : 'user.deactivated', current.rowId, {}, at);
      return (await findUserByRowId(tx, current.rowId))!;
    }),
  );
}

/** DELETE: the user is deactivated (sessions ended, records kept); a later GET shows `active: false`. */
export async function deleteScimUser(db: Db, publicId: string): Promise<void> {
  await db.write(async (tx) => {
    const current = await findUser(tx, publicId);
    if (current === null) throw notFound('User', publicId);
    if (!current.active) return;
    await refuseLastAdmin(tx, current);
    const at = clockNow();
    if (await setActive(tx, current.rowId, false, at)) await auditScim(tx, 'user.deactivated', current.rowId, { deleted: true }, at);
  });
}
