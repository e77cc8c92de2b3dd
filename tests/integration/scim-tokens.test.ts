/**
 * SCIM bearer tokens in /admin/settings and from the command line, over real HTTP: a token made
 * by the form is shown once (on the page after the redirect, never again), listed with its name
 * and last use, works on /scim/v2, and once revoked there is refused at once. The CLI prints a
 * working token once and stores only its hash.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEnv, addUser, sqlRows, tempDb, type TempDb } from '../helpers/db.ts';
import { ROOT } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, signIn, submitForm } from '../helpers/http.ts';
import { scimClient } from '../helpers/scim.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const PASSWORD = 'scim tokens password';
let t: TempDb;
let server: RunningServer;
let cookie = '';

const TOKEN = /manabi_scim_[a-z0-9]+\.[a-z0-9]+/;

beforeAll(async () => {
  t = tempDb();
  await addUser(t.db, { email: 'admin@example.com', password: PASSWORD, role: 'admin' });
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
  cookie = (await signIn(server.url, 'admin@example.com', PASSWORD)).cookie!;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

describe('SCIM tokens in /admin/settings', () => {
  it('creates a token shown once, lists it with its last use, and revokes it', async () => {
    const created = await submitForm(server.url, '/en/admin/settings?_action=admin.createScimToken', cookie, { label: 'Entra ID' });
    expect(created.status).toBe(200);
    const page = await created.text();
    const token = TOKEN.exec(page)?.[0];
    expect(token, 'the token on the page after the redirect').toBeDefined();
    expect(page).toMatch(/Token (?:"|&quot;|&#34;)Entra ID(?:"|&quot;|&#34;) created/);
    // Only its hash is stored, and the page never shows it again.
    const stored = await sqlRows<{ hash: string }>(t.db, 'select secret_hash as hash from scim_tokens');
    expect(stored).toHaveLength(1);
    expect(token!).not.toContain(stored[0]!.hash);
    const again = await (await get(server.url, '/en/admin/settings', cookie)).text();
    expect(again).not.toMatch(TOKEN);
    expect(again).toContain('Entra ID');
    expect(again).toContain('Never');

    const scim = scimClient(server.url, token!);
    expect((await scim('GET', '/Users')).status).toBe(200);
    const listed = await (await get(server.url, '/admin/settings', cookie)).text();
    expect(listed).toContain('SCIM プロビジョニング');
    expect(listed).not.toContain('未使用');

    const id = String((await sqlRows<{ id: number }>(t.db, 'select id from scim_tokens'))[0]!.id);
    const revoked = await submitForm(server.url, '/en/admin/settings?_action=admin.revokeScimToken', cookie, { tokenId: id });
    expect(revoked.status).toBe(200);
    expect(await revoked.text()).toContain('Token revoked.');
    expect((await scim('GET', '/Users')).status).toBe(401);
    expect(await (await get(server.url, '/en/admin/settings', cookie)).text()).toContain('There are no active tokens.');
    const actions = (await sqlRows<{ action: string }>(t.db, "select action from audit_log where action like 'scim.token_%' order by id")).map((r) => r.action);
    expect(actions).toEqual(['scim.token_created', 'scim.token_revoked']);
  });

  it('refuses a blank name and an unknown token, changing nothing', async () => {
    const before = await sqlRows(t.db, 'select count(*) as n from scim_tokens');
    const blank = await submitForm(server.url, '/en/admin/settings?_action=admin.createScimToken', cookie, { label: '   ' });
    expect(await blank.text()).toContain('could not be created or revoked');
    const unknown = await submitForm(server.url, '/en/admin/settings?_action=admin.revokeScimToken', cookie, { tokenId: '999999' });
    expect(await unknown.text()).toContain('could not be created or revoked');
    expect(await sqlRows(t.db, 'select count(*) as n from scim_tokens')).toEqual(before);
  });
});

describe('npm run scim:token', () => {
  it('prints a working token once and stores only its hash', async () => {
    const output = execFileSync(process.execPath, ['src/cli/scim-token.ts', '--name', 'Okta'], {
      cwd: ROOT,
      env: { ...process.env, ...databaseEnv(t.file), NODE_ENV: 'development' },
      encoding: 'utf8',
    });
    const token = TOKEN.exec(output)?.[0];
    expect(token).toBeDefined();
    expect((await scimClient(server.url, token!)('GET', '/ServiceProviderConfig')).status).toBe(200);
    expect(await sqlRows(t.db, 'select label from scim_tokens where revoked_at is null')).toEqual([{ label: 'Okta' }]);
  });
});
