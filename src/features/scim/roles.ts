/**
 * Roles and departments from provisioned groups, by the rule single sign-on already uses
 * (src/features/auth/oidc-claims.ts `roleFromGroups`): admin groups over champion groups over everyone else.
 * A configured entry matches a group's displayName or its externalId — Entra's groups are
 * configured by object id for OIDC (OIDC_ADMIN_GROUPS) and arrive over SCIM with that id as
 * externalId, so one setting serves both.
 */
import { normalizeName, roleFromGroups, type ManabiRole } from './manabi-rules.ts';

export interface GroupRoleMapping {
  adminGroups: string[];
  championGroups: string[];
  /** Groups named `<prefix><department>` put their members in that department; null: departments come from the enterprise attribute only. */
  departmentPrefix: string | null;
}

export interface GroupRef {
  displayName: string;
  externalId: string | null;
}

/** Whether groups decide roles at all: with no group configured, roles stay with Manabi's admins. */
export function groupsManageRoles(mapping: GroupRoleMapping): boolean {
  return mapping.adminGroups.length > 0 || mapping.championGroups.length > 0;
}

function namesOf(groups: GroupRef[]): string[] {
  return groups.flatMap((g) => (g.externalId === null ? [g.displayName] : [g.displayName, g.externalId]));
}

/** The role a user's groups give; null when groups do not manage roles. */
export function roleFromScimGroups(groups: GroupRef[], mapping: GroupRoleMapping): ManabiRole | null {
  if (!groupsManageRoles(mapping)) return null;
  return roleFromGroups(namesOf(groups), mapping);
}

/** The role this one group grants its members, or null for a group that grants none. */
export function roleOfGroup(group: GroupRef, mapping: GroupRoleMapping): ManabiRole | null {
  const role = roleFromGroups(namesOf([group]), mapping);
  return role === 'learner' ? null : role;
}

/** The department a group stands for under the prefix rule, or null. */
export function departmentOfGroup(group: GroupRef, mapping: GroupRoleMapping): string | null {
  const prefix = mapping.departmentPrefix;
  if (prefix === null || prefix === '' || !group.displayName.startsWith(prefix)) return null;
  const name = normalizeName(group.displayName.slice(prefix.length));
  return name === '' ? null : name;
}

export type GroupDepartment = { department: string } | { ambiguous: string[] } | null;

/** The department from a user's groups: one department group gives it, several are ambiguous (nothing changes), none gives null. */
export function departmentFromScimGroups(groups: GroupRef[], mapping: GroupRoleMapping): GroupDepartment {
  const departments = [...new Set(groups.map((g) => departmentOfGroup(g, mapping)).filter((d): d is string => d !== null))];
  if (departments.length === 1) return { department: departments[0]! };
  if (departments.length > 1) return { ambiguous: departments.sort() };
  return null;
}

/** A change to a group: `before` null when created, `after` null when deleted. */
export interface GroupChange {
  before: GroupRef | null;
  after: GroupRef | null;
  /** Members before the change. */
  members: string[];
  added: string[];
  removed: string[];
}

function mapped(group: GroupRef | null, mapping: GroupRoleMapping): boolean {
  return group !== null && (roleOfGroup(group, mapping) !== null || departmentOfGroup(group, mapping) !== null);
}

/**
 * The users whose role or department must be computed again after a group change: nobody when the
 * group grants nothing before and after; the added and removed members when it grants something;
 * every member when a rename or a new externalId changes what it grants, or when it is deleted.
 */
export function usersToRecompute(change: GroupChange, mapping: GroupRoleMapping): string[] {
  const wasMapped = mapped(change.before, mapping);
  const isMapped = mapped(change.after, mapping);
  if (!wasMapped && !isMapped) return [];
  const grantsChanged =
    change.before === null ||
    change.after === null ||
    roleOfGroup(change.before, mapping) !== roleOfGroup(change.after, mapping) ||
    departmentOfGroup(change.before, mapping) !== departmentOfGroup(change.after, mapping);
  const affected = grantsChanged ? [...change.members, ...change.added] : [...change.added, ...change.removed];
  if (grantsChanged) affected.push(...change.removed);
  return [...new Set(affected)];
}

export interface RoleChange {
  userId: string;
  from: ManabiRole;
  to: ManabiRole;
}

/**
 * Role changes as groups give them, with the last-admin rule applied: demotions (and the
 * deactivations passed as `deactivating`) that would leave no active admin are held back, the
 * first ones kept, and returned so the caller audits them as refused.
 */
export function applyLastAdminRule(changes: RoleChange[], activeAdminIds: string[], deactivating: string[] = []): { applied: RoleChange[]; refused: RoleChange[] } {
  const admins = new Set(activeAdminIds);
  for (const id of deactivating) admins.delete(id);
  for (const change of changes) if (change.to === 'admin') admins.add(change.userId);
  const applied: RoleChange[] = [];
  const refused: RoleChange[] = [];
  for (const change of changes) {
    if (change.from === 'admin' && change.to !== 'admin') {
      if (admins.size <= 1 && admins.has(change.userId)) {
        refused.push(change);
        continue;
      }
      admins.delete(change.userId);
    }
    applied.push(change);
  }
  return { applied, refused };
}
