/**
 * Single sign-on against a real OpenID provider (oidc-provider) on 127.0.0.1: the flow through
 * Manabi's built server over HTTP and in Chromium, just-in-time provisioning, role changes from
 * the group claim, and every refusal (state, replayed code, nonce, issuer, audience, a rogue
 * signer, MFA, deactivated user) audited.
 */
import { desc, eq } from 'drizzle-orm';
import { afterPost } from '../helpers/http.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, departments, sessions, users } from '../../db/schema/index.ts';
import { type Db, rawDrizzle } from '../../src/platform/db.server.ts';
import { launchChromium } from '../helpers/browser.ts';
import { tempDb, type TempDb, reopenDb } from '../helpers/db.ts';
import { finish, Jar, toCallback } from '../helpers/oidc-flow.ts';
import { startProvider, type TestProvider } from '../helpers/oidc-provider.ts';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';
import { first } from '../../src/platform/query.ts';

/** The newest audit row of a kind, its details as JSON text. */
async function lastAudit(db: Db, action: string): Promise<{ details: string } | null> {
  const row = first(await rawDrizzle(db).select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id)).limit(1));
  return row ? { details: JSON.stringify(row.details) } : null;
}

let provider: TestProvider;
const servers: RunningServer[] = [];
let both: RunningServer;
let oidcOnly: RunningServer;
let mfa: RunningServer;
const dbs: TempDb[] = [];
let db: Db;

beforeAll(async () => {
  const providerPort = await freePort();
  const issuer = `http://127.0.0.1:${providerPort}`;
  const start = async (mode: 'both' | 'oidc', extra: Record<string, string> = {}): Promise<RunningServer> => {
    const t = tempDb();
    void t.db.close();
    dbs.push(t);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = await startServer({
      databasePath: t.file,
      port,
      env: {
        SITE_URL: url,
        AUTH_MODE: mode,
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: 'manabi',
        OIDC_CLIENT_SECRET: 'test-client-secret-0123456789abcdef',
        OIDC_REDIRECT_URI: `${url}/login/oidc/callback`,
        OIDC_SCOPES: 'openid email profile groups',
        OIDC_CLAIM_DEPARTMENT: 'department',
        OIDC_CLAIM_GROUPS: 'groups',
        OIDC_ADMIN_GROUPS: 'manabi-admins',
        OIDC_CHAMPION_GROUPS: 'manabi-champions,ai-champions',
        OIDC_ALLOW_HTTP: 'true',
        ...extra,
      },
    });
    servers.push(server);
    return server;
  };
  both = await start('both');
  oidcOnly = await start('oidc');
  mfa = await start('both', { OIDC_REQUIRE_MFA: 'true' });
  provider = await startProvider({
    port: providerPort,
    redirectUris: servers.map((s) => `${s.url}/login/oidc/callback`),
    postLogoutRedirectUris: servers.map((s) => `${s.url}/login?signed_out=1`),
  });
  provider.accounts.set('tanaka', { email: 'tanaka@example.co.jp', name: '田中 一郎', department: '営業部', groups: ['staff', 'ai-champions'] });
  provider.accounts.set('suzuki', { email: 'suzuki@example.co.jp', name: '鈴木 花子', department: '経理部', groups: ['staff'], amr: ['pwd'] });
  provider.accounts.set('mfa-user', { email: 'mfa@example.co.jp', name: 'MFA User', department: '情報システム部', groups: [], amr: ['pwd', 'otp'] });
  provider.accounts.set('browser', { email: 'browser@example.co.jp', name: 'ブラウザ 太郎', department: '人事部', groups: ['staff'] });
  db = reopenDb(dbs[0]!.file);
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await provider?.close();
  if (db) void db.close();
  for (const t of dbs) t.cleanup();
});

