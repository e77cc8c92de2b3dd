import { describe, expect, it } from 'vitest';
import { ENTERPRISE_USER_SCHEMA as ENT, PATCH_OP_MESSAGE } from './constants.ts';
import { sampleGroup, sampleUser } from './fixtures/load.ts';
import { applyGroupPatch, applyUserPatch } from './patch.ts';
import { scimErrorOf } from './test-support.ts';

const ops = (...operations: unknown[]): unknown => ({ schemas: [PATCH_OP_MESSAGE], Operations: operations });
const user = sampleUser();
const patchUser = (...operations: unknown[]) => applyUserPatch(user, ops(...operations));
const patchGroup = (...operations: unknown[]) => applyGroupPatch(sampleGroup(), ops(...operations));

describe('applyUserPatch', () => {
  it('takes ops in any case (Entra sends Add, Replace, Remove)', () => {
    expect(patchUser({ op: 'Replace', path: 'displayName', value: 'A' }).changes).toEqual({ displayName: 'A' });
    expect(patchUser({ op: 'ADD', path: 'displayName', value: 'B' }).changes).toEqual({ displayName: 'B' });
    expect(patchUser({ op: 'rEmOvE', path: 'externalId' }).changes).toEqual({ externalId: null });
  });

  it('applies several operations in order, paths case-insensitive', () => {
    const update = patchUser(
      { op: 'replace', path: 'NAME.GIVENNAME', value: 'Hanako' },
      { op: 'replace', path: 'name.givenName', value: '花子' },
      { op: 'replace', path: 'Active', value: false },
    );
    expect(update.changes).toEqual({ givenName: '花子', active: false });
  });

  it('applies path filters on emails, validating the result although the address Manabi keeps is userName', () => {
    expect(patchUser({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@example.co.jp' }).changes).toEqual({});
    expect(scimErrorOf(() => patchUser({ op: 'Replace', path: 'emails[type eq "Work"].value', value: 'not an address' }))).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(patchUser({ op: 'remove', path: 'emails[type eq "home"]' }).changes).toEqual({});
    expect(scimErrorOf(() => patchUser({ op: 'replace', path: 'emails[type eq "work" and primary eq false].value', value: 'a@b.com' }))).toMatchObject({ scimType: 'noTarget' });
    expect(scimErrorOf(() => patchUser({ op: 'replace', path: 'emails[type eq "work"', value: 'a@b.com' })).scimType).toBe('invalidPath');
    expect(scimErrorOf(() => patchUser({ op: 'replace', path: 'emails[foo eq "work"].value', value: 'a@b.com' })).scimType).toBe('invalidPath');
    expect(scimErrorOf(() => patchUser({ op: 'replace', path: 'displayName[value eq "x"]', value: 'a' })).scimType).toBe('invalidPath');
    // scim-patch reads a path's last ':' as the end of a schema URN; such a filter gets a clear invalidPath first.
    const colon = scimErrorOf(() => patchUser({ op: 'replace', path: 'emails[value eq "a:b@example.com"].type', value: 'work' }));
    expect(colon).toMatchObject({ status: 400, scimType: 'invalidPath' });
    expect(colon.message).toMatch(/cannot contain ':'/);
  });

  it('refuses a filtered element set to something other than an object (scim-patch threw a TypeError on null)', () => {
    for (const op of ['add', 'replace']) {
      for (const value of [null, 'a@b.com', ['x'], 3]) {
        expect(scimErrorOf(() => patchUser({ op, path: 'emails[primary eq true]', value }))).toMatchObject({ status: 400, scimType: 'invalidValue' });
      }
    }
  });

  it('sets and removes the enterprise department by its URN path, in any case', () => {
    expect(patchUser({ op: 'Replace', path: `${ENT}:department`, value: 'ＩＴ部' }).changes).toEqual({ department: 'IT部' });
    expect(patchUser({ op: 'Replace', path: `${ENT.toUpperCase()}:DEPARTMENT`, value: '総務部' }).changes).toEqual({ department: '総務部' });
    expect(patchUser({ op: 'Remove', path: `${ENT}:department` }).changes).toEqual({ department: null });
    expect(patchUser({ op: 'Replace', path: `${ENT}:department`, value: '' }).changes).toEqual({ department: null });
  });

  it('sets the manager from a bare id, { value }, a one-item list, or manager.value; removes it', () => {
    for (const value of ['u_new', { value: 'u_new' }, [{ $ref: 'https://x/Users/u_new', value: 'u_new' }]]) {
      expect(patchUser({ op: 'Add', path: `${ENT}:manager`, value }).changes).toEqual({ managerId: 'u_new' });
      expect(patchUser({ op: 'Add', path: 'manager', value }).changes).toEqual({ managerId: 'u_new' });
    }
    expect(patchUser({ op: 'replace', path: `${ENT}:manager.value`, value: 'u_new' }).changes).toEqual({ managerId: 'u_new' });
    expect(patchUser({ op: 'Remove', path: `${ENT}:manager` }).changes).toEqual({ managerId: null });
    expect(patchUser({ op: 'Replace', path: `${ENT}:manager`, value: null }).changes).toEqual({ managerId: null });
    expect(scimErrorOf(() => patchUser({ op: 'Replace', path: `${ENT}:manager`, value: 42 })).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => patchUser({ op: 'Replace', path: `${ENT}:manager`, value: user.id })).scimType).toBe('invalidValue');
  });

  it('applies a no-path replace with an object value: plain, dotted and URN-qualified keys, the extension object', () => {
    const update = patchUser({
      op: 'replace',
      value: { displayName: 'X', 'name.familyName': 'Y', [`${ENT}:department`]: 'Z', [ENT]: { manager: { value: 'u_m' } }, active: 'False', title: 'ignored' },
    });
    expect(update.changes).toEqual({ displayName: 'X', familyName: 'Y', department: 'Z', managerId: 'u_m', active: false });
  });

  it('replaces the sub-attributes a complex value names and keeps the others (RFC 7644 §3.5.2.3)', () => {
    expect(patchUser({ op: 'replace', path: 'name', value: { givenName: 'G' } }).next).toMatchObject({ givenName: 'G', familyName: '山田' });
    expect(patchUser({ op: 'replace', value: { name: { familyName: 'F' } } }).next).toMatchObject({ givenName: '太郎', familyName: 'F' });
  });

  it('deactivates with active false, the boolean or Entra’s string', () => {
    expect(patchUser({ op: 'Replace', path: 'active', value: false }).changes).toEqual({ active: false });
    expect(patchUser({ op: 'Replace', path: 'active', value: 'False' }).changes).toEqual({ active: false });
    expect(scimErrorOf(() => patchUser({ op: 'Replace', path: 'active', value: 'nope' })).scimType).toBe('invalidValue');
  });

  it('answers invalidPath for a path Manabi does not know, or an unknown schema', () => {
    for (const path of ['favouriteColour', 'name.nickname', 'urn:example:custom:2.0:User:tag', 'emails.foo', 'members', '']) {
      if (path === '') continue;
      expect(
        scimErrorOf(() => patchUser({ op: 'replace', path, value: 'x' })),
        path,
      ).toMatchObject({ status: 400, scimType: 'invalidPath' });
    }
  });

  it('skips attributes Manabi does not keep: a PATCH that changes nothing is fine', () => {
    expect(
      patchUser(
        { op: 'Add', path: 'nickName', value: 'Babs' },
        { op: 'replace', path: 'phoneNumbers[type eq "work"].value', value: '1' },
        { op: 'replace', path: `${ENT}:employeeNumber`, value: '7' },
      ),
    ).toEqual({
      next: expect.objectContaining({ email: user.email }),
      changes: {},
    });
    expect(patchUser({ op: 'replace', path: 'displayName', value: user.displayName }).changes).toEqual({});
  });

  it('answers mutability for read-only attributes', () => {
    for (const path of ['id', 'meta', 'groups', 'meta.created']) {
      expect(
        scimErrorOf(() => patchUser({ op: 'replace', path, value: 'x' })),
        path,
      ).toMatchObject({ status: 400, scimType: 'mutability' });
    }
    expect(scimErrorOf(() => patchUser({ op: 'replace', value: { id: 'another' } })).scimType).toBe('mutability');
    expect(patchUser({ op: 'replace', value: { id: user.id, displayName: 'D' } }).changes).toEqual({ displayName: 'D' });
  });

  it('refuses a password, as a path or in a value', () => {
    for (const operation of [
      { op: 'replace', path: 'password', value: 'x' },
      { op: 'Replace', path: 'PASSWORD', value: 'x' },
      { op: 'replace', value: { password: 'x' } },
      { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: 'x' },
    ]) {
      const error = scimErrorOf(() => patchUser(operation));
      expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(error.message).toMatch(/does not accept passwords/);
    }
  });

  it('keeps the rules of a PUT: userName stays required and an email, names stay visible', () => {
    expect(scimErrorOf(() => patchUser({ op: 'remove', path: 'userName' })).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => patchUser({ op: 'replace', path: 'userName', value: 'nobody' })).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => patchUser({ op: 'replace', path: 'displayName', value: '\u202Egnp.exe' })).scimType).toBe('invalidValue');
    expect(patchUser({ op: 'remove', path: 'displayName' }).next.displayName).toBe('山田 太郎');
  });

  it('is atomic: one bad operation and the user is untouched', () => {
    const current = sampleUser();
    const before = JSON.stringify(current);
    expect(() => applyUserPatch(current, ops({ op: 'replace', path: 'displayName', value: 'New' }, { op: 'replace', path: 'nope', value: 1 }))).toThrow();
    expect(JSON.stringify(current)).toBe(before);
  });

  it('refuses a malformed envelope', () => {
    expect(scimErrorOf(() => applyUserPatch(user, { Operations: [] })).scimType).toBe('invalidSyntax');
    expect(scimErrorOf(() => applyUserPatch(user, ops())).scimType).toBe('invalidSyntax');
    expect(scimErrorOf(() => patchUser({ op: 'move', path: 'displayName', value: 'x' })).scimType).toBe('invalidSyntax');
    expect(scimErrorOf(() => patchUser({ op: 'replace', path: 'displayName' })).scimType).toBe('invalidSyntax');
    expect(scimErrorOf(() => patchUser({ op: 'remove' })).scimType).toBe('noTarget');
    expect(scimErrorOf(() => patchUser({ op: 'replace', value: 'x' })).scimType).toBe('invalidSyntax');
    const many = Array.from({ length: 1001 }, () => ({ op: 'replace', path: 'displayName', value: 'x' }));
    expect(scimErrorOf(() => applyUserPatch(user, ops(...many))).message).toMatch(/At most 1000/);
    // Envelope names are case-insensitive too.
    expect(applyUserPatch(user, { SCHEMAS: [PATCH_OP_MESSAGE.toUpperCase()], operations: [{ OP: 'replace', PATH: 'displayName', VALUE: 'L' }] }).changes).toEqual({
      displayName: 'L',
    });
  });

  it('never lets a path or a key reach an object’s prototype', () => {
    const attempts = [
      { op: 'add', path: '__proto__.polluted', value: 'yes' },
      { op: 'add', path: 'constructor.prototype.polluted', value: 'yes' },
      { op: 'add', path: 'name.__proto__', value: { polluted: 'yes' } },
      JSON.parse('{"op":"add","value":{"__proto__":{"polluted":"yes"}}}'),
      JSON.parse('{"op":"add","value":{"name":{"__proto__":{"polluted":"yes"}}}}'),
      { op: 'add', value: { 'name.__proto__.polluted': 'yes' } },
    ];
    for (const attempt of attempts) {
      expect(scimErrorOf(() => patchUser(attempt)).scimType, JSON.stringify(attempt)).toBe('invalidPath');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('applyGroupPatch', () => {
  it('adds members sent as Entra does ({ "$ref": null, "value": … }), once', () => {
    const update = patchGroup({ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u_new' }, { value: 'u_7Hq2kP9x' }] });
    expect(update).toMatchObject({ added: ['u_new'], removed: [], changes: {} });
    expect(update.next.memberIds).toEqual(['u_7Hq2kP9x', 'u_boss0001', 'u_new']);
  });

  it('removes members by value list, by path filter (also several with or), or all', () => {
    expect(patchGroup({ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u_boss0001' }] })).toMatchObject({ removed: ['u_boss0001'], added: [] });
    expect(patchGroup({ op: 'remove', path: 'members[value eq "u_boss0001"]' })).toMatchObject({ removed: ['u_boss0001'] });
    expect(patchGroup({ op: 'remove', path: 'Members[Value eq "u_boss0001" or value eq "u_7Hq2kP9x"]' }).removed.sort()).toEqual(['u_7Hq2kP9x', 'u_boss0001']);
    expect(patchGroup({ op: 'remove', path: 'members' }).next.memberIds).toEqual([]);
    expect(patchGroup({ op: 'remove', path: 'members[value eq "not-a-member"]' })).toMatchObject({ removed: [], added: [] });
  });

  it('replaces the member list, renames, and changes externalId', () => {
    expect(patchGroup({ op: 'replace', path: 'members', value: [{ value: 'u_x' }] })).toMatchObject({ added: ['u_x'], removed: ['u_7Hq2kP9x', 'u_boss0001'] });
    expect(patchGroup({ op: 'Replace', path: 'displayName', value: 'Admins' }).changes).toEqual({ displayName: 'Admins' });
    expect(patchGroup({ op: 'remove', path: 'externalId' }).changes).toEqual({ externalId: null });
  });

  it('refuses what a group cannot take', () => {
    expect(scimErrorOf(() => patchGroup({ op: 'add', path: 'members', value: [{ value: 'g2', type: 'Group' }] })).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => patchGroup({ op: 'add', path: 'members', value: [{ display: 'no id' }] })).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => patchGroup({ op: 'replace', path: 'members[value eq "u_boss0001"].display', value: 'x' })).scimType).toBe('mutability');
    expect(scimErrorOf(() => patchGroup({ op: 'remove', path: 'members[display eq "x"]' })).scimType).toBe('invalidPath');
    expect(scimErrorOf(() => patchGroup({ op: 'replace', path: 'userName', value: 'x' })).scimType).toBe('invalidPath');
    expect(scimErrorOf(() => patchGroup({ op: 'remove', path: 'displayName' })).scimType).toBe('invalidValue');
    expect(scimErrorOf(() => patchGroup({ op: 'replace', value: { id: 'other', displayName: 'x' } })).scimType).toBe('mutability');
  });
});

describe('applyGroupPatch with empty values', () => {
  it('does not read add members null as “remove everyone”', () => {
    expect(scimErrorOf(() => patchGroup({ op: 'add', path: 'members', value: null })).scimType).toBe('invalidValue');
    expect(patchGroup({ op: 'add', path: 'members', value: [] })).toMatchObject({ added: [], removed: [] });
  });
});
