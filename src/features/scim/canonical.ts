/**
 * Bodies as identity providers send them → one canonical shape, before validation: attribute
 * names and schema URNs in their canonical spelling whatever the case, URN-qualified keys
 * (`urn:…:enterprise:2.0:User:department`) and dotted keys (`name.givenName`) put in place,
 * unknown attributes and unknown schemas (custom extensions, Entra's `…enterprise:2.0User`)
 * dropped, read-only ones dropped, and a `password` anywhere refused.
 */
import { findAttribute, findSubAttribute, isExtension, splitSchema, type AttributeSpec, type ResourceKind } from './attributes.ts';
import { badRequest, quote } from './errors.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type CanonicalBody = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const PASSWORD_REFUSED = 'Manabi does not accept passwords: people sign in with single sign-on. Turn off password sync for this application in the identity provider.';

/** A sub-attribute's value with canonical keys; unknown and ignored keys dropped. */
function canonicalComplex(attribute: AttributeSpec, value: Record<string, unknown>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const [key, item] of Object.entries(value)) {
    const sub = findSubAttribute(attribute, key);
    if (!sub || sub.status !== 'kept') continue;
    if (seen.has(sub.name)) throw badRequest('invalidSyntax', `${where}.${sub.name} is given twice.`);
    seen.add(sub.name);
    out[sub.name] = item;
  }
  return out;
}

/** The value of a kept attribute, with the keys of its complex values made canonical. */
export function canonicalValue(attribute: AttributeSpec, value: unknown, where: string): unknown {
  if (attribute.sub === null) return value;
  if (isPlainObject(value)) return canonicalComplex(attribute, value, where);
  if (Array.isArray(value)) return value.map((item) => (isPlainObject(item) ? canonicalComplex(attribute, item, where) : item));
  return value;
}

export interface PlacedName {
  schema: string;
  attribute: AttributeSpec;
  sub: AttributeSpec | null;
}

/**
 * Resolves a key or path without a filter (`displayName`, `name.givenName`, `urn:…:User:manager`).
 * Returns null for a name Manabi does not know; throws for a password.
 */
export function resolveName(raw: string, kind: ResourceKind, schema: string | null = null): PlacedName | 'schema' | null {
  const prefix = schema === null ? splitSchema(raw, kind) : { schema, rest: raw };
  if (prefix === null) return null;
  if (prefix.rest === '') return 'schema';
  const dot = prefix.rest.indexOf('.');
  const attributeName = dot === -1 ? prefix.rest : prefix.rest.slice(0, dot);
  const subName = dot === -1 ? null : prefix.rest.slice(dot + 1);
  const found = findAttribute(kind, prefix.schema, attributeName);
  if (!found) return null;
  if (found.attribute.status === 'refused') throw badRequest('invalidValue', PASSWORD_REFUSED);
  if (subName === null) return { schema: found.schema, attribute: found.attribute, sub: null };
  const sub = findSubAttribute(found.attribute, subName);
  return sub ? { schema: found.schema, attribute: found.attribute, sub } : null;
}

/**
 * A POST or PUT body in canonical form: core attributes at the top, the enterprise extension under
 * its URN, `schemas` kept for the check that the body says what it is.
 */
export function canonicalBody(body: unknown, kind: ResourceKind): CanonicalBody {
  if (!isPlainObject(body)) throw badRequest('invalidSyntax', 'The request body must be a JSON object.');
  const out: CanonicalBody = {};
  const seen = new Set<string>();
  place(out, body, kind, null, seen);
  return out;
}

function place(out: CanonicalBody, body: Record<string, unknown>, kind: ResourceKind, schema: string | null, seen: Set<string>): void {
  for (const [key, value] of Object.entries(body)) {
    const name = resolveName(key, kind, schema);
    if (name === null) continue;
    if (name === 'schema') {
      const urn = splitSchema(key, kind)?.schema ?? null;
      if (urn === null || value === null) continue;
      if (!isPlainObject(value)) throw badRequest('invalidValue', `${quote(key)} must be an object.`);
      place(out, value, kind, urn, seen);
      continue;
    }
    if (name.attribute.status === 'readOnly') {
      if (name.attribute.name === 'schemas' && schema === null) out.schemas = value;
      continue;
    }
    if (name.attribute.status !== 'kept' || (name.sub && name.sub.status !== 'kept')) continue;
    const target = isExtension(name.schema) ? extensionOf(out, name.schema) : out;
    const where = name.sub ? `${name.attribute.name}.${name.sub.name}` : name.attribute.name;
    const id = `${name.schema}:${where}`;
    if (seen.has(id) || (name.sub === null && [...seen].some((s) => s.startsWith(`${id}.`)))) {
      throw badRequest('invalidSyntax', `${where} is given twice.`);
    }
    seen.add(id);
    if (name.sub === null) {
      target[name.attribute.name] = canonicalValue(name.attribute, value, where);
      for (const sub of isPlainObject(target[name.attribute.name]) ? Object.keys(target[name.attribute.name] as object) : []) seen.add(`${id}.${sub}`);
    } else {
      const current = target[name.attribute.name];
      const parent = isPlainObject(current) ? current : {};
      parent[name.sub.name] = value;
      target[name.attribute.name] = parent;
    }
  }
}

function extensionOf(out: CanonicalBody, urn: string): Record<string, unknown> {
  const current = out[urn];
  if (isPlainObject(current)) return current;
  const created: Record<string, unknown> = {};
  out[urn] = created;
  return created;
}
