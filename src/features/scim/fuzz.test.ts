/**
 * Property tests (fast-check, ≥ 1,000 cases each): whatever arrives, the parsers answer with a
 * value that keeps Manabi's rules or with a ScimError — never another exception, never a stored
 * password, never a write through a prototype.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ENTERPRISE_USER_SCHEMA as ENT, GROUP_SCHEMA, PATCH_OP_MESSAGE, USER_SCHEMA } from './constants.ts';
import { ScimError } from './errors.ts';
import { parseGroupFilter, parseUserFilter, type ScimQuery } from './filter.ts';
import { sampleGroup, sampleUser } from './fixtures/load.ts';
import { parseGroupCreate } from './group-resource.ts';
import { hasInvisibleCharacters, isValidEmail } from './manabi-rules.ts';
import type { ScimUserFields } from './model.ts';
import { applyGroupPatch, applyUserPatch } from './patch.ts';
import { parseUserCreate, parseUserReplace } from './user-resource.ts';

import { RUNS, outcome, anyCase, text, value, email, name, manager, attributes, attribute, userBody, nestedValue } from './fuzz-arbitraries.ts';

function keepsRules(fields: ScimUserFields): void {
  expect(isValidEmail(fields.email)).toBe(true);
  for (const name of [fields.displayName, fields.givenName, fields.familyName, fields.department, fields.externalId, fields.managerId]) {
    if (name === null) continue;
    expect(typeof name).toBe('string');
    expect(hasInvisibleCharacters(name.replace(/[\uFE00-\uFE0F]|\u200D/g, ''))).toBe(false);
    expect([...name].length).toBeLessThanOrEqual(255);
  }
  expect([...fields.displayName].length).toBeLessThanOrEqual(100);
  expect(['ja', 'en']).toContain(fields.locale);
  expect(typeof fields.active).toBe('boolean');
}

const passwordPlacement = fc.oneof(
  anyCase('password').map((key) => (body: Record<string, unknown>, secret: unknown) => ({ ...body, [key]: secret })),
  anyCase(`${USER_SCHEMA}:password`).map((key) => (body: Record<string, unknown>, secret: unknown) => ({ ...body, [key]: secret })),
  anyCase('password').map((key) => (body: Record<string, unknown>, secret: unknown) => ({ ...body, [USER_SCHEMA]: { [key]: secret } })),
);

const opName = fc.oneof({ arbitrary: fc.constantFrom('add', 'replace', 'remove').chain(anyCase), weight: 9 }, { arbitrary: text, weight: 1 });
const paths = [
  'userName',
  'displayName',
  'externalId',
  'active',
  'name',
  'name.givenName',
  'name.middleName',
  'emails',
  'emails[type eq "work"].value',
  'emails[type eq "work"]',
  'emails[value eq "a:b"]',
  'emails[type eq "work" and primary eq true].value',
  `${ENT}:department`,
  `${ENT}:manager`,
  `${ENT}:manager.value`,
  'manager',
  ENT,
  USER_SCHEMA,
  'title',
  'phoneNumbers[type eq "work"].value',
  'id',
  'meta',
  'groups',
  'members',
  'members[value eq "u_boss0001"]',
  'members[value eq "x" or value eq "y"]',
  'members[display eq "x"]',
  '__proto__.polluted',
  'constructor.prototype.polluted',
  'name.__proto__',
  'emails[',
  'a.b.c',
  'urn:x:y:z',
  '((((',
  '',
];
const path = fc.oneof({ arbitrary: fc.constantFrom(...paths).chain(anyCase), weight: 9 }, { arbitrary: text, weight: 1 });
/** A value that fits the path more often than not. */
const pathValue = fc.oneof(
  name,
  email,
  fc.boolean(),
  fc.constantFrom('True', 'False'),
  manager,
  fc.array(fc.record({ value: fc.constantFrom('u_new', 'u_boss0001', '') }), { maxLength: 3 }),
  nestedValue,
);
const operation = fc.oneof(
  { arbitrary: fc.record({ op: opName, path, value: pathValue }), weight: 6 },
  { arbitrary: fc.record({ op: fc.oneof(anyCase('remove'), opName), path }), weight: 2 },
  {
    arbitrary: fc.record({
      op: opName,
      value: fc.oneof(
        fc.uniqueArray(attribute, { maxLength: 4, selector: ([key]) => key.toLowerCase() }).map((pairs) => Object.fromEntries(pairs)),
        value,
      ),
    }),
    weight: 2,
  },
);
const patchBody = fc.oneof(
  { arbitrary: fc.array(operation, { minLength: 1, maxLength: 3 }).map((Operations) => ({ schemas: [PATCH_OP_MESSAGE], Operations })), weight: 9 },
  { arbitrary: value, weight: 1 },
);

describe('fuzz: user bodies', () => {
  it('POST and PUT bodies: a user that keeps the rules, or a ScimError', () => {
    fc.assert(
      fc.property(fc.oneof({ arbitrary: userBody, weight: 9 }, { arbitrary: value, weight: 1 }), (body) => {
        const created = outcome(() => parseUserCreate(body));
        if (created.ok) keepsRules(created.value);
        const replaced = outcome(() => parseUserReplace(sampleUser(), body));
        if (replaced.ok) keepsRules(replaced.value.next);
      }),
      RUNS,
    );
  });

  it('never accepts a password, however it is spelt or placed', () => {
    fc.assert(
      fc.property(userBody, passwordPlacement, value, (body, place, secret) => {
        const withPassword = place(body, secret);
        const result = outcome(() => parseUserCreate(withPassword));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.status).toBe(400);
      }),
      RUNS,
    );
  });
});

