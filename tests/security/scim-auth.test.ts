/**
 * SCIM refuses everything but a live bearer token (RFC 6750) on every route, discovery
 * included: no header, a wrong, malformed or revoked token, Basic auth, or an admin's session
 * cookie alone → 401 with the SCIM error body, and nothing changes. Plus the limits: a body over
 * the SCIM limit is a SCIM 413 before any JSON is parsed, a non-JSON type 415, the rate limit
 * per token 429 with Retry-After (another token unaffected), a password attribute 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_MESSAGE, USER_SCHEMA } from '../../src/features/scim/constants.ts';
import { SCIM_BODY_LIMIT } from '../../src/features/scim/http.server.ts';
import { createScimToken, revokeScimToken } from '../../src/features/scim/tokens.server.ts';
import { addUser, tempDb, type TempDb, sqlRows } from '../helpers/db.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { signIn } from '../helpers/http.ts';
import { scimClient } from '../helpers/scim.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const PASSWORD = 'scim security password';
const RATE = 20;
let t: TempDb;
let server: RunningServer;
let good = '';
let revoked = '';
let adminCookie = '';

const userCount = async (): Promise<number> => Number((await sqlRows<{ n: number }>(t.db, 'select count(*) as n from users'))[0]!.n);
const newUser = (email: string) => ({ schemas: [USER_SCHEMA], userName: email });
const UNAUTHORIZED = { schemas: [ERROR_MESSAGE], status: '401', detail: 'Authorization with a valid bearer token is required.' };

beforeAll(async () => {
  t = tempDb();
  const adminId = await addUser(t.db, { email: 'admin@example.com', password: PASSWORD, role: 'admin' });
  good = (await createScimToken(t.db, 'good', { actorLabel: 'test' })).token;
  const old = await createScimToken(t.db, 'old', { actorLabel: 'test' });
  revoked = old.token;
  await revokeScimToken(t.db, old.id, { actor: { id: adminId, email: 'admin@example.com' }, ip: null });
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR, env: { SCIM_REQUESTS_PER_MINUTE: String(RATE) } });
  adminCookie = (await signIn(server.url, 'admin@example.com', PASSWORD)).cookie!;
}, 60_000);

afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

describe('SCIM authentication', () => {
  const wrongTokens = (): Array<[string, Record<string, string>]> => {
    const [pub, sec] = good.slice('manabi_scim_'.length).split('.') as [string, string];
    return [
      ['no Authorization header', {}],
      ['a wrong secret', { authorization: `Bearer manabi_scim_${pub}.${sec.slice(0, -1)}${sec.endsWith('a') ? 'b' : 'a'}` }],
      ['an unknown token', { authorization: 'Bearer manabi_scim_aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }],
      ['a malformed token', { authorization: `Bearer ${pub}` }],
      ['a revoked token', { authorization: `Bearer ${revoked}` }],
      ['Basic auth', { authorization: `Basic ${Buffer.from(`scim:${good}`).toString('base64')}` }],
      ['the token without the scheme', { authorization: good }],
      ["an admin's session cookie alone", { cookie: adminCookie }],
    ];
  };

  it('refuses every route and method with 401 and the SCIM error body, and changes nothing', async () => {
    const before = await userCount();
    const anonymous = scimClient(server.url, null);
    for (const [label, headers] of wrongTokens()) {
      for (const [method, path, body] of [
        ['GET', '/ServiceProviderConfig', undefined],
        ['GET', '/Schemas', undefined],
        ['GET', '/ResourceTypes', undefined],
        ['GET', '/Users', undefined],
        ['POST', '/Users', newUser(`intruder.${label.length}@example.com`)],
        ['POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Intruders' }],
        ['DELETE', '/Users/anything', undefined],
      ] as const) {
        const answer = await anonymous(method, path, body, headers);
        expect(answer.status, `${label}: ${method} ${path}`).toBe(401);
        expect(answer.contentType).toMatch(/^application\/scim\+json/);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(answer.body, label).toEqual(UNAUTHORIZED);
      }
    }
    expect(await userCount()).toBe(before);
    expect(Number((await sqlRows<{ n: number }>(t.db, 'select count(*) as n from scim_groups'))[0]!.n)).toBe(0);
  });

  it('serves a live token, without an Origin header, and records its last use', async () => {
    const answer = await scimClient(server.url, good)('GET', '/ServiceProviderConfig');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ patch: { supported: true }, authenticationSchemes: [{ type: 'oauthbearertoken' }] });
    const created = await scimClient(server.url, good)('POST', '/Users', newUser('allowed@example.com'));
    expect(created.status).toBe(201);
    const [used] = await sqlRows<{ at: number | Date | null }>(t.db, "select last_used_at as at from scim_tokens where label = 'good'");
    expect(used!.at).not.toBeNull();
  });
});

describe('SCIM limits and validation', () => {
  it('a body over the SCIM limit is a SCIM 413, a non-JSON body type 415, broken JSON 400; nothing stored', async () => {
    const scim = scimClient(server.url, good);
    const before = await userCount();
    const big = JSON.stringify({ ...newUser('big@example.com'), displayName: 'x'.repeat(SCIM_BODY_LIMIT) });
    const tooLarge = await scim('POST', '/Users', big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ schemas: [ERROR_MESSAGE], status: '413' });
    const form = await scim('POST', '/Users', 'userName=form@example.com', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.body).toMatchObject({ schemas: [ERROR_MESSAGE], status: '415' });
    const broken = await scim('POST', '/Users', '{"schemas": [', {});
    expect(broken.body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    const password = await scim('POST', '/Users', { ...newUser('pw@example.com'), password: 'hunter2hunter2' });
    expect(password.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect(await userCount()).toBe(before);
  });

  it('throttles per token: 429 with Retry-After once the minute is used up; another token goes on', async () => {
    const { token } = await createScimToken(t.db, 'busy', { actorLabel: 'test' });
    const busy = scimClient(server.url, token);
    const statuses: number[] = [];
    for (let i = 0; i < RATE + 2; i++) statuses.push((await busy('GET', '/Users?count=1')).status);
    expect(statuses.slice(0, RATE).every((s) => s === 200)).toBe(true);
    const limited = await busy('GET', '/Users?count=1');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ schemas: [ERROR_MESSAGE], status: '429' });
    expect((await scimClient(server.url, good)('GET', '/Users?count=1')).status).toBe(200);
  });
});
