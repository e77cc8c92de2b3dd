import { describe, expect, it } from 'vitest';
import { ENTERPRISE_USER_SCHEMA as ENT, USER_SCHEMA } from './constants.ts';
import { BASE_URL, sampleUser } from './fixtures/load.ts';
import { scimErrorOf } from './test-support.ts';
import { parseUserCreate, parseUserReplace, toScimUser } from './user-resource.ts';

const body = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ schemas: [USER_SCHEMA], userName: 'tanaka@example.co.jp', ...extra });

describe('toScimUser', () => {
  it('maps a Manabi user to the core User with the enterprise extension, meta and $refs', () => {
    expect(toScimUser(sampleUser(), BASE_URL)).toEqual({
      schemas: [USER_SCHEMA, ENT],
      id: 'u_7Hq2kP9x',
      externalId: 'c0ffee00-1111-2222-3333-444455556666',
      userName: 'yamada@example.co.jp',
      name: { givenName: '太郎', familyName: '山田' },
      displayName: '山田 太郎',
      emails: [{ value: 'yamada@example.co.jp', type: 'work', primary: true }],
      active: true,
      preferredLanguage: 'ja',
      locale: 'ja',
      groups: [{ value: 'g_champs01', $ref: `${BASE_URL}/Groups/g_champs01`, display: 'Manabi Champions' }],
      [ENT]: { department: '営業部', manager: { value: 'u_boss0001', $ref: `${BASE_URL}/Users/u_boss0001`, displayName: '佐藤 花子' } },
      meta: { resourceType: 'User', created: '2026-04-01T00:00:00.000Z', lastModified: '2026-04-02T09:30:00.000Z', location: `${BASE_URL}/Users/u_7Hq2kP9x` },
    });
  });

  it('leaves out what has no value instead of sending nulls (Entra asks for that)', () => {
    const user = toScimUser(sampleUser({ externalId: null, givenName: null, familyName: null, department: null, managerId: null, managerDisplayName: null }), BASE_URL);
    expect(JSON.stringify(user)).not.toContain('null');
    expect(user).not.toHaveProperty('externalId');
    expect(user).not.toHaveProperty('name');
    expect(user).not.toHaveProperty([ENT]);
    expect(user.schemas).toEqual([USER_SCHEMA]);
  });
});