describe('single sign-on over HTTP', () => {
  it('provisions a new user with the mapped department and role, and starts a session', async () => {
    const { location, session } = await finish(await toCallback(both.url, provider.issuer, 'tanaka'));
    expect(location).toBe('/home');
    expect(session).not.toBeNull();
    const user = first(await rawDrizzle(db).select().from(users).where(eq(users.email, 'tanaka@example.co.jp')))!;
    expect(user.role).toBe('champion');
    expect(user.oidcSubject).toBe('tanaka');
    expect(user.oidcIssuer).toBe(provider.issuer);
    expect(user.passwordHash).toBeNull();
    expect(first(await rawDrizzle(db).select().from(departments).where(eq(departments.id, user.departmentId!)))!.name).toBe('営業部');
    expect(first(await rawDrizzle(db).select().from(sessions).where(eq(sessions.userId, user.id)))!.authMethod).toBe('oidc');
    expect((await lastAudit(db, 'user.created'))!.details).toContain('"via":"oidc"');
    expect((await lastAudit(db, 'auth.sign_in'))!.details).toContain('"method":"oidc"');
    const home = await fetch(`${both.url}/home`, { headers: { cookie: `manabi_session=${session}` }, redirect: 'manual' });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('田中 一郎');
  });

  it('changes role and department at the next sign-in when the claims change, and audits it', async () => {
    provider.accounts.set('tanaka', { email: 'tanaka@example.co.jp', name: '田中 一郎', department: '企画部', groups: ['staff', 'manabi-admins'] });
    const { session } = await finish(await toCallback(both.url, provider.issuer, 'tanaka'));
    expect(session).not.toBeNull();
    const user = first(await rawDrizzle(db).select().from(users).where(eq(users.email, 'tanaka@example.co.jp')))!;
    expect(user.role).toBe('admin');
    expect(first(await rawDrizzle(db).select().from(departments).where(eq(departments.id, user.departmentId!)))!.name).toBe('企画部');
    const updated = JSON.parse((await lastAudit(db, 'user.updated'))!.details) as { changes: Record<string, { from: string; to: string }> };
    expect(updated.changes.role).toEqual({ from: 'champion', to: 'admin' });
    expect(updated.changes.department).toEqual({ from: '営業部', to: '企画部' });
    const admin = await fetch(`${both.url}/admin`, { headers: { cookie: `manabi_session=${session}` }, redirect: 'manual' });
    expect(admin.status).toBe(200);
  });

  it('refuses a callback whose state does not match, and audits it', async () => {
    const dance = await toCallback(both.url, provider.issuer, 'suzuki');
    const url = new URL(dance.callback);
    url.searchParams.set('state', `${url.searchParams.get('state')!.slice(0, -2)}xx`);
    const { location, session } = await finish({ ...dance, callback: url.href });
    expect(location).toBe('/login?sso=state');
    expect(session).toBeNull();
    expect((await lastAudit(db, 'auth.sign_in_failed'))!.details).toContain('"reason":"state"');
    expect(first(await rawDrizzle(db).select().from(users).where(eq(users.email, 'suzuki@example.co.jp')))).toBeNull();
  });

  it('refuses a replayed code', async () => {
    const dance = await toCallback(both.url, provider.issuer, 'suzuki');
    const flow = dance.jar.get(dance.callback, 'manabi_oidc')!;
    const first = await finish(dance);
    expect(first.location).toBe('/home');
    // An attacker replays the same callback with the same flow cookie.
    const replay = new Jar();
    replay.set(dance.callback, 'manabi_oidc', flow);
    const again = await finish({ callback: dance.callback, jar: replay });
    expect(again.location).toBe('/login?sso=code_rejected');
    expect(again.session).toBeNull();
    expect((await lastAudit(db, 'auth.sign_in_failed'))!.details).toContain('"reason":"code_rejected"');
  });

  it('refuses an ID token whose nonce is not this browser’s', async () => {
    const dance = await toCallback(both.url, provider.issuer, 'suzuki');
    const flow = JSON.parse(Buffer.from(dance.jar.get(dance.callback, 'manabi_oidc')!, 'base64url').toString()) as Record<string, string>;
    dance.jar.set(dance.callback, 'manabi_oidc', Buffer.from(JSON.stringify({ ...flow, nonce: 'not-the-nonce-sent' })).toString('base64url'));
    const { location, session } = await finish(dance);
    expect(location).toBe('/login?sso=nonce');
    expect(session).toBeNull();
    expect((await lastAudit(db, 'auth.sign_in_failed'))!.details).toContain('"reason":"nonce"');
  });

  it('refuses an ID token from another issuer or for another audience, even when validly signed', async () => {
    for (const [claim, value, reason] of [
      ['iss', 'https://login.evil.example', 'issuer'],
      ['aud', 'another-app', 'audience'],
    ] as const) {
      const dance = await toCallback(both.url, provider.issuer, 'suzuki');
      provider.tamperNextToken({ claim, value });
      const { location, session } = await finish(dance);
      expect(location, claim).toBe(`/login?sso=${reason}`);
      expect(session, claim).toBeNull();
      expect((await lastAudit(db, 'auth.sign_in_failed'))!.details).toContain(`"reason":"${reason}"`);
    }
  });

  it('refuses an ID token signed by a key that is not in the provider’s JWKS (a rogue at the token endpoint)', async () => {
    const dance = await toCallback(both.url, provider.issuer, 'suzuki');
    provider.tamperNextToken({ rogueSigner: 'foreign-key-same-kid', claims: { groups: ['manabi-admins'] } });
    const { location, session } = await finish(dance);
    expect(location).toBe('/login?sso=invalid_token');
    expect(session).toBeNull();
    expect((await lastAudit(db, 'auth.sign_in_failed'))!.details).toContain('"reason":"invalid_token"');
    expect(first(await rawDrizzle(db).select().from(users).where(eq(users.email, 'suzuki@example.co.jp')))?.role ?? null).not.toBe('admin');
  });

  it('keeps a user deactivated in Manabi out', async () => {
    await rawDrizzle(db).update(users).set({ active: false }).where(eq(users.email, 'suzuki@example.co.jp'));
    const { location, session } = await finish(await toCallback(both.url, provider.issuer, 'suzuki'));
    expect(location).toBe('/login?sso=deactivated');
    expect(session).toBeNull();
    expect((await lastAudit(db, 'auth.sign_in_failed'))!.details).toContain('"reason":"deactivated"');
    await rawDrizzle(db).update(users).set({ active: true }).where(eq(users.email, 'suzuki@example.co.jp'));
  });

  it('explains a refusal on the sign-in page in both languages', async () => {
    const ja = await (await fetch(`${both.url}/login?sso=mfa_required`)).text();
    expect(ja).toContain('多要素認証');
    const en = await (await fetch(`${both.url}/en/login?sso=mfa_required`)).text();
    expect(en).toContain('multi-factor authentication');
  });

  it('signs out at Manabi and sends the browser to the provider’s end-session endpoint', async () => {
    const { session } = await finish(await toCallback(both.url, provider.issuer, 'tanaka'));
    const [id] = session!.split('.');
    const out = await fetch(`${both.url}/logout?_action=auth.logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: both.url, cookie: `manabi_session=${session}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(out.status).toBe(303);
    const location = new URL(out.headers.get('location')!);
    expect(location.origin).toBe(provider.issuer);
    expect(location.pathname).toBe('/session/end');
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${both.url}/login?signed_out=1`);
    expect(first(await rawDrizzle(db).select().from(sessions).where(eq(sessions.id, id!)))).toBeNull();
  });
});

describe('AUTH_MODE=oidc', () => {
  it('shows no password form and refuses password sign-in with 403', async () => {
    const page = await (await fetch(`${oidcOnly.url}/login`)).text();
    expect(page).not.toContain('type="password"');
    expect(page).toContain('action="/login/oidc"');
    const posted = await fetch(`${oidcOnly.url}/login?_action=auth.login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: oidcOnly.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'someone@example.co.jp', password: 'whatever password' }),
    });
    // post/redirect/get: the refusal is shown, with its status, on the page the 303 leads to
    const response = await afterPost(oidcOnly.url, posted, null);
    expect(response.status).toBe(403);
    const rpc = await fetch(`${oidcOnly.url}/_actions/auth.login`, {
      method: 'POST',
      headers: { origin: oidcOnly.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'someone@example.co.jp', password: 'whatever password' }),
    });
    expect(rpc.status).toBe(403);
  });

  it('still signs in through the provider', async () => {
    const { location, session } = await finish(await toCallback(oidcOnly.url, provider.issuer, 'suzuki'));
    expect(location).toBe('/home');
    expect(session).not.toBeNull();
  });
});

