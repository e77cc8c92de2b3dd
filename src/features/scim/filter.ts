/**
 * `filter` (RFC 7644 §3.4.2.2) → a small query description a database layer translates into its
 * own safe query (parameters, never SQL text). Parsed by scim2-parse-filter; attribute names
 * case-insensitive and URN-qualified or not; `eq`, `co`, `sw`, `ew`, `pr`, `and`, `or` on the
 * attributes Manabi can look up. Anything else is a 400 `invalidFilter` with the reason.
 */
import { parse, type AttrExp, type Filter } from 'scim2-parse-filter';
import { findAttribute, findSubAttribute, splitSchema, type AttributeSpec, type ResourceKind } from './attributes.ts';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_FILTER_TERMS } from './constants.ts';
import { badRequest, quote, type ScimError } from './errors.ts';
import { normalizeEmail } from './manabi-rules.ts';

export type UserQueryAttribute = 'id' | 'userName' | 'externalId' | 'displayName' | 'emails.value' | 'active' | 'manager.value';
export type GroupQueryAttribute = 'id' | 'displayName' | 'externalId' | 'members.value';
export type QueryOperator = 'eq' | 'co' | 'sw' | 'ew';

export type ScimQuery<A extends string = UserQueryAttribute | GroupQueryAttribute> =
  /** `caseExact: false`: compare case-insensitively (userName and emails come already normalised, as stored). */
  | { kind: 'compare'; attribute: A; operator: QueryOperator; value: string | boolean; caseExact: boolean }
  | { kind: 'present'; attribute: A }
  | { kind: 'and' | 'or'; filters: ScimQuery<A>[] }
  /** Matches every resource / no resource (e.g. `emails[type eq "work"]`, `emails[type eq "home"]`: Manabi keeps one work address). */
  | { kind: 'all' }
  | { kind: 'none' };

interface Target {
  attribute: UserQueryAttribute | GroupQueryAttribute;
  type: 'string' | 'boolean';
  caseExact: boolean;
  email: boolean;
}

const USER_TARGETS: Record<string, Target> = {
  id: { attribute: 'id', type: 'string', caseExact: true, email: false },
  username: { attribute: 'userName', type: 'string', caseExact: false, email: true },
  externalid: { attribute: 'externalId', type: 'string', caseExact: true, email: false },
  displayname: { attribute: 'displayName', type: 'string', caseExact: false, email: false },
  emails: { attribute: 'emails.value', type: 'string', caseExact: false, email: true },
  'emails.value': { attribute: 'emails.value', type: 'string', caseExact: false, email: true },
  active: { attribute: 'active', type: 'boolean', caseExact: true, email: false },
  manager: { attribute: 'manager.value', type: 'string', caseExact: true, email: false },
  'manager.value': { attribute: 'manager.value', type: 'string', caseExact: true, email: false },
};

const GROUP_TARGETS: Record<string, Target> = {
  id: { attribute: 'id', type: 'string', caseExact: true, email: false },
  displayname: { attribute: 'displayName', type: 'string', caseExact: false, email: false },
  externalid: { attribute: 'externalId', type: 'string', caseExact: true, email: false },
  members: { attribute: 'members.value', type: 'string', caseExact: true, email: false },
  'members.value': { attribute: 'members.value', type: 'string', caseExact: true, email: false },
};

function invalid(detail: string): ScimError {
  return badRequest('invalidFilter', detail);
}