describe('parseUserCreate', () => {
  it('normalises userName with Manabi’s email rule and fills the defaults', () => {
    expect(parseUserCreate(body({ userName: ' Ｔａｎａｋａ@Example.CO.JP ' }))).toEqual({
      email: 'tanaka@example.co.jp',
      displayName: 'tanaka',
      givenName: null,
      familyName: null,
      locale: 'ja',
      active: true,
      externalId: null,
      department: null,
      managerId: null,
    });
  });

  it('requires userName, as an email address', () => {
    expect(scimErrorOf(() => parseUserCreate({ schemas: [USER_SCHEMA] }))).toMatchObject({ status: 400, scimType: 'invalidValue' });
    const error = scimErrorOf(() => parseUserCreate(body({ userName: 'Test_User_00aa00aa' })));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(error.message).toMatch(/^userName: must be an email address/);
    expect(scimErrorOf(() => parseUserCreate(body({ userName: 'tаnaka@example.co.jp' }))).scimType).toBe('invalidValue'); // Cyrillic а
  });

  it('requires the core User schema URN, in any case', () => {
    expect(scimErrorOf(() => parseUserCreate({ userName: 'a@example.com' }))).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(parseUserCreate({ schemas: [USER_SCHEMA.toUpperCase()], userName: 'a@example.com' }).email).toBe('a@example.com');
  });

  it('refuses a password attribute, however it is spelt or placed', () => {
    for (const extra of [{ password: 'x' }, { PassWord: 'x' }, { password: null }, { [`${USER_SCHEMA}:password`]: 'x' }, { [USER_SCHEMA]: { password: 'x' } }]) {
      const error = scimErrorOf(() => parseUserCreate(body(extra)));
      expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(error.message).toMatch(/does not accept passwords/);
    }
  });

  it('refuses invisible, control and bidi characters in names and ids', () => {
    for (const extra of [
      { displayName: '山田\u200B太郎' },
      { displayName: '\u202Eevil' },
      { displayName: '\uFEFF' },
      { name: { givenName: 'A\u0007' } },
      { [ENT]: { department: '営業\u2066部' } },
      { externalId: 'abc\u0000' },
      { [ENT]: { manager: 'boss\u200D' } },
    ]) {
      expect(scimErrorOf(() => parseUserCreate(body(extra)))).toMatchObject({ status: 400, scimType: 'invalidValue' });
    }
    // An emoji's joiner and a variation selector after a kanji stay allowed (src/platform/input/text.ts).
    expect(parseUserCreate(body({ displayName: '辻\uFE00 👩‍💻' })).displayName).toBe('辻\uFE00 👩‍💻');
  });

  it('refuses names, departments and ids over their lengths', () => {
    expect(scimErrorOf(() => parseUserCreate(body({ displayName: 'あ'.repeat(101) }))).scimType).toBe('invalidValue');
    expect(parseUserCreate(body({ displayName: '𠮷'.repeat(100) })).displayName).toHaveLength(200); // 100 characters, 200 UTF-16 units
    expect(scimErrorOf(() => parseUserCreate(body({ [ENT]: { department: 'x'.repeat(101) } }))).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => parseUserCreate(body({ externalId: 'x'.repeat(256) }))).scimType).toBe('invalidValue');
  });

  it('ignores attributes Manabi does not keep and schemas it does not know; names and URNs in any case', () => {
    const input = parseUserCreate({
      SCHEMAS: [USER_SCHEMA, 'urn:example:custom:2.0:User'],
      USERNAME: 'a@example.com',
      DisplayName: 'A',
      title: 'Engineer',
      phoneNumbers: [{ value: '+81', type: 'work' }],
      favouriteColour: 'blue',
      'urn:example:custom:2.0:User': { tag: 1, password: 'not ours' },
      [ENT.toUpperCase()]: { Department: 'ＩＴ  部', employeeNumber: '42' },
    });
    expect(input).toMatchObject({ email: 'a@example.com', displayName: 'A', department: 'IT 部' });
  });

  it('takes active as a boolean or as the strings Entra sends ("True", "False")', () => {
    expect(parseUserCreate(body({ active: 'False' })).active).toBe(false);
    expect(parseUserCreate(body({ active: 'TRUE' })).active).toBe(true);
    expect(parseUserCreate(body({ active: false })).active).toBe(false);
    expect(scimErrorOf(() => parseUserCreate(body({ active: 'no' }))).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => parseUserCreate(body({ active: 1 }))).scimType).toBe('invalidValue');
  });

  it('reads the language from preferredLanguage, else locale; other languages leave Manabi’s default', () => {
    expect(parseUserCreate(body({ preferredLanguage: 'en-US' })).locale).toBe('en');
    expect(parseUserCreate(body({ locale: 'ja_JP' })).locale).toBe('ja');
    expect(parseUserCreate(body({ preferredLanguage: 'en', locale: 'ja-JP' })).locale).toBe('en');
    expect(parseUserCreate(body({ preferredLanguage: 'fr-FR' })).locale).toBe('ja');
  });

  it('takes the display name from displayName, else name.formatted, else the name parts (family first in Japanese)', () => {
    expect(parseUserCreate(body({ name: { formatted: 'Joy Young', givenName: 'J' } })).displayName).toBe('Joy Young');
    expect(parseUserCreate(body({ name: { givenName: '太郎', familyName: '山田' } })).displayName).toBe('山田 太郎');
    expect(parseUserCreate(body({ name: { givenName: 'Joy', familyName: 'Young' } })).displayName).toBe('Joy Young');
    expect(parseUserCreate(body({ displayName: '  ', name: { givenName: 'Joy' } })).displayName).toBe('Joy');
  });

  it('takes the manager as a string, an object or a one-item list', () => {
    for (const manager of ['u_boss', { value: 'u_boss' }, [{ value: 'u_boss', $ref: null }], { VALUE: 'u_boss', displayName: 'Boss' }]) {
      expect(parseUserCreate(body({ [ENT]: { manager } })).managerId).toBe('u_boss');
    }
    expect(parseUserCreate(body({ [`${ENT}:manager`]: 'u_boss' })).managerId).toBe('u_boss');
    expect(scimErrorOf(() => parseUserCreate(body({ [ENT]: { manager: [{ value: 'a' }, { value: 'b' }] } }))).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => parseUserCreate(body({ [ENT]: { manager: 42 } }))).scimType).toBe('invalidValue');
  });

  it('refuses an attribute given twice under two spellings', () => {
    expect(scimErrorOf(() => parseUserCreate(body({ UserName: 'b@example.com' })))).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(scimErrorOf(() => parseUserCreate(body({ name: { givenName: 'A' }, 'name.givenName': 'B' }))).scimType).toBe('invalidSyntax');
  });

  it('validates emails but keeps one address, the sign-in address (userName)', () => {
    expect(parseUserCreate(body({ emails: [{ value: 'other@example.com', type: 'work', primary: 'True' }] })).email).toBe('tanaka@example.co.jp');
    expect(scimErrorOf(() => parseUserCreate(body({ emails: [{ value: 'not an address' }] }))).scimType).toBe('invalidValue');
  });

  it('refuses a body that is not a JSON object', () => {
    for (const bad of [null, [], 'x', 1]) expect(scimErrorOf(() => parseUserCreate(bad))).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
  });
});

describe('parseUserReplace (PUT)', () => {
  it('keeps what the body leaves out, clears what it sets to null, and reports only real changes', () => {
    const current = sampleUser();
    const update = parseUserReplace(current, body({ userName: 'yamada@example.co.jp', displayName: '山田 太郎', [ENT]: { manager: null } }));
    expect(update.next).toMatchObject({ department: '営業部', externalId: current.externalId, givenName: '太郎', managerId: null, active: true });
    expect(update.changes).toEqual({ managerId: null });
  });

  it('changes nothing when the body says what Manabi has', () => {
    const current = sampleUser();
    expect(parseUserReplace(current, toScimUser(current, BASE_URL)).changes).toEqual({});
  });

  it('refuses a user as their own manager', () => {
    expect(scimErrorOf(() => parseUserReplace(sampleUser(), body({ [ENT]: { manager: 'u_7Hq2kP9x' } })))).toMatchObject({ status: 400, scimType: 'invalidValue' });
  });
});
