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

/** The users a filter selects (erased users are left out by the caller). */
export function userCondition(query: ScimQuery<UserQueryAttribute>): SQL {
  switch (query.kind) {
    case 'all':
      return ALWAYS;
    case 'none':
      return NEVER;
    case 'and':
    case 'or':
      return combine(query.kind, query.filters.map(userCondition));
    case 'present':
      if (query.attribute === 'externalId') return isNotNull(users.externalId);
      if (query.attribute === 'manager.value') return isNotNull(users.managerId);
      return ALWAYS;
    case 'compare': {
      if (query.attribute === 'active') return typeof query.value === 'boolean' && query.operator === 'eq' ? eq(users.active, query.value) : NEVER;
      if (typeof query.value !== 'string') return NEVER;
      if (query.attribute === 'manager.value') {
        // The inner "users" shadows the outer one for the unqualified names (standard SQL scoping).
        const manager = textCompare(sql`"public_id"`, query.operator, query.value, true);
        return sql`${users.managerId} in (select "id" from "users" where "erased_at" is null and ${manager})`;
      }
      return textCompare(userColumn(query.attribute), query.operator, query.value, query.caseExact);
    }
  }
}

export function groupCondition(query: ScimQuery<GroupQueryAttribute>): SQL {
  switch (query.kind) {
    case 'all':
      return ALWAYS;
    case 'none':
      return NEVER;
    case 'and':
    case 'or':
      return combine(query.kind, query.filters.map(groupCondition));
    case 'present':
      if (query.attribute === 'externalId') return isNotNull(scimGroups.externalId);
      if (query.attribute === 'members.value') return sql`exists (select 1 from ${scimGroupMembers} where ${scimGroupMembers.groupId} = ${scimGroups.id})`;
      return ALWAYS;
    case 'compare': {
      if (typeof query.value !== 'string') return NEVER;
      if (query.attribute === 'members.value') {
        const member = textCompare(users.publicId, query.operator, query.value, true);
        return sql`exists (select 1 from ${scimGroupMembers} join ${users} on ${users.id} = ${scimGroupMembers.userId} where ${scimGroupMembers.groupId} = ${scimGroups.id} and ${users.erasedAt} is null and ${member})`;
      }
      const column = query.attribute === 'id' ? scimGroups.publicId : query.attribute === 'externalId' ? scimGroups.externalId : scimGroups.displayName;
      return textCompare(column, query.operator, query.value, query.caseExact);
    }
  }
}
