/**
 * SCIM Groups against the database, and what membership means: after every change the roles
 * of the users `usersToRecompute()` names are computed again from all their groups
 * (roleFromScimGroups, the OIDC rule) and applied through `applyLastAdminRule()`, so a removal
 * demotes an admin but never the last active one (the refusal is audited). One transaction per
 * request; a ScimError inside rolls it back. Every change audited with actor `scim`.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { scimGroupMembers, scimGroups, users } from '../../../db/schema/index.ts';
import { now as clockNow } from '../../platform/clock.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { audit } from '../audit/audit.server.ts';
import { generateSecureRandomString } from '../auth/session.server.ts';
import { syncEnrolments } from '../programme/assignments.server.ts';
import { badRequest, conflict, notFound } from './errors.ts';
import type { GroupQueryAttribute, ScimQuery } from './filter.ts';
import type { Page } from './list.ts';
import type { ScimGroupFields, ScimGroupUpdate } from './model.ts';
import { groupCondition } from './query.server.ts';
import { applyLastAdminRule, type GroupChange, type GroupRoleMapping, groupsManageRoles, type RoleChange, roleFromScimGroups, usersToRecompute } from './roles.ts';
import { findGroup, groupMapping, groupNameTaken, groupsOfUsers, listGroups, SCIM_ACTOR, type StoredGroup, userRowIds } from './store.server.ts';
import { first } from '../../platform/query.ts';

async function auditGroup(
  tx: Tx,
  action: 'scim.group_created' | 'scim.group_updated' | 'scim.group_deleted',
  groupId: number,
  details: Record<string, unknown>,
  at: Date,
): Promise<void> {
  await audit(tx, { actor: null, actorLabel: SCIM_ACTOR, action, target: { type: 'scim_group', id: groupId }, details }, at);
}

async function memberRows(tx: Tx, ids: string[]): Promise<number[]> {
  const found = await userRowIds(tx, ids);
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw badRequest('invalidValue', `members: no user has the id ${JSON.stringify(missing.slice(0, 100))}.`);
  return ids.map((id) => found.get(id)!);
}

/** Roles of the named users from their groups as they are now in `tx`; demotions of the last admin refused and audited. */
async function recomputeRoles(tx: Tx, publicIds: string[], mapping: GroupRoleMapping, at: Date): Promise<void> {
  if (publicIds.length === 0 || !groupsManageRoles(mapping)) return;
  const people = await tx
    .select({ rowId: users.id, publicId: users.publicId, role: users.role })
    .from(users)
    .where(and(isNull(users.erasedAt), inArray(users.publicId, publicIds)));
  const groups = await groupsOfUsers(
    tx,
    people.map((p) => p.rowId),
  );
  const changes: RoleChange[] = [];
  for (const person of people) {
    const to = roleFromScimGroups(groups.get(person.rowId) ?? [], mapping);
    if (to !== null && to !== person.role) changes.push({ userId: person.publicId, from: person.role, to });
  }
  if (changes.length === 0) return;
  const admins = (
    await tx
      .select({ publicId: users.publicId })
      .from(users)
      .where(and(eq(users.role, 'admin'), eq(users.active, true), isNull(users.erasedAt)))
  ).map((u) => u.publicId);
  const { applied, refused } = applyLastAdminRule(changes, admins);
  const rowOf = new Map(people.map((p) => [p.publicId, p.rowId]));
  for (const change of applied) {
    const rowId = rowOf.get(change.userId)!;
    await tx.update(users).set({ role: change.to, updatedAt: at }).where(eq(users.id, rowId));
    await audit(
      tx,
      { actor: null, actorLabel: SCIM_ACTOR, action: 'user.updated', target: { type: 'user', id: rowId }, details: { via: 'scim', role: change.to, from: change.from } },
      at,
    );
  }
  // A new role brings its assignments (and leaves the old one's), as an admin's role change does;
  // syncEnrolments also brings the dashboard's per-tier counts in step.
  if (applied.length > 0) await syncEnrolments(tx, at);
  for (const change of refused) {
    const rowId = rowOf.get(change.userId)!;
    await audit(
      tx,
      {
        actor: null,
        actorLabel: SCIM_ACTOR,
        action: 'user.role_change_refused',
        target: { type: 'user', id: rowId },
        details: { via: 'scim', from: change.from, to: change.to, reason: 'last_admin' },
      },
      at,
    );
  }
}

