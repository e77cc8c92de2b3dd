/**
 * PatchOp requests (RFC 7644 §3.5.2) → operations scim-patch applies safely. Every path is
 * resolved here first, against Manabi's attributes: case-insensitive names and URNs, Entra's
 * capitalised ops and bare `manager`, no-path values (with dotted and URN-qualified keys) turned
 * into one operation per attribute, values normalised (`manager` as a string, an object or a
 * one-item list; members as `{ value }`). Unknown paths are `invalidPath`, read-only ones
 * `mutability`, attributes Manabi does not keep are skipped, a password is refused. scim-patch
 * never sees a key that is not one of Manabi's attribute names (it would write `__proto__`).
 */
import { stringify, type Filter } from 'scim2-parse-filter';
import { findAttribute, findSubAttribute, isExtension, splitSchema, type AttributeSpec, type ResourceKind } from './attributes.ts';
import { canonicalValue, isPlainObject, PASSWORD_REFUSED } from './canonical.ts';
import { ENTERPRISE_USER_SCHEMA, MAX_PATCH_OPERATIONS, PATCH_OP_MESSAGE } from './constants.ts';
import { badRequest, isScimError, quote } from './errors.ts';
import { parseFilterText } from './filter.ts';
import { member } from './group-resource.ts';

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  op: PatchOpName;
  path?: string;
  value?: unknown;
}

const PATH_SHAPE = /^([^[\].]+)(?:\[(.+)\])?(?:\.([^[\].]+))?$/s;
const MAX_PATH_LENGTH = 1_000;

function keyOf(object: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(object).find((key) => key.toLowerCase() === name.toLowerCase());
}

/** The envelope: `schemas` with the PatchOp URN, 1 to 1,000 `Operations` (names case-insensitive). */
export function parsePatchBody(body: unknown): Array<{ op: PatchOpName; path: string | null; value: unknown; hasValue: boolean }> {
  if (!isPlainObject(body)) throw badRequest('invalidSyntax', 'The request body must be a JSON object.');
  const schemas = body[keyOf(body, 'schemas') ?? 'schemas'];
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_MESSAGE.toLowerCase())) {
    throw badRequest('invalidSyntax', `schemas must include ${PATCH_OP_MESSAGE}.`);
  }
  const operations = body[keyOf(body, 'Operations') ?? 'Operations'];
  if (!Array.isArray(operations) || operations.length === 0) throw badRequest('invalidSyntax', 'Operations must be a non-empty list.');
  if (operations.length > MAX_PATCH_OPERATIONS) throw badRequest('invalidSyntax', `At most ${MAX_PATCH_OPERATIONS} operations per request.`);
  return operations.map((operation, index) => {
    if (!isPlainObject(operation)) throw badRequest('invalidSyntax', `Operations[${index}] must be an object.`);
    const opKey = keyOf(operation, 'op');
    const pathKey = keyOf(operation, 'path');
    const valueKey = keyOf(operation, 'value');
    const op = opKey === undefined ? undefined : operation[opKey];
    const name = typeof op === 'string' ? op.toLowerCase() : null;
    if (name !== 'add' && name !== 'replace' && name !== 'remove') {
      throw badRequest('invalidSyntax', `Operations[${index}].op must be add, replace or remove, not ${quote(op)}.`);
    }
    const path = pathKey === undefined ? null : operation[pathKey];
    if (path !== null && (typeof path !== 'string' || path.length > MAX_PATH_LENGTH)) {
      throw badRequest('invalidPath', `Operations[${index}].path must be a string of at most ${MAX_PATH_LENGTH} characters.`);
    }
    const hasValue = valueKey !== undefined;
    if (name !== 'remove' && !hasValue) throw badRequest('invalidSyntax', `Operations[${index}]: ${name} needs a value.`);
    if (name === 'remove' && (path === null || path.trim() === '')) throw badRequest('noTarget', `Operations[${index}]: remove needs a path.`);
    return { op: name, path: path === null || path.trim() === '' ? null : path.trim(), value: hasValue ? operation[valueKey] : undefined, hasValue };
  });
}

interface Context {
  kind: ResourceKind;
  currentId: string;
  out: PatchOperation[];
}

/** Resolves the operations of a parsed envelope for a User or a Group with id `currentId`. */
export function resolveOperations(kind: ResourceKind, operations: ReturnType<typeof parsePatchBody>, currentId: string): PatchOperation[] {
  const context: Context = { kind, currentId, out: [] };
  for (const operation of operations) {
    if (operation.path !== null) {
      emit(context, operation.op, operation.path, operation.value, false);
      continue;
    }
    if (!isPlainObject(operation.value)) throw badRequest('invalidSyntax', `${operation.op} without a path needs an object of attributes as its value.`);
    for (const [key, value] of Object.entries(operation.value)) emit(context, operation.op, key, value, true);
  }
  return context.out;
}

