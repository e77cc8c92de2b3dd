/**
 * Which SCIM attributes Manabi keeps, which it knows but ignores (RFC 7643 defines them, Manabi
 * has nowhere to put them: Entra's default mapping sends title, phone numbers and addresses), which
 * are read-only, and the one it refuses (password). Names and schema URNs are matched
 * case-insensitively (RFC 7643 §2.1, §3) and resolved here once for bodies, PATCH paths and filters.
 */
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './constants.ts';

export type ResourceKind = 'User' | 'Group';
export type AttributeStatus = 'kept' | 'ignored' | 'readOnly' | 'refused';

export interface AttributeSpec {
  name: string;
  status: AttributeStatus;
  multiValued: boolean;
  /** Sub-attributes of a complex attribute, by lower-case name. */
  sub: Map<string, AttributeSpec> | null;
}

function spec(name: string, status: AttributeStatus, options: { multiValued?: boolean; sub?: AttributeSpec[] } = {}): AttributeSpec {
  const sub = options.sub ? new Map(options.sub.map((s) => [s.name.toLowerCase(), s])) : null;
  return { name, status, multiValued: options.multiValued ?? false, sub };
}

const kept = (name: string): AttributeSpec => spec(name, 'kept');
const ignored = (name: string, multiValued = false): AttributeSpec => spec(name, 'ignored', { multiValued });
const readOnly = (name: string): AttributeSpec => spec(name, 'readOnly');

function table(specs: AttributeSpec[]): Map<string, AttributeSpec> {
  return new Map(specs.map((s) => [s.name.toLowerCase(), s]));
}

const USER_ATTRIBUTES = table([
  kept('userName'),
  kept('externalId'),
  kept('displayName'),
  spec('name', 'kept', {
    sub: [kept('givenName'), kept('familyName'), kept('formatted'), ignored('middleName'), ignored('honorificPrefix'), ignored('honorificSuffix')],
  }),
  spec('emails', 'kept', { multiValued: true, sub: [kept('value'), kept('type'), kept('primary'), ignored('display')] }),
  kept('active'),
  kept('preferredLanguage'),
  kept('locale'),
  spec('password', 'refused'),
  readOnly('id'),
  readOnly('meta'),
  readOnly('groups'),
  readOnly('schemas'),
  ...['nickName', 'profileUrl', 'title', 'userType', 'timezone'].map((n) => ignored(n)),
  ...['phoneNumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509Certificates'].map((n) => ignored(n, true)),
]);

const ENTERPRISE_ATTRIBUTES = table([
  kept('department'),
  spec('manager', 'kept', { sub: [kept('value'), ignored('$ref'), ignored('displayName')] }),
  ...['employeeNumber', 'costCenter', 'organization', 'division'].map((n) => ignored(n)),
]);

const GROUP_ATTRIBUTES = table([
  kept('displayName'),
  kept('externalId'),
  spec('members', 'kept', { multiValued: true, sub: [kept('value'), kept('type'), ignored('display'), ignored('$ref')] }),
  readOnly('id'),
  readOnly('meta'),
  readOnly('schemas'),
]);

const SCHEMAS: Record<ResourceKind, Array<{ urn: string; attributes: Map<string, AttributeSpec> }>> = {
  User: [
    { urn: USER_SCHEMA, attributes: USER_ATTRIBUTES },
    { urn: ENTERPRISE_USER_SCHEMA, attributes: ENTERPRISE_ATTRIBUTES },
  ],
  Group: [{ urn: GROUP_SCHEMA, attributes: GROUP_ATTRIBUTES }],
};

/** The schema URN a name starts with, in its canonical spelling, and what follows it. */
export interface SchemaPrefix {
  /** Null when the name has no URN (the core schema, or an enterprise name Entra sends bare). */
  schema: string | null;
  rest: string;
}

/**
 * Splits a known schema URN off `raw` ("urn:…:enterprise:2.0:User:department" → enterprise,
 * "department"). Returns null for a URN this resource does not have.
 */
export function splitSchema(raw: string, kind: ResourceKind): SchemaPrefix | null {
  const lower = raw.toLowerCase();
  if (!lower.startsWith('urn:')) return { schema: null, rest: raw };
  // Longest first: the enterprise URN is not a prefix of the core one, but keep it robust.
  const candidates = [...SCHEMAS[kind]].sort((a, b) => b.urn.length - a.urn.length);
  for (const { urn } of candidates) {
    const u = urn.toLowerCase();
    if (lower === u) return { schema: urn, rest: '' };
    if (lower.startsWith(`${u}:`)) return { schema: urn, rest: raw.slice(urn.length + 1) };
  }
  return null;
}

export interface ResolvedAttribute {
  schema: string;
  attribute: AttributeSpec;
}

/**
 * An attribute by name within `schema`, or — without a URN — in the core schema first, then in
 * the enterprise extension (Entra's PATCH uses a bare `manager`).
 */
export function findAttribute(kind: ResourceKind, schema: string | null, name: string): ResolvedAttribute | null {
  const key = name.toLowerCase();
  for (const entry of SCHEMAS[kind]) {
    if (schema !== null && entry.urn !== schema) continue;
    const attribute = entry.attributes.get(key);
    if (attribute) return { schema: entry.urn, attribute };
  }
  return null;
}

export function findSubAttribute(attribute: AttributeSpec, name: string): AttributeSpec | null {
  return attribute.sub?.get(name.toLowerCase()) ?? null;
}

/** Whether `schema` is an extension (its attributes live in an object named by the URN). */
export function isExtension(schema: string): boolean {
  return schema === ENTERPRISE_USER_SCHEMA;
}

/** The canonical URN for `value` when it names one of the resource's schemas, whatever its case. */
export function canonicalSchema(value: string, kind: ResourceKind): string | null {
  const found = SCHEMAS[kind].find((entry) => entry.urn.toLowerCase() === value.toLowerCase());
  return found ? found.urn : null;
}

/** Kept attributes, `schema:name` and `schema:name.sub`: what the Schemas document must describe. */
export function keptAttributeNames(kind: ResourceKind): string[] {
  const names: string[] = [];
  for (const entry of SCHEMAS[kind]) {
    for (const attribute of entry.attributes.values()) {
      if (attribute.status !== 'kept' || attribute.name === 'externalId') continue;
      names.push(`${entry.urn}:${attribute.name}`);
      for (const sub of attribute.sub?.values() ?? []) if (sub.status === 'kept') names.push(`${entry.urn}:${attribute.name}.${sub.name}`);
    }
  }
  return names;
}
