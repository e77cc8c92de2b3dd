/**
 * The Manabi side of provisioning, as plain data: what the database layer reads into these
 * shapes and writes back from them. Ids are Manabi's opaque public ids (never row ids or emails);
 * a manager and group members are referred to by those ids, as SCIM's `value`s are.
 */
import type { ManabiLocale } from './manabi-rules.ts';

/** What SCIM may write on a user. */
export interface ScimUserFields {
  /** Normalised (src/platform/input/email.ts); SCIM's userName and the one entry of `emails`. */
  email: string;
  displayName: string;
  givenName: string | null;
  familyName: string | null;
  locale: ManabiLocale;
  active: boolean;
  externalId: string | null;
  /** Department name, NFKC-normalised (src/platform/input/text.ts); the database layer creates it if missing. */
  department: string | null;
  /** The manager's public id. */
  managerId: string | null;
}

export interface ManabiScimUser extends ScimUserFields {
  /** The user's public id: SCIM's `id`. */
  id: string;
  /** Shown as `manager.displayName`; null when there is no manager. */
  managerDisplayName: string | null;
  groups: Array<{ id: string; displayName: string }>;
  created: Date;
  updated: Date;
}

/** The fields a request changed (only those whose value differs); `{}` when it changed nothing. */
export type ScimUserChanges = Partial<ScimUserFields>;

export interface ScimUserUpdate {
  next: ScimUserFields;
  changes: ScimUserChanges;
}

export interface ScimGroupFields {
  displayName: string;
  externalId: string | null;
  /** Public ids of the member users, without duplicates, in the order received. */
  memberIds: string[];
}

export interface ManabiScimGroup {
  id: string;
  displayName: string;
  externalId: string | null;
  members: Array<{ id: string; displayName: string }>;
  created: Date;
  updated: Date;
}

export interface ScimGroupUpdate {
  next: ScimGroupFields;
  changes: Partial<Pick<ScimGroupFields, 'displayName' | 'externalId'>>;
  added: string[];
  removed: string[];
}
