/**
 * Manabi group ⇄ SCIM Group. A group is what the identity provider pushes (Entra's assigned
 * groups, Okta's Push Groups); its members are Manabi users by public id, and configured group
 * names give a role (roles.ts). No nested groups: a member of type Group is refused.
 */
import { z } from 'astro/zod';
import { canonicalSchema } from './attributes.ts';
import { canonicalBody } from './canonical.ts';
import { GROUP_SCHEMA, MAX_GROUP_MEMBERS, MAX_GROUP_NAME_LENGTH } from './constants.ts';
import { scimBaseUrl } from './discovery.ts';
import { badRequest } from './errors.ts';
import { hasInvisibleCharacters, normalizeDisplayName } from './manabi-rules.ts';
import type { ManabiScimGroup, ScimGroupFields, ScimGroupUpdate } from './model.ts';
import { opaqueId, zodToScimError } from './user-input.ts';

export interface ScimGroup {
  schemas: [typeof GROUP_SCHEMA];
  id: string;
  externalId?: string;
  displayName: string;
  members?: Array<{ value: string; $ref: string; display: string; type: 'User' }>;
  meta: { resourceType: 'Group'; created: string; lastModified: string; location: string };
}

/** `members: false` for `excludedAttributes=members`, which Entra sends on every group read. */
export function toScimGroup(group: ManabiScimGroup, baseUrl: string, options: { members?: boolean } = {}): ScimGroup {
  const base = scimBaseUrl(baseUrl);
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    ...(group.externalId !== null && { externalId: group.externalId }),
    displayName: group.displayName,
    ...(options.members !== false && {
      members: group.members.map((m) => ({ value: m.id, $ref: `${base}/Users/${encodeURIComponent(m.id)}`, display: m.displayName, type: 'User' as const })),
    }),
    meta: {
      resourceType: 'Group',
      created: group.created.toISOString(),
      lastModified: group.updated.toISOString(),
      location: `${base}/Groups/${encodeURIComponent(group.id)}`,
    },
  };
}

const groupName = z
  .string()
  .refine((value) => !hasInvisibleCharacters(value), 'must not contain invisible, control or bidi characters')
  .transform(normalizeDisplayName)
  .refine((value) => value.length > 0, 'is required')
  .refine((value) => [...value].length <= MAX_GROUP_NAME_LENGTH, `must be at most ${MAX_GROUP_NAME_LENGTH} characters`);

const memberId = opaqueId.refine((value) => value !== null, 'is required') as z.ZodType<string>;

export const member = z.strictObject({
  value: memberId,
  type: z
    .string()
    .max(20)
    .refine((value) => value.toLowerCase() === 'user', 'must be User (Manabi has no nested groups)')
    .nullable()
    .optional(),
});

const groupBody = z.strictObject({
  schemas: z.array(z.string().max(200)).max(20),
  displayName: groupName,
  externalId: opaqueId.optional(),
  members: z.union([z.null(), z.array(member).max(MAX_GROUP_MEMBERS)]).optional(),
});

export interface ScimGroupInput {
  displayName: string;
  externalId: string | null | undefined;
  /** undefined when the body did not list members. */
  memberIds: string[] | undefined;
}

export function parseGroupBody(body: unknown): ScimGroupInput {
  const canonical = canonicalBody(body, 'Group');
  const declared = Array.isArray(canonical.schemas) ? canonical.schemas : [];
  if (!declared.some((s) => typeof s === 'string' && canonicalSchema(s, 'Group') === GROUP_SCHEMA)) {
    throw badRequest('invalidSyntax', `schemas must include ${GROUP_SCHEMA}.`);
  }
  const parsed = groupBody.safeParse(canonical);
  if (!parsed.success) throw zodToScimError(parsed.error);
  const { displayName, externalId, members } = parsed.data;
  return { displayName, externalId, memberIds: members === undefined ? undefined : unique((members ?? []).map((m) => m.value)) };
}

/** POST /Groups (Entra creates groups empty; Okta sends `members: []`). */
export function parseGroupCreate(body: unknown): ScimGroupFields {
  const input = parseGroupBody(body);
  return { displayName: input.displayName, externalId: input.externalId ?? null, memberIds: input.memberIds ?? [] };
}

/** PUT /Groups/<id> (Okta's AIW integrations): members listed replace the members; absent keeps them. */
export function parseGroupReplace(current: ManabiScimGroup, body: unknown): ScimGroupUpdate {
  const input = parseGroupBody(body);
  return groupUpdate(current, {
    displayName: input.displayName,
    externalId: input.externalId === undefined ? current.externalId : input.externalId,
    memberIds: input.memberIds ?? current.members.map((m) => m.id),
  });
}

export function groupUpdate(current: ManabiScimGroup, next: ScimGroupFields): ScimGroupUpdate {
  const before = new Set(current.members.map((m) => m.id));
  const after = new Set(next.memberIds);
  const changes: ScimGroupUpdate['changes'] = {};
  if (next.displayName !== current.displayName) changes.displayName = next.displayName;
  if (next.externalId !== current.externalId) changes.externalId = next.externalId;
  return {
    next,
    changes,
    added: next.memberIds.filter((id) => !before.has(id)),
    removed: current.members.map((m) => m.id).filter((id) => !after.has(id)),
  };
}

export function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}
