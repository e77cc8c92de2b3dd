/** Test support shared by the tests of this folder: the SCIM error a call throws, a query evaluator, an in-memory directory. */
import { conflict, notFound, ScimError } from './errors.ts';
import { parseGroupFilter, parseUserFilter, type ScimQuery } from './filter.ts';
import { BASE_URL } from './fixtures/load.ts';
import { parseGroupCreate, toScimGroup, type ScimGroup } from './group-resource.ts';
import { listResponse, type ListResponse } from './list.ts';
import type { ManabiScimGroup, ManabiScimUser, ScimGroupFields, ScimGroupUpdate, ScimUserChanges, ScimUserFields } from './model.ts';
import { applyGroupPatch, applyUserPatch } from './patch.ts';
import { parseUserCreate, parseUserReplace, toScimUser, type ScimUser } from './user-resource.ts';

export function scimErrorOf(f: () => unknown): ScimError {
  try {
    f();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError, but the call succeeded');
}

/**
 * What a database layer does with a ScimQuery, in memory: the reference the replay tests use
 * (and an example of the translation; the real one builds a parameterised query).
 */
export function matchesQuery(values: (attribute: string) => Array<string | boolean | null>, query: ScimQuery): boolean {
  switch (query.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'and':
      return query.filters.every((f) => matchesQuery(values, f));
    case 'or':
      return query.filters.some((f) => matchesQuery(values, f));
    case 'present':
      return values(query.attribute).some((v) => v !== null && v !== '');
    case 'compare':
      return values(query.attribute).some((v) => {
        if (typeof v === 'boolean' || typeof query.value === 'boolean') return v === query.value;
        if (v === null) return false;
        const [a, b] = query.caseExact ? [v, query.value] : [v.toLowerCase(), query.value.toLowerCase()];
        return query.operator === 'eq' ? a === b : query.operator === 'co' ? a.includes(b) : query.operator === 'sw' ? a.startsWith(b) : a.endsWith(b);
      });
  }
}

export function userValues(user: ManabiScimUser): (attribute: string) => Array<string | boolean | null> {
  const table: Record<string, Array<string | boolean | null>> = {
    id: [user.id],
    userName: [user.email],
    'emails.value': [user.email],
    externalId: [user.externalId],
    displayName: [user.displayName],
    active: [user.active],
    'manager.value': [user.managerId],
  };
  return (attribute) => table[attribute] ?? [];
}

export function groupValues(group: ManabiScimGroup): (attribute: string) => Array<string | boolean | null> {
  const table: Record<string, Array<string | boolean | null>> = {
    id: [group.id],
    displayName: [group.displayName],
    externalId: [group.externalId],
    'members.value': group.members.map((m) => m.id),
  };
  return (attribute) => table[attribute] ?? [];
}
/**
 * An in-memory service provider built from this module's functions only, standing in for the
 * endpoint and database layers in the replay tests: each method is one documented request.
 */
export class Directory {
  readonly users = new Map<string, ManabiScimUser>();
  readonly groups = new Map<string, ManabiScimGroup>();
  private readonly ids: string[];
  private readonly now = new Date('2026-05-01T00:00:00.000Z');

  constructor(ids: string[]) {
    this.ids = [...ids];
  }

  private nextId(): string {
    const id = this.ids.shift();
    if (id === undefined) throw new Error('test directory: no ids left');
    return id;
  }

  private user(id: string): ManabiScimUser {
    const user = this.users.get(id);
    if (!user) throw notFound('User', id);
    return user;
  }

  private group(id: string): ManabiScimGroup {
    const group = this.groups.get(id);
    if (!group) throw notFound('Group', id);
    return group;
  }

  private storeUser(id: string | null, fields: ScimUserFields, created: Date): ScimUser {
    if ([...this.users.values()].some((u) => u.id !== id && u.email === fields.email)) throw conflict('userName is already taken.');
    id ??= this.nextId();
    const manager = fields.managerId === null ? undefined : this.users.get(fields.managerId);
    const groups = [...this.groups.values()].filter((g) => g.members.some((m) => m.id === id)).map((g) => ({ id: g.id, displayName: g.displayName }));
    const user: ManabiScimUser = { ...fields, id, managerDisplayName: manager?.displayName ?? null, groups, created, updated: this.now };
    this.users.set(id, user);
    return toScimUser(user, BASE_URL);
  }

  createUser(body: unknown): ScimUser {
    return this.storeUser(null, parseUserCreate(body), this.now);
  }

  getUser(id: string): ScimUser {
    return toScimUser(this.user(id), BASE_URL);
  }

  findUsers(filter: string): ListResponse<ScimUser> {
    const query = parseUserFilter(filter);
    const found = [...this.users.values()].filter((u) => matchesQuery(userValues(u), query));
    return listResponse(
      found.map((u) => toScimUser(u, BASE_URL)),
      found.length,
      { startIndex: 1 },
    );
  }

  replaceUser(id: string, body: unknown): { user: ScimUser; changes: ScimUserChanges } {
    const current = this.user(id);
    const { next, changes } = parseUserReplace(current, body);
    return { user: this.storeUser(id, next, current.created), changes };
  }

  patchUser(id: string, body: unknown): { user: ScimUser; changes: ScimUserChanges } {
    const current = this.user(id);
    const { next, changes } = applyUserPatch(current, body);
    return { user: this.storeUser(id, next, current.created), changes };
  }

  private storeGroup(id: string | null, fields: ScimGroupFields, created: Date): ScimGroup {
    if ([...this.groups.values()].some((g) => g.id !== id && g.displayName.toLowerCase() === fields.displayName.toLowerCase())) throw conflict('displayName is already taken.');
    id ??= this.nextId();
    const members = fields.memberIds.map((memberId) => ({ id: memberId, displayName: this.users.get(memberId)?.displayName ?? memberId }));
    const group: ManabiScimGroup = { id, displayName: fields.displayName, externalId: fields.externalId, members, created, updated: this.now };
    this.groups.set(id, group);
    return toScimGroup(group, BASE_URL);
  }

  createGroup(body: unknown): ScimGroup {
    return this.storeGroup(null, parseGroupCreate(body), this.now);
  }

  getGroup(id: string, options: { members?: boolean } = {}): ScimGroup {
    return toScimGroup(this.group(id), BASE_URL, options);
  }

  findGroups(filter: string, options: { members?: boolean } = {}): ListResponse<ScimGroup> {
    const query = parseGroupFilter(filter);
    const found = [...this.groups.values()].filter((g) => matchesQuery(groupValues(g), query));
    return listResponse(
      found.map((g) => toScimGroup(g, BASE_URL, options)),
      found.length,
      { startIndex: 1 },
    );
  }

  patchGroup(id: string, body: unknown): ScimGroupUpdate {
    const current = this.group(id);
    const update = applyGroupPatch(current, body);
    this.storeGroup(id, update.next, current.created);
    return update;
  }
}
