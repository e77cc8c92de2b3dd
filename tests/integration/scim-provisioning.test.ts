/**
 * SCIM provisioning over real HTTP against the built server and a real SQLite file: the request
 * sequences Microsoft documents for Entra ID and Okta documents for its SCIM 2.0 integrations
 * (src/features/scim/fixtures, sources in its README), replayed in the providers' order, with the
 * effects checked in the database: departments created, deactivation signing the person out on
 * their next request, group roles under the last-admin rule, every change audited as `scim`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE_USER_SCHEMA as ENT, ERROR_MESSAGE, GROUP_SCHEMA, LIST_RESPONSE_MESSAGE, USER_SCHEMA } from '../../src/features/scim/constants.ts';
import { fixture } from '../../src/features/scim/fixtures/load.ts';
import { createScimToken } from '../../src/features/scim/tokens.server.ts';
import { addUser, sqlRows, tempDb, type TempDb } from '../helpers/db.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, signIn } from '../helpers/http.ts';
import { fixtureWith, scimClient, type ScimClient } from '../helpers/scim.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const PASSWORD = 'scim provisioning password';
const ADMIN_GROUP = 'Manabi Admins';
let t: TempDb;
let server: RunningServer;
let scim: ScimClient;

const row = async <T>(sqlText: string, ...params: unknown[]): Promise<T> => (await sqlRows<T>(t.db, sqlText, ...params))[0]!;
const rows = <T>(sqlText: string, ...params: unknown[]): Promise<T[]> => sqlRows<T>(t.db, sqlText, ...params);
const publicIdOf = async (email: string): Promise<string> => (await row<{ public_id: string }>('select public_id from users where email = ?', email)).public_id;
const filterPath = (resource: string, filter: string, extra = ''): string => `/${resource}?filter=${encodeURIComponent(filter)}${extra}`;

beforeAll(async () => {
  t = tempDb();
  await addUser(t.db, { email: 'admin@example.com', password: PASSWORD, role: 'admin', department: 'IT' });
  await addUser(t.db, { email: 'leaver@example.com', password: PASSWORD, role: 'learner', department: 'Sales' });
  const { token } = await createScimToken(t.db, 'Entra ID', { actorLabel: 'test' });
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR, env: { OIDC_ADMIN_GROUPS: ADMIN_GROUP } });
  scim = scimClient(server.url, token);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

describe('Entra ID provisioning, as Microsoft documents it', () => {
  let userId = '';
  let groupId = '';

  it('Test Connection: a filter on a user that does not exist answers an empty ListResponse', async () => {
    const answer = await scim('GET', filterPath('Users', (fixture('entra/filters.json') as Record<string, string>).getUserByQueryZeroResults!));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/scim\+json/);
    expect(answer.body).toEqual({ schemas: [LIST_RESPONSE_MESSAGE], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });

  it('creates the user (Example 2: enterprise extension URN misspelt, nulls) with 201 and Location; the same userName again is 409', async () => {
    const created = await scim('POST', '/Users', fixture('entra/create-user-example-2.json'));
    expect(created.status).toBe(201);
    userId = String(created.body!.id);
    expect(created.headers.get('location')).toMatch(new RegExp(`/scim/v2/Users/${userId}$`));
    expect(created.body).toMatchObject({
      schemas: [USER_SCHEMA],
      externalId: 'jyoung',
      userName: 'jyoung@testuser.com',
      displayName: 'Joy Young',
      name: { givenName: 'Joy', familyName: 'Young' },
      active: true,
      emails: [{ value: 'jyoung@testuser.com', type: 'work', primary: true }],
      meta: { resourceType: 'User' },
    });
    expect(await row('select display_name as name, external_id as "externalId", active, role from users where public_id = ?', userId)).toEqual({
      name: 'Joy Young',
      externalId: 'jyoung',
      active: 1,
      role: 'learner',
    });
    const again = await scim('POST', '/Users', fixture('entra/create-user-example-2.json'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ schemas: [ERROR_MESSAGE], status: '409', scimType: 'uniqueness' });
  });

  it('finds the user by userName eq (any case) and by externalId; pages with startIndex and count', async () => {
    const byName = await scim('GET', filterPath('Users', 'userName eq "JYoung@TestUser.com"'));
    expect(byName.body).toMatchObject({ totalResults: 1, Resources: [{ id: userId, userName: 'jyoung@testuser.com' }] });
    const byExternal = await scim('GET', filterPath('Users', 'externalId eq "jyoung"'));
    expect((byExternal.body!.Resources as Array<{ id: string }>).map((u) => u.id)).toEqual([userId]);
    // Example 1 prints the value unquoted, which RFC 7644 does not allow: a clear 400.
    const unquoted = await scim('GET', filterPath('Users', (fixture('entra/filters.json') as Record<string, string>).queryByExternalIdUnquoted!));
    expect(unquoted.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    const page = await scim('GET', '/Users?startIndex=2&count=1');
    expect(page.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    const bad = await scim('GET', filterPath('Users', 'userName xx "a"'));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ scimType: 'invalidFilter' });
  });

  it('PATCH replaces attributes (capitalised ops, path filters, unknown enterprise attribute ignored) and sets the department, creating it', async () => {
    const patched = await scim('PATCH', `/Users/${userId}`, fixture('entra/compat-replace-multiple-without-flag.json'));
    expect(patched.status).toBe(200);
    // The address Manabi keeps is userName; emails mirror it, so the work email's replace changes nothing.
    expect(patched.body).toMatchObject({ userName: 'jyoung@testuser.com', displayName: 'Pvlo', name: { givenName: 'Gtfd', familyName: 'Pkqf' }, externalId: 'Eqpj' });
    const renamed = await scim('PATCH', `/Users/${userId}`, fixture('entra/patch-user-single-valued.json'));
    expect(renamed.body).toMatchObject({ userName: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com', emails: [{ value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }] });
    expect(await row('select email from users where public_id = ?', userId)).toEqual({ email: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' });
    const taken = await scim('PATCH', `/Users/${userId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'userName', value: 'admin@example.com' }],
    });
    expect(taken.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    const department = await scim('PATCH', `/Users/${userId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Add', path: `${ENT}:department`, value: '新規事業部' }],
    });
    expect(department.status).toBe(200);
    expect(department.body).toMatchObject({ [ENT]: { department: '新規事業部' } });
    expect(await row('select d.name from users u join departments d on d.id = u.department_id where u.public_id = ?', userId)).toEqual({ name: '新規事業部' });
    const unchanged = await scim('GET', `/Users/${userId}`);
    expect(unchanged.body).toMatchObject({ id: userId, displayName: 'Pvlo' });
  });

  it('sets the manager by id (Example 5) and refuses a manager that does not exist', async () => {
    const managerId = await publicIdOf('admin@example.com');
    const documented = '00aa00aa-bb11-cc22-dd33-44ee44ee44ee';
    const set = await scim('PATCH', `/Users/${userId}`, fixtureWith('entra/patch-user-add-manager.json', { [documented]: managerId }));
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ [ENT]: { manager: { value: managerId, displayName: 'admin' } } });
    const missing = await scim('PATCH', `/Users/${userId}`, fixtureWith('entra/patch-user-add-manager.json', { [documented]: 'nobody-at-all' }));
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ scimType: 'invalidValue' });
    expect(await row('select m.public_id as id from users u join users m on m.id = u.manager_id where u.public_id = ?', userId)).toEqual({ id: managerId });
  });

  it('creates a group, finds it by displayName without members, adds and removes the member', async () => {
    const created = await scim('POST', '/Groups', fixture('entra/create-group.json'));
    expect(created.status).toBe(201);
    groupId = String(created.body!.id);
    expect(created.body).toMatchObject({ schemas: [GROUP_SCHEMA], displayName: 'displayName', externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', members: [] });
    const found = await scim('GET', filterPath('Groups', (fixture('entra/filters.json') as Record<string, string>).getGroupByDisplayName!, '&excludedAttributes=members'));
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id: groupId }] });
    expect((found.body!.Resources as object[])[0]).not.toHaveProperty('members');
    const member = 'f648f8d5ea4e4cd38e9c';
    const added = await scim('PATCH', `/Groups/${groupId}`, fixtureWith('entra/patch-group-add-members.json', { [member]: userId }));
    expect(added.status).toBe(200);
    expect((await scim('GET', `/Groups/${groupId}`)).body).toMatchObject({ members: [{ value: userId, type: 'User' }] });
    expect((await scim('GET', `/Users/${userId}`)).body).toMatchObject({ groups: [{ value: groupId, display: 'displayName' }] });
    const removed = await scim('PATCH', `/Groups/${groupId}`, fixtureWith('entra/patch-group-remove-members.json', { [member]: userId }));
    expect(removed.status).toBe(200);
    expect((await scim('GET', `/Groups/${groupId}`)).body).toMatchObject({ members: [] });
    const renamed = await scim('PATCH', `/Groups/${groupId}`, fixture('entra/patch-group-display-name.json'));
    expect(renamed.status).toBe(200);
  });

  it('PATCH active false deactivates the user, records kept, audited as scim', async () => {
    const disabled = await scim('PATCH', `/Users/${userId}`, fixture('entra/patch-user-disable.json'));
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ active: false });
    expect(await row('select active from users where public_id = ?', userId)).toEqual({ active: 0 });
    const audited = (await rows<{ action: string }>("select action from audit_log where actor_label = 'scim' order by id")).map((r) => r.action);
    expect(audited).toEqual(expect.arrayContaining(['user.created', 'user.updated', 'user.deactivated', 'scim.group_created', 'scim.group_updated']));
    expect((await scim('GET', '/Users/no-such-user')).status).toBe(404);
  });
});

describe('effects on people', () => {
  it('a user deactivated by SCIM is signed out on their next request', async () => {
    const { cookie } = await signIn(server.url, 'leaver@example.com', PASSWORD);
    expect((await get(server.url, '/account', cookie)).status).toBe(200);
    const disabled = await scim('PATCH', `/Users/${await publicIdOf('leaver@example.com')}`, fixture('okta/patch-user-deactivate.json'));
    expect(disabled.status).toBe(200);
    // Ended at once, not only refused when next seen (validation refuses an inactive user too).
    expect((await row<{ n: number }>('select count(*) as n from sessions s join users u on u.id = s.user_id where u.email = ?', 'leaver@example.com')).n).toBe(0);
    const next = await get(server.url, '/account', cookie);
    expect(next.status).toBe(302);
    expect(next.headers.get('location')).toMatch(/\/login/);
  });

  it('a group removal demotes an admin, but never the last active admin', async () => {
    const group = await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: ADMIN_GROUP, members: [] });
    expect(group.status).toBe(201);
    const groupId = String(group.body!.id);
    const promoted = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'it.lead@example.com', displayName: 'IT Lead' });
    const leadId = String(promoted.body!.id);
    const adminId = await publicIdOf('admin@example.com');
    const members = (op: string, ids: string[]) => ({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op, path: 'members', value: ids.map((value) => ({ value })) }],
    });
    expect((await scim('PATCH', `/Groups/${groupId}`, members('Add', [leadId, adminId]))).status).toBe(200);
    expect(await row('select role from users where public_id = ?', leadId)).toEqual({ role: 'admin' });
    // The new role's assignments follow at once (the default one for admins: the specialist tier),
    // and so do the dashboard's counts of people assigned per tier.
    const tiersOf = async (publicId: string): Promise<string[]> =>
      (
        await rows<{ tier: string }>(
          'select a.tier_id tier from assignment_enrolments e join assignments a on a.id = e.assignment_id join users u on u.id = e.user_id where u.public_id = ? order by 1',
          publicId,
        )
      ).map((r) => r.tier);
    const countedTiers = async (publicId: string): Promise<string> =>
      (await row<{ tiers: string }>('select k.tiers from kpi_people k join users u on u.id = k.user_id where u.public_id = ?', publicId)).tiers;
    expect(await tiersOf(leadId)).toContain('specialist');
    expect(await countedTiers(leadId)).toContain('specialist');
    expect((await scim('PATCH', `/Groups/${groupId}`, members('Remove', [leadId]))).status).toBe(200);
    expect(await row('select role from users where public_id = ?', leadId)).toEqual({ role: 'learner' });
    expect(await tiersOf(leadId)).not.toContain('specialist');
    expect(await countedTiers(leadId)).not.toContain('specialist');
    // The seeded admin is now the only active admin: removing them is answered, and refused.
    expect((await scim('PATCH', `/Groups/${groupId}`, members('Remove', [adminId]))).status).toBe(200);
    expect(await row('select role from users where public_id = ?', adminId)).toEqual({ role: 'admin' });
    expect(await row("select actor_label as actor, details from audit_log where action = 'user.role_change_refused' order by id desc limit 1")).toMatchObject({ actor: 'scim' });
    // Nor may SCIM deactivate the last admin.
    const disable = await scim('PATCH', `/Users/${adminId}`, fixture('entra/patch-user-disable.json'));
    expect(disable.status).toBe(400);
    expect(await row('select active from users where public_id = ?', adminId)).toEqual({ active: 1 });
  });
});

describe('Okta provisioning, as Okta documents it (PUT-based)', () => {
  it('looks up, refuses the create with a password, creates without, replaces by PUT, deactivates by PATCH', async () => {
    const filters = fixture('okta/filters.json') as Record<string, string>;
    expect((await scim('GET', filterPath('Users', filters.userExists!))).body).toMatchObject({ totalResults: 0 });
    const withPassword = await scim('POST', '/Users', fixture('okta/create-user.json'));
    expect(withPassword.status).toBe(400);
    expect(withPassword.body).toMatchObject({ schemas: [ERROR_MESSAGE], status: '400', scimType: 'invalidValue' });
    expect((await row<{ n: number }>("select count(*) as n from users where email = 'test.user@okta.local'")).n).toBe(0);
    const { password: _, ...body } = fixture('okta/create-user.json') as Record<string, unknown>;
    const created = await scim('POST', '/Users', body);
    expect(created.status).toBe(201);
    const id = String(created.body!.id);
    expect(created.body).toMatchObject({ userName: 'test.user@okta.local', displayName: 'Test User', locale: 'en', externalId: '00ujl29u0le5T6Aj10h7' });
    const replaced = await scim('PUT', `/Users/${id}`, fixtureWith('okta/put-user.json', { '23a35c27-23d3-4c03-b4c5-6443c09e7173': id }));
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id, displayName: 'Another User', name: { givenName: 'Another', familyName: 'User' }, externalId: '00ujl29u0le5T6Aj10h7', active: true });
    const deactivated = await scim('PATCH', `/Users/${id}`, fixture('okta/patch-user-deactivate.json'));
    expect(deactivated.body).toMatchObject({ active: false });
    const deleted = await scim('DELETE', `/Users/${id}`);
    expect(deleted.status).toBe(204);
  });

  it('pushes a group: create, rename, replace members, remove one', async () => {
    const USER = '23a35c27-23d3-4c03-b4c5-6443c09e7173';
    const OTHER = '89bb1940-b905-4575-9e7f-6f887cfb368e';
    const GROUP = 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b';
    const a = String((await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'okta.a@example.com' })).body!.id);
    const b = String((await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'okta.b@example.com' })).body!.id);
    const created = await scim('POST', '/Groups', fixture('okta/create-group.json'));
    expect(created.status).toBe(201);
    const id = String(created.body!.id);
    const ids = { [USER]: a, [OTHER]: b, [GROUP]: id };
    expect((await scim('PATCH', `/Groups/${id}`, fixtureWith('okta/patch-group-name.json', ids))).status).toBe(200);
    expect((await scim('PATCH', `/Groups/${id}`, fixtureWith('okta/patch-group-replace-members.json', ids))).body).toMatchObject({ members: [{ value: a }, { value: b }] });
    const after = await scim('PATCH', `/Groups/${id}`, fixtureWith('okta/patch-group-members.json', ids));
    expect(after.status).toBe(200);
    expect((after.body!.members as Array<{ value: string }>).map((m) => m.value)).toEqual([a]);
    expect((await scim('DELETE', `/Groups/${id}`)).status).toBe(204);
    expect((await scim('GET', `/Groups/${id}`)).status).toBe(404);
  });
});
