/**
 * PATCH /Users/<id> and /Groups/<id>: the resolved operations applied with scim-patch to the
 * resource as SCIM sees it, and the result validated exactly as a PUT body is — so a PATCH can
 * never store what a POST would refuse. The request is atomic (RFC 7644 §3.5.2): one bad
 * operation and nothing is applied. A PATCH that changes nothing gives `changes: {}`.
 */
import { NoTarget, InvalidScimPatchRequest, ScimError as LibraryScimError, scimPatch, type ScimPatchOperation } from 'scim-patch';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './constants.ts';
import { badRequest } from './errors.ts';
import { groupUpdate, parseGroupBody } from './group-resource.ts';
import type { ManabiScimGroup, ManabiScimUser, ScimGroupUpdate, ScimUserFields, ScimUserUpdate } from './model.ts';
import { parsePatchBody, resolveOperations, type PatchOperation } from './patch-operations.ts';
import { parseUserBody } from './user-input.ts';
import { mergeUser } from './user-resource.ts';

interface Document {
  schemas: string[];
  id: string;
  meta: { created: Date; lastModified: Date };
  [attribute: string]: unknown;
}

/** The user as the operations see it. Language is left out, so that removing it keeps it and setting either attribute counts. */
function userDocument(user: ManabiScimUser): Document {
  const name: Record<string, string> = {};
  if (user.givenName !== null) name.givenName = user.givenName;
  if (user.familyName !== null) name.familyName = user.familyName;
  const enterprise: Record<string, unknown> = {};
  if (user.department !== null) enterprise.department = user.department;
  if (user.managerId !== null) enterprise.manager = { value: user.managerId };
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    id: user.id,
    meta: { created: user.created, lastModified: user.updated },
    userName: user.email,
    ...(user.externalId !== null && { externalId: user.externalId }),
    displayName: user.displayName,
    ...(Object.keys(name).length > 0 && { name }),
    emails: [{ value: user.email, type: 'work', primary: true }],
    active: user.active,
    [ENTERPRISE_USER_SCHEMA]: enterprise,
  };
}

function groupDocument(group: ManabiScimGroup): Document {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    meta: { created: group.created, lastModified: group.updated },
    displayName: group.displayName,
    ...(group.externalId !== null && { externalId: group.externalId }),
    members: group.members.map((m) => ({ value: m.id })),
  };
}

/** scim-patch's own errors become SCIM errors; anything else is a bug here and is not hidden. */
function apply(document: Document, operations: PatchOperation[]): Record<string, unknown> {
  try {
    return scimPatch(document, operations as ScimPatchOperation[], { mutateDocument: false, treatMissingAsAdd: true });
  } catch (error) {
    if (error instanceof NoTarget) throw badRequest('noTarget', 'No value matches the path filter.');
    if (error instanceof InvalidScimPatchRequest) throw badRequest('invalidSyntax', error.message.slice(0, 200));
    if (error instanceof LibraryScimError) throw badRequest('invalidValue', `The operation cannot be applied (${error.message.slice(0, 160)}).`);
    throw error;
  }
}

export function applyUserPatch(current: ManabiScimUser, body: unknown): ScimUserUpdate {
  const operations = resolveOperations('User', parsePatchBody(body), current.id);
  // Only attributes Manabi does not keep (title, phone numbers…): nothing to apply.
  if (operations.length === 0) return { next: fieldsOf(current), changes: {} };
  const patched = apply(userDocument(current), operations);
  return mergeUser(current, parseUserBody(patched), 'clear');
}

export function applyGroupPatch(current: ManabiScimGroup, body: unknown): ScimGroupUpdate {
  const operations = resolveOperations('Group', parsePatchBody(body), current.id);
  const patched = operations.length === 0 ? groupDocument(current) : apply(groupDocument(current), operations);
  const input = parseGroupBody(patched);
  return groupUpdate(current, {
    displayName: input.displayName,
    externalId: input.externalId ?? null,
    memberIds: input.memberIds ?? [],
  });
}

function fieldsOf(user: ManabiScimUser): ScimUserFields {
  const { email, displayName, givenName, familyName, locale, active, externalId, department, managerId } = user;
  return { email, displayName, givenName, familyName, locale, active, externalId, department, managerId };
}
