/**
 * Single sign-on sets roles from the provider's groups (OIDC_CLAIM_GROUPS). It obeys the rule
 * the role form and the imports obey (src/features/users/admin-rules.server.ts): no change leaves zero
 * active admins. A provider that drops the only admin from the admin group (a typo, a renamed
 * group) would otherwise close /admin to everyone, with only a shell to recover. Such a
 * demotion is not applied and is audited (`user.role_change_refused`); the sign-in still
 * succeeds, with the old role. Once another admin exists, the same demotion is applied.
 * Against the real test provider (tests/helpers/oidc-provider.ts) and the built server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finish, toCallback } from '../helpers/oidc-flow.ts';
import { startProvider, type TestProvider } from '../helpers/oidc-provider.ts';
import { freePort } from '../helpers/server.ts';
import { startApp, type App } from './support.ts';
import { sqlRows } from '../helpers/db.ts';

let app: App;
let provider: TestProvider;

beforeAll(async () => {
  const [port, providerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  app = await startApp({
    users: { boss: { role: 'admin', department: 'IT' }, learner: {} },
    port,
    env: {
      SITE_URL: url,
      AUTH_MODE: 'both',
      OIDC_ISSUER: `http://127.0.0.1:${providerPort}`,
      OIDC_CLIENT_ID: 'manabi',
      OIDC_CLIENT_SECRET: 'test-client-secret-0123456789abcdef',
      OIDC_SCOPES: 'openid email profile groups',
      OIDC_CLAIM_GROUPS: 'groups',
      OIDC_ADMIN_GROUPS: 'manabi-admins',
      OIDC_CHAMPION_GROUPS: 'manabi-champions',
      OIDC_ALLOW_HTTP: 'true',
    },
  });
  provider = await startProvider({ port: providerPort, redirectUris: [`${url}/login/oidc/callback`], postLogoutRedirectUris: [`${url}/login?signed_out=1`] });
});

afterAll(async () => {
  await app?.stop();
  await provider?.close();
});

const roleOf = async (email: string): Promise<string | undefined> => (await sqlRows<{ role: string }>(app.db, 'select role from users where email = ?', email))[0]?.role;
const audits = async (action: string): Promise<{ target_id: string; details: Record<string, unknown> }[]> =>
  (await sqlRows<{ target_id: string; details: string }>(app.db, 'select target_id, cast(details as text) details from audit_log where action = ? order by id', action)).map(
    (r) => ({
      target_id: r.target_id,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }),
  );

async function signIn(login: string, account: { email: string; groups: string[] }): Promise<string> {
  provider.accounts.set(login, { name: login, ...account });
  const { location, session } = await finish(await toCallback(app.url, provider.issuer, login));
  expect(location, login).toBe('/home');
  expect(session, login).not.toBeNull();
  return `manabi_session=${session}`;
}

const adminStatus = async (cookie: string): Promise<number> => (await fetch(`${app.url}/admin`, { headers: { cookie }, redirect: 'manual' })).status;

describe('single sign-on role changes obey the admin rules', () => {
  it('does not demote the only active admin: the sign-in succeeds with the old role, the refusal is audited, /admin stays open', async () => {
    // The boss's account was made in Manabi; the first SSO sign-in links it, and the groups say "staff".
    const cookie = await signIn('boss', { email: 'boss@example.com', groups: ['staff'] });
    expect(await roleOf('boss@example.com')).toBe('admin');
    expect(await audits('user.role_change_refused')).toEqual([{ target_id: String(app.ids.boss), details: { via: 'oidc', from: 'admin', to: 'learner', reason: 'last_admin' } }]);
    expect(await adminStatus(cookie)).toBe(200);
    // and again at the next sign-in, while the groups still say so
    await signIn('boss', { email: 'boss@example.com', groups: ['manabi-champions'] });
    expect(await roleOf('boss@example.com')).toBe('admin');
    expect((await audits('user.role_change_refused')).at(-1)!.details).toMatchObject({ from: 'admin', to: 'champion', reason: 'last_admin' });
  });

  it('applies the same demotion once another admin exists, and audits it as a change', async () => {
    const deputy = await signIn('deputy', { email: 'deputy@example.com', groups: ['manabi-admins'] });
    expect(await roleOf('deputy@example.com')).toBe('admin');
    const refusedBefore = (await audits('user.role_change_refused')).length;
    const boss = await signIn('boss', { email: 'boss@example.com', groups: ['staff'] });
    expect(await roleOf('boss@example.com')).toBe('learner');
    expect(await audits('user.role_change_refused')).toHaveLength(refusedBefore);
    expect((await audits('user.updated')).at(-1)).toMatchObject({ target_id: String(app.ids.boss), details: { via: 'oidc', changes: { role: { from: 'admin', to: 'learner' } } } });
    expect(await adminStatus(boss)).toBe(403);
    expect(await adminStatus(deputy)).toBe(200);
  });

  it('then keeps the deputy, now the only admin, an admin when the provider drops them too', async () => {
    const deputy = await signIn('deputy', { email: 'deputy@example.com', groups: [] });
    expect(await roleOf('deputy@example.com')).toBe('admin');
    expect((await audits('user.role_change_refused')).at(-1)).toMatchObject({ details: { from: 'admin', to: 'learner', reason: 'last_admin' } });
    expect(await adminStatus(deputy)).toBe(200);
    expect(await sqlRows(app.db, "select cast(count(*) as integer) n from users where role = 'admin' and active = true")).toEqual([{ n: 1 }]);
  });
});