export async function getScimGroup(db: Db, publicId: string): Promise<StoredGroup> {
  const group = await db.read(async (q) => await findGroup(q, publicId));
  if (group === null) throw notFound('Group', publicId);
  return group;
}

export async function findScimGroups(db: Db, query: ScimQuery<GroupQueryAttribute>, page: Page): Promise<{ total: number; groups: StoredGroup[] }> {
  return db.read(async (q) => await listGroups(q, groupCondition(query), page));
}

export async function createScimGroup(db: Db, fields: ScimGroupFields): Promise<StoredGroup> {
  const mapping = groupMapping();
  return db.write(async (tx) => {
    const at = clockNow();
    if (await groupNameTaken(tx, fields.displayName, null)) throw conflict('displayName is already taken by another group.');
    const members = await memberRows(tx, fields.memberIds);
    const publicId = generateSecureRandomString();
    const { id } = first(
      await tx
        .insert(scimGroups)
        .values({ publicId, displayName: fields.displayName, externalId: fields.externalId, createdAt: at, updatedAt: at })
        .returning({ id: scimGroups.id }),
    )!;
    if (members.length > 0) await tx.insert(scimGroupMembers).values(members.map((userId) => ({ groupId: id, userId })));
    await auditGroup(tx, 'scim.group_created', id, { displayName: fields.displayName, externalId: fields.externalId, added: members.length }, at);
    const change: GroupChange = { before: null, after: { displayName: fields.displayName, externalId: fields.externalId }, members: [], added: fields.memberIds, removed: [] };
    await recomputeRoles(tx, usersToRecompute(change, mapping), mapping, at);
    return (await findGroup(tx, publicId))!;
  });
}

/** PUT or PATCH: `compute` turns the current group into the update (parseGroupReplace, applyGroupPatch). */
export async function updateScimGroup(db: Db, publicId: string, compute: (current: StoredGroup) => ScimGroupUpdate): Promise<StoredGroup> {
  const mapping = groupMapping();
  return db.write(async (tx) => {
    const current = await findGroup(tx, publicId);
    if (current === null) throw notFound('Group', publicId);
    const update = compute(current);
    if (Object.keys(update.changes).length === 0 && update.added.length === 0 && update.removed.length === 0) return current;
    const at = clockNow();
    if (update.changes.displayName !== undefined && (await groupNameTaken(tx, update.next.displayName, current.rowId)))
      throw conflict('displayName is already taken by another group.');
    const added = await memberRows(tx, update.added);
    const removed = [...(await userRowIds(tx, update.removed)).values()];
    await tx.update(scimGroups).set({ displayName: update.next.displayName, externalId: update.next.externalId, updatedAt: at }).where(eq(scimGroups.id, current.rowId));
    if (added.length > 0)
      await tx
        .insert(scimGroupMembers)
        .values(added.map((userId) => ({ groupId: current.rowId, userId })))
        .onConflictDoNothing();
    if (removed.length > 0) await tx.delete(scimGroupMembers).where(and(eq(scimGroupMembers.groupId, current.rowId), inArray(scimGroupMembers.userId, removed)));
    await auditGroup(tx, 'scim.group_updated', current.rowId, { ...update.changes, added: added.length, removed: removed.length }, at);
    const change: GroupChange = {
      before: { displayName: current.displayName, externalId: current.externalId },
      after: { displayName: update.next.displayName, externalId: update.next.externalId },
      members: current.members.map((m) => m.id),
      added: update.added,
      removed: update.removed,
    };
    await recomputeRoles(tx, usersToRecompute(change, mapping), mapping, at);
    return (await findGroup(tx, publicId))!;
  });
}

export async function deleteScimGroup(db: Db, publicId: string): Promise<void> {
  const mapping = groupMapping();
  await db.write(async (tx) => {
    const current = await findGroup(tx, publicId);
    if (current === null) throw notFound('Group', publicId);
    const at = clockNow();
    await tx.delete(scimGroupMembers).where(eq(scimGroupMembers.groupId, current.rowId));
    await tx.delete(scimGroups).where(eq(scimGroups.id, current.rowId));
    await auditGroup(tx, 'scim.group_deleted', current.rowId, { displayName: current.displayName, removed: current.members.length }, at);
    const change: GroupChange = {
      before: { displayName: current.displayName, externalId: current.externalId },
      after: null,
      members: current.members.map((m) => m.id),
      added: [],
      removed: [],
    };
    await recomputeRoles(tx, usersToRecompute(change, mapping), mapping, at);
  });
}
