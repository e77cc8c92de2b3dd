/**
 * Replays, at the function level, the requests Microsoft documents for Entra ID provisioning
 * (fixtures/entra, sources in fixtures/README.md), in the order the provisioning service sends them.
 */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE_USER_SCHEMA as ENT, ERROR_MESSAGE, GROUP_SCHEMA, LIST_RESPONSE_MESSAGE, USER_SCHEMA } from './constants.ts';
import { scimErrorBody } from './errors.ts';
import { BASE_URL, fixture } from './fixtures/load.ts';
import { Directory, scimErrorOf } from './test-support.ts';

const filters = fixture('entra/filters.json') as Record<string, string>;
// The ids the directory hands out: the member id of the documented group PATCHes first.
const MEMBER = 'f648f8d5ea4e4cd38e9c';

function directory(): Directory {
  return new Directory([MEMBER, 'mgr-123456', '00aa00aa-bb11-cc22-dd33-44ee44ee44ee', '7f4bc1a3-285e-48ae-8202-5accb43efb0e', 'a99962b9f99d4c4fac67', 'g2']);
}

describe('Entra ID: users', () => {
  it('Test Connection: a filter on a user that does not exist answers an empty ListResponse', () => {
    expect(directory().findUsers(filters.getUserByQueryZeroResults!)).toEqual({
      schemas: [LIST_RESPONSE_MESSAGE],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('Create User as documented is refused: its userName is not an email address, and Manabi signs people in with userName', () => {
    const error = scimErrorOf(() => directory().createUser(fixture('entra/create-user.json')));
    expect(scimErrorBody(error)).toEqual({
      schemas: [ERROR_MESSAGE],
      status: '400',
      scimType: 'invalidValue',
      detail: 'userName: must be an email address (Manabi signs people in with it).',
    });
  });

  it('creates, finds and updates a user through the documented sequence', () => {
    const dir = directory();
    // Example 2: misspelt enterprise URN, top-level department/manager null, unused attributes null.
    const created = dir.createUser(fixture('entra/create-user-example-2.json'));
    expect(created).toMatchObject({
      schemas: [USER_SCHEMA],
      id: MEMBER,
      externalId: 'jyoung',
      userName: 'jyoung@testuser.com',
      displayName: 'Joy Young',
      name: { givenName: 'Joy', familyName: 'Young' },
      active: true,
      emails: [{ value: 'jyoung@testuser.com', type: 'work', primary: true }],
      meta: { resourceType: 'User', location: `${BASE_URL}/Users/${MEMBER}` },
    });
    expect(created).not.toHaveProperty([ENT]);

    // Creating the same userName again is a 409 uniqueness.
    expect(scimErrorBody(scimErrorOf(() => dir.createUser(fixture('entra/create-user-example-2.json'))))).toMatchObject({ status: '409', scimType: 'uniqueness' });

    // Get User by query (userName eq), and the uniqueness check on the work email.
    expect(dir.findUsers('userName eq "JYoung@testuser.com"').Resources.map((u) => u.id)).toEqual([MEMBER]);
    expect(dir.findUsers('emails[type eq "work"].value eq "jyoung@testuser.com"').totalResults).toBe(1);
    expect(dir.findUsers(filters.uniquenessByWorkEmail!).totalResults).toBe(0);
    // Example 1 prints the value unquoted; that is not a SCIM filter.
    expect(scimErrorOf(() => dir.findUsers(filters.queryByExternalIdUnquoted!))).toMatchObject({ status: 400, scimType: 'invalidFilter' });

    // Update User [Multi-valued properties]: capitalised ops, a path filter, two operations.
    const multi = dir.patchUser(MEMBER, fixture('entra/patch-user-multi-valued.json'));
    expect(multi.changes).toEqual({ familyName: 'updatedFamilyName' });
    // The address Manabi keeps is userName; emails mirror it.
    expect(multi.user.emails).toEqual([{ value: 'jyoung@testuser.com', type: 'work', primary: true }]);

    // Update User [Single-valued properties].
    const single = dir.patchUser(MEMBER, fixture('entra/patch-user-single-valued.json'));
    expect(single.changes).toEqual({ email: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' });
    expect(single.user.userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');

    // The schema example: enterprise manager as a bare string; the custom extension and readOnly id/meta ignored.
    const withManager = dir.createUser(fixture('entra/user-schema-example.json'));
    expect(withManager).toMatchObject({ id: 'mgr-123456', userName: 'bjensen@testuser.com', externalId: 'bjensen' });
    expect(withManager[ENT]?.manager?.value).toBe('123456');
    expect(withManager.meta.created).toBe('2026-05-01T00:00:00.000Z');

    // Example 5: "path": "manager", the value a one-item list with $ref.
    const managed = dir.patchUser(MEMBER, fixture('entra/patch-user-add-manager.json'));
    expect(managed.changes).toEqual({ managerId: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee' });
    expect(managed.user[ENT]?.manager).toEqual({ value: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee', $ref: `${BASE_URL}/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee` });
    expect(dir.findUsers(`id eq "${MEMBER}" and manager eq "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"`).totalResults).toBe(1);

    // Disable User.
    const disabled = dir.patchUser(MEMBER, fixture('entra/patch-user-disable.json'));
    expect(disabled.changes).toEqual({ active: false });
    expect(disabled.user.active).toBe(false);
    // The user is still returned while inactive (Entra requires it).
    expect(dir.findUsers(`userName eq "${disabled.user.userName}"`).Resources[0]?.active).toBe(false);
  });

  it('takes the requests Entra sends without the aadOptscim062020 flag, and with it', () => {
    const dir = directory();
    const { id } = dir.createUser(fixture('entra/create-user-example-2.json'));
    expect(dir.patchUser(id, fixture('entra/compat-disable-user-without-flag.json')).changes).toEqual({ active: false });
    expect(dir.patchUser(id, fixture('entra/compat-add-single-value-without-flag.json')).changes).toEqual({});
    expect(dir.patchUser(id, fixture('entra/compat-replace-multiple-without-flag.json')).changes).toEqual({
      displayName: 'Pvlo',
      givenName: 'Gtfd',
      familyName: 'Pkqf',
      externalId: 'Eqpj',
    });
    expect(dir.patchUser(id, fixture('entra/compat-replace-multiple-with-flag.json')).changes).toEqual({ displayName: 'Bjfe', givenName: 'Kkom', familyName: 'Unua' });
  });
});

describe('Entra ID: groups', () => {
  it('creates a group, finds it by displayName without members, renames it, adds and removes a member', () => {
    const dir = directory();
    dir.createUser(fixture('entra/create-user-example-2.json')); // id f648f8d5ea4e4cd38e9c
    const created = dir.createGroup(fixture('entra/create-group.json'));
    expect(created).toEqual({
      schemas: [GROUP_SCHEMA],
      id: 'mgr-123456',
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'displayName',
      members: [],
      meta: { resourceType: 'Group', created: '2026-05-01T00:00:00.000Z', lastModified: '2026-05-01T00:00:00.000Z', location: `${BASE_URL}/Groups/mgr-123456` },
    });
    const found = dir.findGroups(filters.getGroupByDisplayName!, { members: false });
    expect(found.totalResults).toBe(1);
    expect(found.Resources[0]).not.toHaveProperty('members');
    expect(scimErrorBody(scimErrorOf(() => dir.createGroup(fixture('entra/create-group.json'))))).toMatchObject({ status: '409', scimType: 'uniqueness' });

    const renamed = dir.patchGroup(created.id, fixture('entra/patch-group-display-name.json'));
    expect(renamed.changes).toEqual({ displayName: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' });

    const added = dir.patchGroup(created.id, fixture('entra/patch-group-add-members.json'));
    expect(added).toMatchObject({ added: [MEMBER], removed: [] });
    expect(dir.getGroup(created.id).members).toEqual([{ value: MEMBER, $ref: `${BASE_URL}/Users/${MEMBER}`, display: 'Joy Young', type: 'User' }]);
    expect(dir.findGroups(`members[value eq "${MEMBER}"]`).totalResults).toBe(1);
    // Sent twice (a retry): nothing more changes.
    expect(dir.patchGroup(created.id, fixture('entra/patch-group-add-members.json'))).toMatchObject({ added: [], removed: [] });

    const removed = dir.patchGroup(created.id, fixture('entra/patch-group-remove-members.json'));
    expect(removed).toMatchObject({ added: [], removed: [MEMBER] });
    expect(dir.getGroup(created.id).members).toEqual([]);
  });

  it('removes members as Entra does without the compliance flag (value list) and with it (path filter)', () => {
    const dir = directory();
    const group = dir.createGroup({ ...(fixture('entra/create-group.json') as object), members: [{ value: 'u1091' }, { value: '7f4bc1a3-285e-48ae-8202-5accb43efb0e' }] });
    expect(dir.patchGroup(group.id, fixture('entra/compat-remove-member-without-flag.json')).removed).toEqual(['u1091']);
    expect(dir.patchGroup(group.id, fixture('entra/compat-remove-member-with-flag.json')).removed).toEqual(['7f4bc1a3-285e-48ae-8202-5accb43efb0e']);
  });
});