function emit(context: Context, op: PatchOpName, path: string, value: unknown, fromValue: boolean): void {
  const { kind } = context;
  const prefix = splitSchema(path, kind);
  if (prefix === null) throw badRequest('invalidPath', `Unknown schema in path ${quote(path)}.`);
  if (prefix.rest === '') return emitSchemaObject(context, op, prefix.schema!, value, path);
  const shape = PATH_SHAPE.exec(prefix.rest);
  if (!shape) throw badRequest('invalidPath', `The path ${quote(path)} is not an attribute path.`);
  const [, attributeName, filterText, subName] = shape as unknown as [string, string, string | undefined, string | undefined];
  const found = findAttribute(kind, prefix.schema, attributeName);
  if (!found) throw badRequest('invalidPath', `Unknown attribute ${quote(attributeName)} in path ${quote(path)}.`);
  const { schema, attribute } = found;
  if (attribute.status === 'refused') throw badRequest('invalidValue', PASSWORD_REFUSED);
  if (attribute.status === 'readOnly') {
    // In a no-path value read-only attributes are skipped (Okta's group rename sends the group's own
    // id); a different id, or a path naming one, is an attempt to change it.
    if (fromValue && (attribute.name !== 'id' || value === context.currentId)) return;
    throw badRequest('mutability', `${attribute.name} is read-only.`);
  }
  // Attributes Manabi does not keep are skipped whatever follows them (phoneNumbers[type eq "work"].value).
  if (attribute.status === 'ignored') return;
  const sub = subName === undefined ? null : findSubAttribute(attribute, subName);
  if (subName !== undefined && sub === null) throw badRequest('invalidPath', `${attribute.name} has no sub-attribute ${quote(subName)}.`);
  if (filterText !== undefined && !attribute.multiValued) throw badRequest('invalidPath', `${attribute.name} is single-valued: it takes no filter.`);
  if (attribute.name === 'members') return emitMembers(context, op, filterText, sub, value);
  if (sub?.status === 'ignored') return;
  // A null or empty value clears the attribute, whatever the op.
  if (op !== 'remove' && (value === null || value === '') && filterText === undefined) op = 'remove';
  // A filtered element without a sub-attribute is replaced or extended by an object; scim-patch throws a TypeError on anything else.
  if (op !== 'remove' && filterText !== undefined && sub === null && !isPlainObject(value))
    throw badRequest('invalidValue', `${attribute.name}[…] takes an object of sub-attributes.`);

  const base = isExtension(schema) ? `${schema}:${attribute.name}` : attribute.name;
  if (attribute.name === 'manager') return emitManager(context, op, base, sub, value);
  if (attribute.sub !== null && !attribute.multiValued && sub === null && op !== 'remove') {
    if (!isPlainObject(value)) throw badRequest('invalidValue', `${attribute.name} takes an object of sub-attributes.`);
    for (const [key, item] of Object.entries(value)) emit(context, op, `${base}.${key}`, item, fromValue);
    return;
  }
  const filter = filterText === undefined ? '' : `[${canonicalFilter(attribute, filterText, path)}]`;
  const target = `${base}${filter}${sub ? `.${sub.name}` : ''}`;
  if (op === 'remove' && (value === undefined || value === null)) context.out.push({ op, path: target });
  else
    context.out.push({
      op,
      path: target,
      value: attribute.multiValued && sub === null && filterText === undefined ? list(attribute, value) : canonicalValue(attribute, value, attribute.name),
    });
}

/** The enterprise URN as a path or a no-path key: its object's attributes, one by one. */
function emitSchemaObject(context: Context, op: PatchOpName, schema: string, value: unknown, path: string): void {
  if (!isExtension(schema)) {
    if (op === 'remove' || !isPlainObject(value)) throw badRequest('invalidPath', `The path ${quote(path)} names the whole resource.`);
    for (const [key, item] of Object.entries(value)) emit(context, op, key, item, true);
    return;
  }
  if (op === 'remove' || value === null) {
    context.out.push({ op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:department` }, { op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:manager` });
    return;
  }
  if (!isPlainObject(value)) throw badRequest('invalidValue', `${quote(path)} takes an object.`);
  for (const [key, item] of Object.entries(value)) emit(context, op, `${schema}:${key}`, item, true);
}