describe('fuzz: PATCH', () => {
  afterAll(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('user PATCH: a result that keeps the rules, or a ScimError; the current user untouched', () => {
    fc.assert(
      fc.property(patchBody, (body) => {
        const current = sampleUser();
        const before = JSON.stringify(current);
        const result = outcome(() => applyUserPatch(current, body));
        if (result.ok) keepsRules(result.value.next);
        expect(JSON.stringify(current)).toBe(before);
      }),
      RUNS,
    );
  });

  it('user PATCH never takes a password', () => {
    const passwordOp = fc.oneof(
      fc.tuple(opName, anyCase('password')).map(([op, p]) => ({ op, path: p, value: 'secret' })),
      fc.tuple(fc.constantFrom('add', 'replace').chain(anyCase), anyCase('password')).map(([op, key]) => ({ op, value: { [key]: 'secret' } })),
      fc.tuple(fc.constantFrom('add', 'replace').chain(anyCase), anyCase(`${USER_SCHEMA}:password`)).map(([op, p]) => ({ op, path: p, value: 'secret' })),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 3 }), passwordOp, fc.nat(3), (others, password, at) => {
        const Operations = [...others];
        Operations.splice(Math.min(at, Operations.length), 0, password);
        expect(outcome(() => applyUserPatch(sampleUser(), { schemas: [PATCH_OP_MESSAGE], Operations })).ok).toBe(false);
      }),
      RUNS,
    );
  });

  it('group bodies and group PATCH: a result or a ScimError', () => {
    const members = fc.oneof(
      fc.array(fc.record({ value: name, display: name, type: fc.constantFrom('User', 'Group', 'user') }, { requiredKeys: ['value'] }), { maxLength: 4 }),
      value,
    );
    const groupBody = fc.oneof(
      {
        arbitrary: fc
          .record({ displayName: fc.oneof(name, value), externalId: fc.oneof(name, value), members, id: value, other: value }, { requiredKeys: ['displayName'] })
          .map((b) => ({ schemas: [GROUP_SCHEMA], ...b })),
        weight: 9,
      },
      { arbitrary: value, weight: 1 },
    );
    fc.assert(
      fc.property(groupBody, patchBody, (create, patch) => {
        const created = outcome(() => parseGroupCreate(create));
        if (created.ok) expect(hasInvisibleCharacters(created.value.displayName)).toBe(false);
        const patched = outcome(() => applyGroupPatch(sampleGroup(), patch));
        if (patched.ok) expect(new Set(patched.value.next.memberIds).size).toBe(patched.value.next.memberIds.length);
      }),
      RUNS,
    );
  });
});

function attributesOf(query: ScimQuery): string[] {
  if (query.kind === 'and' || query.kind === 'or') return query.filters.flatMap(attributesOf);
  return query.kind === 'compare' || query.kind === 'present' ? [query.attribute] : [];
}

describe('fuzz: filters', () => {
  const filterAttribute = fc.oneof(
    {
      arbitrary: fc
        .constantFrom(
          'userName',
          'externalId',
          'displayName',
          'emails.value',
          'emails',
          'id',
          'active',
          'manager',
          'members',
          'members.value',
          'title',
          'password',
          `${USER_SCHEMA}:userName`,
          'constructor',
        )
        .chain(anyCase),
      weight: 9,
    },
    { arbitrary: text, weight: 1 },
  );
  const operator = fc.oneof(
    { arbitrary: fc.constantFrom('eq', 'co', 'sw', 'ew', 'pr', 'ne', 'gt', 'constructor', 'toString').chain(anyCase), weight: 9 },
    { arbitrary: text, weight: 1 },
  );
  const literal = fc.oneof(
    { arbitrary: fc.oneof(email, name, text).map((t) => JSON.stringify(t)), weight: 8 },
    { arbitrary: fc.constantFrom('true', 'false', 'null', '42', 'jyoung', '"unterminated'), weight: 2 },
  );
  const term = fc.tuple(filterAttribute, operator, literal).map(([a, o, l]) => (o.toLowerCase() === 'pr' ? `${a} pr` : `${a} ${o} ${l}`));
  const filter = fc.letrec((tie) => ({
    filter: fc.oneof(
      { depthSize: 'small' },
      term,
      fc.tuple(tie('filter'), fc.constantFrom('and', 'or', 'AND', 'Or', 'and', 'or', 'constructor', '__proto__'), tie('filter')).map(([a, j, b]) => `${a} ${j} ${b}`),
      tie('filter').map((f) => `(${f})`),
      tie('filter').map((f) => `not (${f})`),
      fc
        .tuple(
          fc.constantFrom('emails', 'members'),
          fc.constantFrom('value eq "a@b.com"', 'type eq "work"', 'primary eq true', 'value sw "u"'),
          fc.constantFrom('', '.value eq "x@y.jp"'),
        )
        .map(([a, f, rest]) => `${a}[${f}]${rest}`),
    ),
  })).filter;

  it('a query over known attributes only, or a ScimError (invalidFilter)', () => {
    const known = ['id', 'userName', 'externalId', 'displayName', 'emails.value', 'active', 'manager.value', 'members.value'];
    fc.assert(
      fc.property(fc.oneof({ arbitrary: filter, weight: 9 }, { arbitrary: fc.string({ maxLength: 60 }), weight: 1 }), (text) => {
        for (const parse of [parseUserFilter, parseGroupFilter]) {
          const result = outcome(() => parse(text));
          if (result.ok) expect(attributesOf(result.value).every((a) => known.includes(a))).toBe(true);
          else expect(result.error.scimType).toBe('invalidFilter');
        }
      }),
      RUNS,
    );
  });
});
