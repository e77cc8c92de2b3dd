/**
 * Reading SCIM resources from the database: users (with department, manager and groups) and
 * groups (with members), as the plain shapes of model.ts. Erased users (src/features/users/erasure*)
 * do not exist for SCIM: never found, listed, matched or counted as members. Helpers take a `Tx`.
 */
import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { departments, scimGroupMembers, scimGroups, users } from '../../../db/schema/index.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Tx } from '../../platform/db.server.ts';
import type { GroupRoleMapping } from './roles.ts';
import type { ManabiScimGroup, ManabiScimUser } from './model.ts';
import type { Page } from './list.ts';

/** Who the audit log names for a change made over SCIM. */
export const SCIM_ACTOR = 'scim';

/** The OIDC group settings decide roles for SCIM groups too (one setting for both, roles.ts). */
export function groupMapping(): GroupRoleMapping {
  const { adminGroups, championGroups } = getConfig().groupRoles;
  return { adminGroups, championGroups, departmentPrefix: null };
}

const manager = alias(users, 'scim_manager');

const userSelection = {
  rowId: users.id,
  id: users.publicId,
  email: users.email,
  displayName: users.displayName,
  givenName: users.givenName,
  familyName: users.familyName,
  locale: users.locale,
  active: users.active,
  externalId: users.externalId,
  department: departments.name,
  managerId: manager.publicId,
  managerDisplayName: manager.displayName,
  role: users.role,
  created: users.createdAt,
  updated: users.updatedAt,
};

export type StoredUser = ManabiScimUser & { rowId: number; role: 'learner' | 'champion' | 'admin' };

const visible = isNull(users.erasedAt);

function selectUsers(tx: Tx, where: SQL | undefined) {
  return tx
    .select(userSelection)
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .leftJoin(manager, and(eq(manager.id, users.managerId), isNull(manager.erasedAt)))
    .where(and(visible, where));
}

function withGroups(tx: Tx, rows: Array<Omit<StoredUser, 'groups'>>): StoredUser[] {
  if (rows.length === 0) return [];
  const memberships = tx
    .select({ userId: scimGroupMembers.userId, id: scimGroups.publicId, displayName: scimGroups.displayName })
    .from(scimGroupMembers)
    .innerJoin(scimGroups, eq(scimGroups.id, scimGroupMembers.groupId))
    .where(
      inArray(
        scimGroupMembers.userId,
        rows.map((r) => r.rowId),
      ),
    )
    .orderBy(asc(scimGroups.id))
    .all();
  return rows.map((row) => ({
    ...row,
    groups: memberships.filter((m) => m.userId === row.rowId).map((m) => ({ id: m.id, displayName: m.displayName })),
  }));
}

export function findUser(tx: Tx, publicId: string): StoredUser | null {
  const row = selectUsers(tx, eq(users.publicId, publicId)).get();
  return row ? withGroups(tx, [row])[0]! : null;
}

export function findUserByRowId(tx: Tx, rowId: number): StoredUser | null {
  const row = selectUsers(tx, eq(users.id, rowId)).get();
  return row ? withGroups(tx, [row])[0]! : null;
}

export function listUsers(tx: Tx, where: SQL, page: Page): { total: number; users: StoredUser[] } {
  const total = tx.select({ n: sql<number>`count(*)` }).from(users).where(and(visible, where)).get()?.n ?? 0;
  if (page.count === 0) return { total, users: [] };
  const rows = selectUsers(tx, where).orderBy(asc(users.id)).limit(page.count).offset(page.offset).all();
  return { total, users: withGroups(tx, rows) };
}

/** Row ids of visible users by public id; a missing or erased one is left out. */
export function userRowIds(tx: Tx, publicIds: string[]): Map<string, number> {
  if (publicIds.length === 0) return new Map();
  const rows = tx
    .select({ id: users.id, publicId: users.publicId })
    .from(users)
    .where(and(visible, inArray(users.publicId, publicIds)))
    .all();
  return new Map(rows.map((r) => [r.publicId, r.id]));
}

export type StoredGroup = ManabiScimGroup & { rowId: number };

function withMembers(tx: Tx, rows: Array<Omit<StoredGroup, 'members'>>): StoredGroup[] {
  if (rows.length === 0) return [];
  const members = tx
    .select({ groupId: scimGroupMembers.groupId, id: users.publicId, displayName: users.displayName })
    .from(scimGroupMembers)
    .innerJoin(users, eq(users.id, scimGroupMembers.userId))
    .where(
      and(
        visible,
        inArray(
          scimGroupMembers.groupId,
          rows.map((r) => r.rowId),
        ),
      ),
    )
    .orderBy(asc(users.id))
    .all();
  return rows.map((row) => ({ ...row, members: members.filter((m) => m.groupId === row.rowId).map((m) => ({ id: m.id, displayName: m.displayName })) }));
}

const groupSelection = {
  rowId: scimGroups.id,
  id: scimGroups.publicId,
  displayName: scimGroups.displayName,
  externalId: scimGroups.externalId,
  created: scimGroups.createdAt,
  updated: scimGroups.updatedAt,
};

export function findGroup(tx: Tx, publicId: string): StoredGroup | null {
  const row = tx.select(groupSelection).from(scimGroups).where(eq(scimGroups.publicId, publicId)).get();
  return row ? withMembers(tx, [row])[0]! : null;
}

export function listGroups(tx: Tx, where: SQL, page: Page): { total: number; groups: StoredGroup[] } {
  const total = tx.select({ n: sql<number>`count(*)` }).from(scimGroups).where(where).get()?.n ?? 0;
  if (page.count === 0) return { total, groups: [] };
  const rows = tx.select(groupSelection).from(scimGroups).where(where).orderBy(asc(scimGroups.id)).limit(page.count).offset(page.offset).all();
  return { total, groups: withMembers(tx, rows) };
}

/** Whether another group has this name (case-insensitively, as the unique index). */
export function groupNameTaken(tx: Tx, displayName: string, exceptRowId: number | null): boolean {
  const row = tx.select({ id: scimGroups.id }).from(scimGroups).where(sql`lower(${scimGroups.displayName}) = lower(${displayName})`).get();
  return row !== undefined && row.id !== exceptRowId;
}

/** The groups of the given users, for recomputing their roles: displayName and externalId per user row id. */
export function groupsOfUsers(tx: Tx, userRowIdList: number[]): Map<number, Array<{ displayName: string; externalId: string | null }>> {
  const result = new Map<number, Array<{ displayName: string; externalId: string | null }>>(userRowIdList.map((id) => [id, []]));
  if (userRowIdList.length === 0) return result;
  const rows = tx
    .select({ userId: scimGroupMembers.userId, displayName: scimGroups.displayName, externalId: scimGroups.externalId })
    .from(scimGroupMembers)
    .innerJoin(scimGroups, eq(scimGroups.id, scimGroupMembers.groupId))
    .where(inArray(scimGroupMembers.userId, userRowIdList))
    .all();
  for (const row of rows) result.get(row.userId)?.push({ displayName: row.displayName, externalId: row.externalId });
  return result;
}
