/**
 * Issue 11, item 15: ID tokens were not checked against the provider's keys. openid-client v6
 * skips the signature check of an ID token from the token endpoint (it trusts TLS) unless
 * `enableNonRepudiationChecks` is on, so whoever answered at the issuer's token endpoint (a
 * plain-http issuer, a broken TLS path) could sign a user in as admin with a key of their own.
 * Here a real OpenID provider (oidc-provider, plain http) has its token answer re-signed by a
 * rogue: every such token is refused, audited, and changes nothing.
 */
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, sessions, users } from '../../db/schema/index.ts';
import { finish, toCallback } from '../helpers/oidc-flow.ts';
import { startProvider, type Tamper, type TestProvider } from '../helpers/oidc-provider.ts';
import { freePort } from '../helpers/server.ts';
import { startApp, type App } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { first } from '../../src/platform/query.ts';

let app: App;
let provider: TestProvider;

beforeAll(async () => {
  const [port, providerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const issuer = `http://127.0.0.1:${providerPort}`;
  app = await startApp({
    users: { boss: { role: 'admin', department: 'IT' } },
    port,
    signIn: false,
    env: {
      SITE_URL: url,
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: 'manabi',
      OIDC_CLIENT_SECRET: 'test-client-secret-0123456789abcdef',
      OIDC_SCOPES: 'openid email profile groups',
      OIDC_CLAIM_GROUPS: 'groups',
      OIDC_ADMIN_GROUPS: 'manabi-admins',
      OIDC_ALLOW_HTTP: 'true',
    },
    // the admin's account is linked to the provider identity `boss`
    prepare: async (db) => void (await rawDrizzle(db).update(users).set({ oidcIssuer: issuer, oidcSubject: 'boss' }).where(eq(users.email, 'boss@example.com'))),
  });
  provider = await startProvider({ port: providerPort, redirectUris: [`${url}/login/oidc/callback`], postLogoutRedirectUris: [`${url}/login?signed_out=1`] });
  provider.accounts.set('mallory', { email: 'mallory@example.com', name: 'Mallory', groups: ['staff'] });
});

afterAll(async () => {
  await app?.stop();
  await provider?.close();
});

const userByEmail = async (email: string) => first(await rawDrizzle(app.db).select().from(users).where(eq(users.email, email)));
const sessionsOf = async (userId: number) => await rawDrizzle(app.db).select().from(sessions).where(eq(sessions.userId, userId));
const lastFailure = async () => first(await rawDrizzle(app.db).select().from(auditLog).where(eq(auditLog.action, 'auth.sign_in_failed')).orderBy(desc(auditLog.id)).limit(1));

async function signInWith(tamper: Tamper): Promise<{ location: string; session: string | null }> {
  const dance = await toCallback(app.url, provider.issuer, 'mallory');
  provider.tamperNextToken(tamper);
  return finish(dance);
}

const ROGUES = ['foreign-key', 'foreign-key-same-kid', 'client-secret', 'none'] as const;

describe('issue 11 item 15: ID tokens must carry the provider’s signature', () => {
  it('signs in with a genuine token (the control)', async () => {
    const { location, session } = await signInWith(null);
    expect(location).toBe('/home');
    expect(session).not.toBeNull();
    expect((await userByEmail('mallory@example.com'))!.role).toBe('learner');
  });

  it.each(ROGUES)('refuses a token signed by a rogue (%s) that makes the user an admin', async (rogueSigner) => {
    const mallory = await userByEmail('mallory@example.com');
    const before = mallory ? (await sessionsOf(mallory.id)).length : 0;
    const { location, session } = await signInWith({ rogueSigner, claims: { groups: ['manabi-admins'] } });
    expect(location).toBe('/login?sso=invalid_token');
    expect(session).toBeNull();
    expect((await userByEmail('mallory@example.com'))?.role ?? 'learner').toBe('learner');
    if (mallory) expect(await sessionsOf(mallory.id)).toHaveLength(before);
    const audited = (await lastFailure())!;
    expect(audited.details).toMatchObject({ method: 'oidc', reason: 'invalid_token' });
  });

  it.each(ROGUES)('refuses a token signed by a rogue (%s) that claims to be the admin’s identity', async (rogueSigner) => {
    const boss = (await userByEmail('boss@example.com'))!;
    const { location, session } = await signInWith({ rogueSigner, claims: { sub: 'boss', email: 'boss@example.com', groups: ['manabi-admins'] } });
    expect(location).toBe('/login?sso=invalid_token');
    expect(session).toBeNull();
    expect(await sessionsOf(boss.id)).toHaveLength(0);
    expect(
      await rawDrizzle(app.db)
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'auth.sign_in'), eq(auditLog.actorUserId, boss.id))),
    ).toHaveLength(0);
  });

  it('still signs in with a genuine token afterwards (the provider’s keys were fetched, not replaced)', async () => {
    const { location, session } = await signInWith(null);
    expect(location).toBe('/home');
    const home = await fetch(`${app.url}/home`, { headers: { cookie: `manabi_session=${session}` }, redirect: 'manual' });
    expect(home.status).toBe(200);
  });
});