/** Parentheses and brackets outside quoted strings, deepest nesting. */
function nestingDepth(filter: string): number {
  let depth = 0;
  let deepest = 0;
  let quoted = false;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(' || c === '[') deepest = Math.max(deepest, ++depth);
    else if (c === ')' || c === ']') depth--;
  }
  return deepest;
}

/** The parsed filter, or a SCIM error: the library's messages become the detail, bounded. */
export function parseFilterText(filter: string): Filter {
  if (filter.length > MAX_FILTER_LENGTH) throw invalid(`The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  if (filter.trim() === '') throw invalid('The filter is empty.');
  if (nestingDepth(filter) > MAX_FILTER_DEPTH) throw invalid(`The filter nests deeper than ${MAX_FILTER_DEPTH} levels.`);
  try {
    return parse(filter);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 120) : 'unreadable';
    throw invalid(`The filter could not be read (${reason}). Quote string values: userName eq "a@example.com".`);
  }
}

export function parseUserFilter(filter: string): ScimQuery<UserQueryAttribute> {
  return translateFilter(filter, 'User') as ScimQuery<UserQueryAttribute>;
}

export function parseGroupFilter(filter: string): ScimQuery<GroupQueryAttribute> {
  return translateFilter(filter, 'Group') as ScimQuery<GroupQueryAttribute>;
}

function translateFilter(filter: string, kind: ResourceKind): ScimQuery {
  const ast = parseFilterText(filter);
  const counter = { terms: 0 };
  return translate(ast, kind, counter);
}

/** `urn:…:User:userName` → `username`; `urn:…:enterprise:2.0:User:manager.value` → `manager.value`. */
function targetOf(attrPath: string, kind: ResourceKind): Target {
  const prefix = splitSchema(attrPath, kind);
  if (prefix === null || prefix.rest === '') throw invalid(`Filtering on ${quote(attrPath)} is not supported.`);
  const targets = kind === 'User' ? USER_TARGETS : GROUP_TARGETS;
  const [name] = prefix.rest.split('.');
  const found = findAttribute(kind, prefix.schema, name ?? '');
  const target = found ? targets[prefix.rest.toLowerCase()] : undefined;
  if (!found || !target) throw invalid(`Filtering on ${quote(attrPath)} is not supported.`);
  return target;
}

function translate(node: Filter, kind: ResourceKind, counter: { terms: number }): ScimQuery {
  if (++counter.terms > MAX_FILTER_TERMS) throw invalid(`The filter has more than ${MAX_FILTER_TERMS} terms.`);
  switch (node.op) {
    case 'and':
    case 'or':
      return combine(
        node.op,
        node.filters.map((f) => translate(f, kind, counter)),
      );
    case '[]':
      return valuePath(node.attrPath, node.valFilter, kind, counter);
    case 'pr':
      return { kind: 'present', attribute: targetOf(node.attrPath, kind).attribute };
    case 'eq':
    case 'co':
    case 'sw':
    case 'ew':
      return compare(targetOf(node.attrPath, kind), node.op, node.compValue);
    case 'ne':
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
    case 'not':
      throw invalid(`The operator ${node.op} is not supported; use eq, co, sw, ew, pr, and, or.`);
    default:
      // The parser can return an unexpected `op` (e.g. the word "constructor" read as a logical operator).
      throw invalid('The filter could not be read.');
  }
}

function compare(target: Target, operator: QueryOperator, value: unknown): ScimQuery {
  if (target.type === 'boolean') {
    if (operator !== 'eq' || typeof value !== 'boolean') throw invalid(`${target.attribute} takes eq true or eq false.`);
    return { kind: 'compare', attribute: target.attribute, operator, value, caseExact: true };
  }
  if (typeof value !== 'string') throw invalid(`${target.attribute} is compared with a quoted string.`);
  const normalized = !target.email ? value : operator === 'eq' ? normalizeEmail(value) : value.normalize('NFKC').toLowerCase();
  return { kind: 'compare', attribute: target.attribute, operator, value: normalized, caseExact: target.caseExact };
}

/** `emails[type eq "work"]`, `members[value eq "…"]`: a filter on the values of a multi-valued attribute. */
function valuePath(attrPath: string, inner: Filter, kind: ResourceKind, counter: { terms: number }): ScimQuery {
  const prefix = splitSchema(attrPath, kind);
  const found = prefix && prefix.rest !== '' ? findAttribute(kind, prefix.schema, prefix.rest) : null;
  const name = found?.attribute.name;
  if (!found || (name !== 'emails' && name !== 'members')) throw invalid(`Filtering on values of ${quote(attrPath)} is not supported.`);
  return element(name, found.attribute, inner, kind, counter);
}

function element(name: 'emails' | 'members', attribute: AttributeSpec, node: Filter, kind: ResourceKind, counter: { terms: number }): ScimQuery {
  if (++counter.terms > MAX_FILTER_TERMS) throw invalid(`The filter has more than ${MAX_FILTER_TERMS} terms.`);
  if (node.op === 'and' || node.op === 'or')
    return combine(
      node.op,
      node.filters.map((f) => element(name, attribute, f, kind, counter)),
    );
  if (node.op === '[]' || node.op === 'not') throw invalid(`That filter on ${name} is not supported.`);
  return elementTerm(name, attribute, node as AttrExp, kind);
}

function elementTerm(name: 'emails' | 'members', attribute: AttributeSpec, node: AttrExp, kind: ResourceKind): ScimQuery {
  const sub = findSubAttribute(attribute, node.attrPath);
  if (!sub) throw invalid(`${name} has no sub-attribute ${quote(node.attrPath)}.`);
  if (sub.name === 'value') {
    const target = (kind === 'User' ? USER_TARGETS : GROUP_TARGETS)[`${name}.value`]!;
    if (node.op === 'pr') return { kind: 'present', attribute: target.attribute };
    if (node.op === 'eq' || node.op === 'co' || node.op === 'sw' || node.op === 'ew') return compare(target, node.op, node.compValue);
    throw invalid(`The operator ${node.op} is not supported; use eq, co, sw, ew, pr, and, or.`);
  }
  // Manabi keeps one address, of type work and primary, and members of type User: constants.
  const constant = name === 'emails' ? { type: 'work', primary: true } : { type: 'User' };
  const actual = (constant as Record<string, string | boolean>)[sub.name];
  if (actual === undefined) throw invalid(`Filtering ${name} on ${sub.name} is not supported.`);
  if (node.op === 'pr') return { kind: 'all' };
  if (node.op !== 'eq') throw invalid(`${name}.${sub.name} takes eq.`);
  const same = typeof actual === 'string' ? typeof node.compValue === 'string' && node.compValue.toLowerCase() === actual.toLowerCase() : node.compValue === actual;
  return same ? { kind: 'all' } : { kind: 'none' };
}

function combine(op: 'and' | 'or', filters: ScimQuery[]): ScimQuery {
  const absorbing = op === 'and' ? 'none' : 'all';
  const neutral = op === 'and' ? 'all' : 'none';
  if (filters.some((f) => f.kind === absorbing)) return { kind: absorbing };
  const rest = filters.filter((f) => f.kind !== neutral);
  if (rest.length === 0) return { kind: neutral };
  if (rest.length === 1) return rest[0]!;
  return { kind: op, filters: rest };
}
