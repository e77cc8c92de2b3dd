/**
 * Replays, at the function level, the requests Okta documents for SCIM 2.0 (fixtures/okta,
 * sources in fixtures/README.md): look-up by userName, create, the PUT-based full replace,
 * deactivation by PATCH, and group push.
 */
import { describe, expect, it } from 'vitest';
import { GROUP_SCHEMA, USER_SCHEMA } from './constants.ts';
import { scimErrorBody } from './errors.ts';
import { fixture } from './fixtures/load.ts';
import { Directory, scimErrorOf } from './test-support.ts';

const USER_ID = '23a35c27-23d3-4c03-b4c5-6443c09e7173';
const OTHER_ID = '89bb1940-b905-4575-9e7f-6f887cfb368e';
const GROUP_ID = 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b';
const filters = fixture('okta/filters.json') as Record<string, string>;

function withoutPassword(body: unknown): Record<string, unknown> {
  const { password: _, ...rest } = body as Record<string, unknown>;
  return rest;
}

describe('Okta: users', () => {
  it('looks the user up, refuses the create with a password, creates it without, then replaces it by PUT and deactivates it', () => {
    const dir = new Directory([USER_ID, OTHER_ID]);
    expect(dir.findUsers(filters.userExists!)).toMatchObject({ totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });

    // As documented, the create carries a password (Okta sends it with "Sync password" on).
    const refused = scimErrorOf(() => dir.createUser(fixture('okta/create-user.json')));
    expect(scimErrorBody(refused)).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(refused.message).toMatch(/Turn off password sync/);
    expect(dir.users.size).toBe(0);

    const created = dir.createUser(withoutPassword(fixture('okta/create-user.json')));
    expect(created).toMatchObject({
      schemas: [USER_SCHEMA],
      id: USER_ID,
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en',
      preferredLanguage: 'en',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
      groups: [],
      meta: { resourceType: 'User' },
    });
    expect(dir.findUsers(filters.userExists!).Resources.map((u) => u.id)).toEqual([USER_ID]);

    // Okta GETs the user, changes what changed and PUTs the whole object (with middleName, groups, id, meta).
    const replaced = dir.replaceUser(USER_ID, fixture('okta/put-user.json'));
    // The PUT has no displayName: the name it asserts gives it.
    expect(replaced.changes).toEqual({ givenName: 'Another', displayName: 'Another User' });
    // What the PUT leaves out (externalId, the language) is kept, so Okta's matching keeps working.
    expect(replaced.user).toMatchObject({ externalId: '00ujl29u0le5T6Aj10h7', locale: 'en', active: true, name: { givenName: 'Another', familyName: 'User' } });
    // The same PUT again changes nothing.
    expect(dir.replaceUser(USER_ID, fixture('okta/put-user.json')).changes).toEqual({});

    const deactivated = dir.patchUser(USER_ID, fixture('okta/patch-user-deactivate.json'));
    expect(deactivated.changes).toEqual({ active: false });
    expect(deactivated.user.active).toBe(false);

    // AIW integrations deactivate by PUT with active false.
    const reactivated = dir.replaceUser(USER_ID, { ...(fixture('okta/put-user.json') as object), active: true });
    expect(reactivated.changes).toEqual({ active: true });
  });

  it('answers 404 for a user that does not exist', () => {
    expect(scimErrorBody(scimErrorOf(() => new Directory([]).getUser(USER_ID)))).toMatchObject({ status: '404' });
  });
});

describe('Okta: group push', () => {
  it('creates the group, renames it (the id in the value is its own), changes and replaces its members', () => {
    const dir = new Directory([GROUP_ID]);
    const created = dir.createGroup(fixture('okta/create-group.json'));
    expect(created).toMatchObject({ schemas: [GROUP_SCHEMA], id: GROUP_ID, displayName: 'Test SCIMv2', members: [], meta: { resourceType: 'Group' } });

    expect(dir.patchGroup(GROUP_ID, fixture('okta/patch-group-name.json')).changes).toEqual({});
    expect(dir.patchGroup(GROUP_ID, fixture('okta/patch-group-replace-members.json'))).toMatchObject({ added: [USER_ID, OTHER_ID], removed: [] });
    const membership = dir.patchGroup(GROUP_ID, fixture('okta/patch-group-members.json'));
    expect(membership).toMatchObject({ added: [], removed: [OTHER_ID] });
    expect(dir.getGroup(GROUP_ID).members?.map((m) => m.value)).toEqual([USER_ID]);
  });
});
