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
import { first } from '../../platform/query.ts';

/** Who the audit log names for a change made over SCIM. */
export const SCIM_ACTOR = 'scim';

/** The OIDC group settings decide roles for SCIM groups too (one setting for both, roles.ts). */
export function groupMapping(): GroupRoleMapping {
  const { adminGroups, championGroups } = getConfig().groupRoles;
  return { adminGroups, championGroups, departmentPrefix: null };
}

/**
 * The columns of a SCIM user, with the manager through an alias of `users`. Built per query: the
 * alias must be of the table of the database in use (db/schema/index.ts selects SQLite's or
 * PostgreSQL's at start), and one made at import would alias SQLite's.
 */
function userSelection() {
  const manager = alias(users, 'scim_manager');
  const fields = {
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
  return { manager, fields };
}

export type StoredUser = ManabiScimUser & { rowId: number; role: 'learner' | 'champion' | 'admin' };

const visible = isNull(users.erasedAt);

function selectUsers(tx: Tx, where: SQL | undefined) {
  const { manager, fields } = userSelection();
  return tx
    .select(fields)
    .from(users)
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .leftJoin(manager, and(eq(manager.id, users.managerId), isNull(manager.erasedAt)))
    .where(and(visible, where));
}

async function withGroups(tx: Tx, rows: Array<Omit<StoredUser, 'groups'>>): Promise<StoredUser[]> {
  if (rows.length === 0) return [];
  const memberships = await tx
    .select({ userId: scimGroupMembers.userId, id: scimGroups.publicId, displayName: scimGroups.displayName })
    .from(scimGroupMembers)
    .innerJoin(scimGroups, eq(scimGroups.id, scimGroupMembers.groupId))
    .where(
      inArray(
        scimGroupMembers.userId,
        rows.map((r) => r.rowId),
      ),
    )
    .orderBy(asc(scimGroups.id));
  return rows.map((row) => ({
    ...row,
    groups: memberships.filter((m) => m.userId === row.rowId).map((m) => ({ id: m.id, displayName: m.displayName })),
  }));
}

export async function findUser(tx: Tx, publicId: string): Promise<StoredUser | null> {
  const row = first(await selectUsers(tx, eq(users.publicId, publicId)));
  return row ? (await withGroups(tx, [row]))[0]! : null;
}

export async function findUserByRowId(tx: Tx, rowId: number): Promise<StoredUser | null> {
  const row = first(await selectUsers(tx, eq(users.id, rowId)));
  return row ? (await withGroups(tx, [row]))[0]! : null;
}

export async function listUsers(tx: Tx, where: SQL, page: Page): Promise<{ total: number; users: StoredUser[] }> {
  const total = first(await tx.select({ n: sql<number>`count(*)` }).from(users).where(and(visible, where)))?.n ?? 0;
  if (page.count === 0) return { total, users: [] };
  const rows = await selectUsers(tx, where).orderBy(asc(users.id)).limit(page.count).offset(page.offset);
  return { total, users: await withGroups(tx, rows) };
}

/** Row ids of visible users by public id; a missing or erased one is left out. */
export async function userRowIds(tx: Tx, publicIds: string[]): Promise<Map<string, number>> {
  if (publicIds.length === 0) return new Map();
  const rows = await tx
    .select({ id: users.id, publicId: users.publicId })
    .from(users)
    .where(and(visible, inArray(users.publicId, publicIds)));
  return new Map(rows.map((r) => [r.publicId, r.id]));
}

export type StoredGroup = ManabiScimGroup & { rowId: number };

async function withMembers(tx: Tx, rows: Array<Omit<StoredGroup, 'members'>>): Promise<StoredGroup[]> {
  if (rows.length === 0) return [];
  const members = await tx
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
    .orderBy(asc(users.id));
  return rows.map((row) => ({ ...row, members: members.filter((m) => m.groupId === row.rowId).map((m) => ({ id: m.id, displayName: m.displayName })) }));
}

/** Built per call: a table's columns are the dialect's once the database is open (db/schema/index.ts), not at import. */
const groupSelection = () => ({
  rowId: scimGroups.id,
  id: scimGroups.publicId,
  displayName: scimGroups.displayName,
  externalId: scimGroups.externalId,
  created: scimGroups.createdAt,
  updated: scimGroups.updatedAt,
});

export async function findGroup(tx: Tx, publicId: string): Promise<StoredGroup | null> {
  const row = first(await tx.select(groupSelection()).from(scimGroups).where(eq(scimGroups.publicId, publicId)));
  return row ? (await withMembers(tx, [row]))[0]! : null;
}

export async function listGroups(tx: Tx, where: SQL, page: Page): Promise<{ total: number; groups: StoredGroup[] }> {
  const total = first(await tx.select({ n: sql<number>`count(*)` }).from(scimGroups).where(where))?.n ?? 0;
  if (page.count === 0) return { total, groups: [] };
  const rows = await tx.select(groupSelection()).from(scimGroups).where(where).orderBy(asc(scimGroups.id)).limit(page.count).offset(page.offset);
  return { total, groups: await withMembers(tx, rows) };
}

/** Whether another group has this name (case-insensitively, as the unique index). */
export async function groupNameTaken(tx: Tx, displayName: string, exceptRowId: number | null): Promise<boolean> {
  const row = first(await tx.select({ id: scimGroups.id }).from(scimGroups).where(sql`lower(${scimGroups.displayName}) = lower(${displayName})`));
  return row !== null && row.id !== exceptRowId;
}

/** The groups of the given users, for recomputing their roles: displayName and externalId per user row id. */
export async function groupsOfUsers(tx: Tx, userRowIdList: number[]): Promise<Map<number, Array<{ displayName: string; externalId: string | null }>>> {
  const result = new Map<number, Array<{ displayName: string; externalId: string | null }>>(userRowIdList.map((id) => [id, []]));
  if (userRowIdList.length === 0) return result;
  const rows = await tx
    .select({ userId: scimGroupMembers.userId, displayName: scimGroups.displayName, externalId: scimGroups.externalId })
    .from(scimGroupMembers)
    .innerJoin(scimGroups, eq(scimGroups.id, scimGroupMembers.groupId))
    .where(inArray(scimGroupMembers.userId, userRowIdList));
  for (const row of rows) result.get(row.userId)?.push({ displayName: row.displayName, externalId: row.externalId });
  return result;
}
