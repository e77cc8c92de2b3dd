/** The arbitraries the SCIM property tests share: hostile text, any JSON value, user attributes in any case. */
import fc from 'fast-check';
import { ENTERPRISE_USER_SCHEMA as ENT, USER_SCHEMA } from './constants.ts';
import { ScimError } from './errors.ts';

export const RUNS = { numRuns: 1_000 };

/** The call returns, or throws a ScimError; anything else fails the property. */
export function outcome<T>(f: () => T): { ok: true; value: T } | { ok: false; error: ScimError } {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    if (error instanceof ScimError) return { ok: false, error };
    throw error;
  }
}

export const anyCase = (word: string): fc.Arbitrary<string> =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

export const tricky = fc.constantFrom(
  '\u200B',
  '\u202E',
  '\uFEFF',
  '\u0000',
  '\u0007',
  '\u2066',
  '\u3164',
  '\u2800',
  '\uFE0F',
  '👩‍💻',
  'ｱ',
  '①',
  '\n',
  ' ',
  '"',
  ':',
  '.',
  '[',
  ']',
  '__proto__',
);
export const text = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), tricky), { maxLength: 6 }).map((parts) => parts.join('')),
  fc.constantFrom('a@example.com', ' Ｂ@Example.CO.JP ', 'not-an-email', '=cmd@example.com', 'x'.repeat(120), '山田 太郎', 'True', 'False', 'ja-JP', 'en_US', 'fr'),
);
export const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.boolean(),
    fc.integer(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(text, tie('value'), { maxKeys: 3 }),
  ),
})).value;

export const email = fc.oneof(fc.emailAddress(), fc.constantFrom('a@example.com', ' Ｂ@Example.CO.JP ', 'not-an-email', '=cmd@example.com', 'a@b', ''));
export const name = fc.oneof({ arbitrary: fc.constantFrom('山田 太郎', 'Joy', 'Young', 'ＩＴ 部', '辻\uFE00', '', ' '), weight: 3 }, { arbitrary: text, weight: 2 });
export const manager = fc.oneof(name, fc.record({ value: name }), fc.array(fc.record({ value: name, $ref: fc.constant(null) }), { maxLength: 2 }), value);
/** Plausible values per attribute (what an identity provider might send), mixed with anything. */
export const attributes: Array<[string, fc.Arbitrary<unknown>]> = [
  ['externalId', fc.oneof(name, value)],
  ['displayName', fc.oneof(name, value)],
  ['name', fc.oneof(fc.record({ givenName: name, familyName: name, formatted: name, middleName: name }, { requiredKeys: [] }), value)],
  ['name.givenName', name],
  [
    'emails',
    fc.oneof(
      fc.array(
        fc.record({ value: email, type: fc.constantFrom('work', 'home', 'Work'), primary: fc.oneof(fc.boolean(), fc.constantFrom('True', 'False')) }, { requiredKeys: ['value'] }),
        { maxLength: 3 },
      ),
      value,
    ),
  ],
  ['active', fc.oneof(fc.boolean(), fc.constantFrom('True', 'False', 'yes', 1, null))],
  ['preferredLanguage', fc.oneof(fc.constantFrom('ja', 'en-US', 'ja_JP', 'fr', null), text)],
  ['locale', fc.oneof(fc.constantFrom('ja-JP', 'en', null), text)],
  ['title', value],
  ['phoneNumbers', value],
  ['groups', value],
  ['id', value],
  ['meta', value],
  [ENT, fc.oneof(fc.record({ department: name, manager, employeeNumber: text }, { requiredKeys: [] }), value)],
  [`${ENT}:department`, name],
  [`${ENT}:manager`, manager],
  ['manager', manager],
  ['urn:example:custom:2.0:User', value],
  ['nope', value],
  ['__proto__', value],
  ['constructor', value],
];
export const attribute = fc.constantFrom(...attributes).chain(([key, arbitrary]) => fc.tuple(anyCase(key), arbitrary));
export const userBody = fc
  .tuple(fc.uniqueArray(attribute, { maxLength: 7, selector: ([key]) => key.split(':').pop()!.split('.')[0]!.toLowerCase() }), email)
  .map(([pairs, userName]) => ({ schemas: [USER_SCHEMA], userName, ...Object.fromEntries(pairs) }));
export const nestedValue = fc.oneof(value, manager, fc.record({ givenName: name, familyName: name }, { requiredKeys: [] }));
