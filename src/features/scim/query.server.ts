/**
 * ScimQuery (filter.ts) → a parameterised Drizzle condition: values are always bound
 * parameters, never SQL text. Only functions SQLite and PostgreSQL share (lower, substr,
 * length, replace), so the same condition runs on both: `co` is "replacing the value changes
 * the text", `sw`/`ew` compare a substring, case-insensitive compares are on lower() of both sides.
 */
import { and, eq, isNotNull, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { scimGroupMembers, scimGroups, users } from '../../../db/schema/index.ts';
import type { GroupQueryAttribute, QueryOperator, ScimQuery, UserQueryAttribute } from './filter.ts';

type Column = SQLWrapper;

const ALWAYS = sql`1 = 1`;
const NEVER = sql`1 = 0`;

/** `column <operator> value`, on lower() of both sides unless `caseExact`. */
function textCompare(column: Column, operator: QueryOperator, value: string, caseExact: boolean): SQL {
  const left = caseExact ? sql`${column}` : sql`lower(${column})`;
  const right = caseExact ? value : value.toLowerCase();
  const length = [...right].length;
  switch (operator) {
    case 'eq':
      return sql`${left} = ${right}`;
    case 'sw':
      return sql`substr(${left}, 1, ${length}) = ${right}`;
    case 'ew':
      return sql`(length(${left}) >= ${length} and substr(${left}, length(${left}) - ${length} + 1) = ${right})`;
    case 'co':
      return length === 0 ? sql`${column} is not null` : sql`replace(${left}, ${right}, '') <> ${left}`;
  }
}

function combine(kind: 'and' | 'or', parts: SQL[]): SQL {
  return (kind === 'and' ? and(...parts) : or(...parts)) ?? ALWAYS;
}

function userColumn(attribute: Exclude<UserQueryAttribute, 'active' | 'manager.value'>): Column {
  switch (attribute) {
    case 'id':
      return users.publicId;
    case 'userName':
    case 'emails.value':
      return users.email;
    case 'externalId':
      return users.externalId;
    case 'displayName':
      return users.displayName;
  }
}

type Leaf<A extends string> = Extract<ScimQuery<A>, { kind: 'present' | 'compare' }>;

/** A filter's condition: `all`, `none`, `and` and `or` the same for every resource, its leaves by `leaf`. */
function conditionOf<A extends string>(query: ScimQuery<A>, leaf: (query: Leaf<A>) => SQL): SQL {
  switch (query.kind) {
    case 'all':
      return ALWAYS;
    case 'none':
      return NEVER;
    case 'and':
    case 'or':
      return combine(
        query.kind,
        query.filters.map((f) => conditionOf(f, leaf)),
      );
    default:
      return leaf(query);
  }
}

/** The users a filter selects (erased users are left out by the caller). */
export function userCondition(query: ScimQuery<UserQueryAttribute>): SQL {
  return conditionOf(query, (leaf) => {
    if (leaf.kind === 'present') {
      if (leaf.attribute === 'externalId') return isNotNull(users.externalId);
      if (leaf.attribute === 'manager.value') return isNotNull(users.managerId);
      return ALWAYS;
    }
    if (leaf.attribute === 'active') return typeof leaf.value === 'boolean' && leaf.operator === 'eq' ? eq(users.active, leaf.value) : NEVER;
    if (typeof leaf.value !== 'string') return NEVER;
    if (leaf.attribute === 'manager.value') {
      // The inner "users" shadows the outer one for the unqualified names (standard SQL scoping).
      const manager = textCompare(sql`"public_id"`, leaf.operator, leaf.value, true);
      return sql`${users.managerId} in (select "id" from "users" where "erased_at" is null and ${manager})`;
    }
    return textCompare(userColumn(leaf.attribute), leaf.operator, leaf.value, leaf.caseExact);
  });
}

export function groupCondition(query: ScimQuery<GroupQueryAttribute>): SQL {
  return conditionOf(query, (leaf) => {
    if (leaf.kind === 'present') {
      if (leaf.attribute === 'externalId') return isNotNull(scimGroups.externalId);
      if (leaf.attribute === 'members.value') return sql`exists (select 1 from ${scimGroupMembers} where ${scimGroupMembers.groupId} = ${scimGroups.id})`;
      return ALWAYS;
    }
    if (typeof leaf.value !== 'string') return NEVER;
    if (leaf.attribute === 'members.value') {
      const member = textCompare(users.publicId, leaf.operator, leaf.value, true);
      return sql`exists (select 1 from ${scimGroupMembers} join ${users} on ${users.id} = ${scimGroupMembers.userId} where ${scimGroupMembers.groupId} = ${scimGroups.id} and ${users.erasedAt} is null and ${member})`;
    }
    const column = leaf.attribute === 'id' ? scimGroups.publicId : leaf.attribute === 'externalId' ? scimGroups.externalId : scimGroups.displayName;
    return textCompare(column, leaf.operator, leaf.value, leaf.caseExact);
  });
}