/** Entra sends the manager as "<id>", `{ "value": "<id>" }` or `[{ "$ref": …, "value": "<id>" }]`. */
function emitManager(context: Context, op: PatchOpName, base: string, sub: AttributeSpec | null, value: unknown): void {
  if (op === 'remove') {
    context.out.push({ op: 'remove', path: base });
    return;
  }
  let id: unknown = value;
  if (sub === null) {
    const single = Array.isArray(value) && value.length === 1 ? value[0] : value;
    id = isPlainObject(single) ? single[keyOf(single, 'value') ?? 'value'] : single;
  }
  if (id === null || id === '' || id === undefined) {
    context.out.push({ op: 'remove', path: base });
    return;
  }
  if (typeof id !== 'string') throw badRequest('invalidValue', 'manager takes the manager’s id as a string or as { "value": "<id>" }.');
  context.out.push({ op: 'replace', path: `${base}.value`, value: id });
}

/** Members become `{ value }` so that scim-patch's equality finds them; a nested group is refused. */
function memberValues(value: unknown): Array<{ value: string }> {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    const parsed = member.safeParse(isPlainObject(item) ? canonicalMember(item) : item);
    if (!parsed.success) throw badRequest('invalidValue', `members: each member is { "value": "<user id>" } (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
    return { value: parsed.data.value };
  });
}

function canonicalMember(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ['value', 'type']) {
    const key = keyOf(item, name);
    if (key !== undefined) out[name] = item[key];
  }
  return out;
}

function emitMembers(context: Context, op: PatchOpName, filterText: string | undefined, sub: AttributeSpec | null, value: unknown): void {
  if (sub !== null || (filterText !== undefined && op !== 'remove')) {
    throw badRequest('mutability', 'members are added or removed whole; a member’s attributes cannot be changed.');
  }
  if (filterText !== undefined) {
    context.out.push({ op: 'remove', path: 'members', value: memberFilterValues(filterText) });
    return;
  }
  if (op === 'remove' && (value === undefined || value === null)) context.out.push({ op, path: 'members' });
  else context.out.push({ op, path: 'members', value: memberValues(value) });
}

/** `members[value eq "a"]`, `members[value eq "a" or value eq "b"]` → the ids. Other filters are refused. */
function memberFilterValues(filterText: string): Array<{ value: string }> {
  const ids: string[] = [];
  const collect = (node: Filter): void => {
    if (node.op === 'or') return node.filters.forEach(collect);
    if (node.op === 'eq' && node.attrPath.toLowerCase() === 'value' && typeof node.compValue === 'string') {
      ids.push(node.compValue);
      return;
    }
    throw badRequest('invalidPath', 'members paths take [value eq "<user id>"] (or several joined with or).');
  };
  collect(parsePathFilter(filterText));
  return memberValues(ids.map((id) => ({ value: id })));
}

function parsePathFilter(filterText: string): Filter {
  try {
    return parseFilterText(filterText);
  } catch (error) {
    if (isScimError(error)) throw badRequest('invalidPath', error.message);
    throw error;
  }
}

/** `type eq "Work"` → `type eq "work"` with canonical sub-attribute names; only eq/and/or on known sub-attributes. */
function canonicalFilter(attribute: AttributeSpec, filterText: string, path: string): string {
  const rewrite = (node: Filter): Filter => {
    if (node.op === 'and' || node.op === 'or') return { op: node.op, filters: node.filters.map(rewrite) };
    if (node.op !== 'eq') throw badRequest('invalidPath', `Path filters take eq, and, or (${quote(path)}).`);
    const sub = findSubAttribute(attribute, node.attrPath);
    if (!sub) throw badRequest('invalidPath', `${attribute.name} has no sub-attribute ${quote(node.attrPath)}.`);
    const value = sub.name === 'type' && typeof node.compValue === 'string' ? node.compValue.toLowerCase() : node.compValue;
    return { op: 'eq', attrPath: sub.name, compValue: value };
  };
  const text = stringify(rewrite(parsePathFilter(filterText)));
  // scim-patch splits a path at its last ':' to find a schema URN; a ':' inside the filter would mislead it.
  if (text.includes(':')) throw badRequest('invalidPath', `Path filter values cannot contain ':' (${quote(path)}).`);
  return text;
}

function list(attribute: AttributeSpec, value: unknown): unknown {
  const items = Array.isArray(value) ? value : [value];
  return canonicalValue(attribute, items, attribute.name);
}
