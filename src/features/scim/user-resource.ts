/**
 * Manabi user ⇄ SCIM User. Out: the resource as Entra and Okta read it (no nulls: an attribute
 * without a value is left out, as Entra asks). In: a POST becomes the fields of a new user, a PUT
 * the next fields of an existing one with the changes spelled out.
 */
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA } from './constants.ts';
import { scimBaseUrl } from './discovery.ts';
import { badRequest } from './errors.ts';
import type { ManabiScimUser, ScimUserChanges, ScimUserFields, ScimUserUpdate } from './model.ts';
import { parseUserBody, type ScimUserInput } from './user-input.ts';

export interface ScimUser {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name?: { givenName?: string; familyName?: string };
  displayName: string;
  emails: Array<{ value: string; type: 'work'; primary: true }>;
  active: boolean;
  preferredLanguage: string;
  locale: string;
  groups: Array<{ value: string; $ref: string; display: string }>;
  [ENTERPRISE_USER_SCHEMA]?: { department?: string; manager?: { value: string; $ref: string; displayName?: string } };
  meta: { resourceType: 'User'; created: string; lastModified: string; location: string };
}

export function toScimUser(user: ManabiScimUser, baseUrl: string): ScimUser {
  const base = scimBaseUrl(baseUrl);
  const enterprise: NonNullable<ScimUser[typeof ENTERPRISE_USER_SCHEMA]> = {};
  if (user.department !== null) enterprise.department = user.department;
  if (user.managerId !== null) {
    enterprise.manager = { value: user.managerId, $ref: `${base}/Users/${encodeURIComponent(user.managerId)}` };
    if (user.managerDisplayName !== null) enterprise.manager.displayName = user.managerDisplayName;
  }
  const hasEnterprise = Object.keys(enterprise).length > 0;
  const name: NonNullable<ScimUser['name']> = {};
  if (user.givenName !== null) name.givenName = user.givenName;
  if (user.familyName !== null) name.familyName = user.familyName;
  return {
    schemas: hasEnterprise ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA],
    id: user.id,
    ...(user.externalId !== null && { externalId: user.externalId }),
    userName: user.email,
    ...(Object.keys(name).length > 0 && { name }),
    displayName: user.displayName,
    emails: [{ value: user.email, type: 'work', primary: true }],
    active: user.active,
    preferredLanguage: user.locale,
    locale: user.locale,
    groups: user.groups.map((g) => ({ value: g.id, $ref: `${base}/Groups/${encodeURIComponent(g.id)}`, display: g.displayName })),
    ...(hasEnterprise && { [ENTERPRISE_USER_SCHEMA]: enterprise }),
    meta: {
      resourceType: 'User',
      created: user.created.toISOString(),
      lastModified: user.updated.toISOString(),
      location: `${base}/Users/${encodeURIComponent(user.id)}`,
    },
  };
}

/** POST /Users: the new user's fields; what the body did not say takes Manabi's defaults. */
export function parseUserCreate(body: unknown): ScimUserFields {
  const input = parseUserBody(body);
  return {
    email: input.email,
    displayName: input.displayName ?? input.email.split('@')[0]!,
    givenName: input.givenName ?? null,
    familyName: input.familyName ?? null,
    locale: input.locale ?? 'ja',
    active: input.active ?? true,
    externalId: input.externalId ?? null,
    department: input.department ?? null,
    managerId: input.managerId ?? null,
  };
}

/**
 * PUT /Users/<id>: a full replacement, except that what the body leaves out is kept (RFC 7644
 * §3.5.1 lets the server treat it as "not asserted"; Okta's PUT omits externalId and the
 * enterprise attributes it does not map, and an admin's department must not vanish with them).
 */
export function parseUserReplace(current: ManabiScimUser, body: unknown): ScimUserUpdate {
  return mergeUser(current, parseUserBody(body), 'keep');
}

/** What an input means for the user: `keep` treats an absent attribute as unchanged, `clear` as removed (a PATCH result). */
export function mergeUser(current: ManabiScimUser, input: ScimUserInput, absent: 'keep' | 'clear'): ScimUserUpdate {
  if (input.managerId !== undefined && input.managerId !== null && input.managerId === current.id) {
    throw badRequest('invalidValue', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager: a user cannot be their own manager.');
  }
  const clearable = <T>(value: T | null | undefined, now: T | null): T | null => (value === undefined ? (absent === 'keep' ? now : null) : value);
  const next: ScimUserFields = {
    email: input.email,
    displayName: input.displayName ?? (absent === 'keep' ? current.displayName : input.email.split('@')[0]!),
    givenName: clearable(input.givenName, current.givenName),
    familyName: clearable(input.familyName, current.familyName),
    locale: input.locale ?? current.locale,
    active: input.active ?? current.active,
    externalId: clearable(input.externalId, current.externalId),
    department: clearable(input.department, current.department),
    managerId: clearable(input.managerId, current.managerId),
  };
  return { next, changes: userChanges(current, next) };
}

export function userChanges(current: ScimUserFields, next: ScimUserFields): ScimUserChanges {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(next) as Array<keyof ScimUserFields>) {
    if (next[key] !== current[key]) changes[key] = next[key];
  }
  return changes as ScimUserChanges;
}