describe('OIDC_REQUIRE_MFA', () => {
  it('refuses a sign-in without a second factor, and audits it', async () => {
    const mfaDb = reopenDb(dbs[2]!.file);
    try {
      const { location, session } = await finish(await toCallback(mfa.url, provider.issuer, 'suzuki'));
      expect(location).toBe('/login?sso=mfa_required');
      expect(session).toBeNull();
      expect((await lastAudit(mfaDb, 'auth.sign_in_failed'))!.details).toContain('"reason":"mfa_required"');
      expect(first(await rawDrizzle(mfaDb).select().from(users).where(eq(users.email, 'suzuki@example.co.jp')))).toBeNull();
    } finally {
      void mfaDb.close();
    }
  });

  it('accepts one with a second factor', async () => {
    const { location, session } = await finish(await toCallback(mfa.url, provider.issuer, 'mfa-user'));
    expect(location).toBe('/home');
    expect(session).not.toBeNull();
  });
});

describe('single sign-on in Chromium', () => {
  it('signs a new user in with the company account and lands on their home page', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${both.url}/login`);
      await page.getByRole('button', { name: '会社のアカウントでサインイン' }).click();
      await page.waitForURL(`${provider.issuer}/interaction/**`);
      await page.getByLabel('User').fill('browser');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(`${both.url}/home`);
      expect(await page.textContent('body')).toContain('ブラウザ 太郎');
      const user = first(await rawDrizzle(db).select().from(users).where(eq(users.email, 'browser@example.co.jp')))!;
      expect(first(await rawDrizzle(db).select().from(departments).where(eq(departments.id, user.departmentId!)))!.name).toBe('人事部');
    } finally {
      await browser.close();
    }
  });
});
