/**
 * Checklist 8: sign-in is throttled per client IP and per account (429 with Retry-After), with
 * no hard lock-out; an unknown email and a wrong password get the same answer in similar time.
 * (Per account means: per account and address, and per account for addresses that never signed
 * in to it; that an attacker elsewhere cannot keep the owner out is
 * signin-lockout-of-victim.test.ts.)
 *
 * The client IP is the socket's address (src/platform/http/request.server.ts → Astro's clientAddress;
 * X-Forwarded-For is trusted only for hosts listed in `security.allowedDomains`, which Manabi
 * does not set), so two IPs are two real local addresses (127.0.0.x: the whole 127/8 reaches
 * the loopback interface on Linux, as in CI), and a forged X-Forwarded-For must not move anyone
 * to a fresh bucket.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { auditLog } from '../../db/schema/index.ts';
import { median, PASSWORD, rawAfterPost, rawRequest, sessionCookieFrom, startApp, throttleDatabase, type App, type RawResponse } from './support.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { sqlRows } from '../helpers/db.ts';

const THROTTLED = 'サインインの試行が多すぎます。';
const INVALID = 'メールアドレスまたはパスワードが正しくありません。';
// 6 a minute plus a burst of 2 per IP; 3 a minute plus a burst of 1 per account
const LIMITS = { SIGNIN_IP_PER_MINUTE: '6', SIGNIN_IP_BURST: '2', SIGNIN_ACCOUNT_PER_MINUTE: '3', SIGNIN_ACCOUNT_BURST: '1' };
const PER_IP = 8;
const PER_ACCOUNT = 4;

let limited: App;
/** Addresses for the answer and timing checks: one per request, so the throttle never answers them. */
let nextAddress = 100;
const freshAddress = () => `127.0.0.${nextAddress++}`;
const KNOWN = Array.from({ length: 8 }, (_, i) => `known${i}`);

beforeAll(async () => {
  limited = await startApp({
    users: { victim: {}, bystander: {}, walker: {}, changer: {}, leaver: {}, invited: { password: null }, ...Object.fromEntries(KNOWN.map((k) => [k, {}])) },
    env: LIMITS,
    signIn: false,
    prepare: async (db) => {
      await sqlRows(db, "update users set active = false where email = 'leaver@example.com'");
    },
  });
});

afterAll(async () => {
  await limited?.stop();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

/**
 * A sign-in from `ip`, answered as the browser sees it: a refused one (303 without a session) is
 * followed to the sign-in page that shows why (post/redirect/get); a throttled one is answered
 * at once with 429, and a successful one is the 303 with the session cookie.
 */
async function signInFrom(app: App, ip: string, email: string, password: string, extra: Record<string, string> = {}, target = '/login?_action=auth.login'): Promise<RawResponse> {
  const posted = await rawRequest(app.url, target, {
    method: 'POST',
    localAddress: ip,
    headers: { origin: app.url, 'content-type': 'application/x-www-form-urlencoded', ...extra },
    body: new URLSearchParams({ email, password }).toString(),
  });
  return sessionCookieFrom(posted.setCookies) ? posted : rawAfterPost(app.url, posted, null, ip);
}

function expectThrottled(response: RawResponse, label: string): void {
  expect(response.status, label).toBe(429);
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `${label}: Retry-After ${response.headers['retry-after']}`).toBe(true);
  expect(sessionCookieFrom(response.setCookies), label).toBeNull();
}

describe('checklist 8: sign-in throttling per IP and per account, no hard lock-out, same answer for unknown email and wrong password', () => {
  it('throttles one account after its allowance, from any address it has not signed in from, and in any spelling of the email', async () => {
    for (let i = 0; i < PER_ACCOUNT; i++) {
      const response = await signInFrom(limited, '127.0.0.21', 'victim@example.com', `wrong guess ${i}`);
      expect(response.status, `guess ${i}`).toBe(401);
    }
    const blocked = await signInFrom(limited, '127.0.0.21', 'victim@example.com', PASSWORD);
    expectThrottled(blocked, 'right password, throttled');
    expect(blocked.body).toContain(THROTTLED);
    // another address does not get a fresh allowance for the same account
    expectThrottled(await signInFrom(limited, '127.0.0.22', 'victim@example.com', PASSWORD), 'second address');
    expectThrottled(await signInFrom(limited, '127.0.0.22', '  VICTIM@Example.COM ', PASSWORD), 'other spelling');
    // the action endpoint shares the buckets
    const rpc = await signInFrom(limited, '127.0.0.23', 'victim@example.com', PASSWORD, {}, '/_actions/auth.login');
    expectThrottled(rpc, 'action endpoint');
    // the throttle is per account: someone else signs in from the same address as usual
    const bystander = await signInFrom(limited, '127.0.0.22', 'bystander@example.com', PASSWORD);
    expect(bystander.status).toBe(303);
    expect(sessionCookieFrom(bystander.setCookies)).not.toBeNull();
    // throttled attempts are audited, without the password
    const rows = await rawDrizzle(limited.db)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'auth.sign_in_failed'), eq(auditLog.actorLabel, 'victim@example.com')));
    expect(rows.filter((r) => r.details?.reason === 'throttled').length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    // the server counted in the database (what every instance shares), without emails or addresses in clear
    const counters = await sqlRows(limited.db, 'select key, points from sign_in_limits');
    expect(counters.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(counters)).not.toMatch(/victim|example\.com|127\.0\.0/);
    expect(await sqlRows(limited.db, 'select cast(count(*) as integer) n from sign_in_known_addresses')).toEqual([{ n: 1 }]);
  });

  it('throttles one address after its allowance, whatever accounts it tries, and a forged X-Forwarded-For does not help', async () => {
    for (let i = 0; i < PER_IP; i++) {
      const response = await signInFrom(limited, '127.0.0.24', `nobody${i}@example.com`, 'spray password');
      expect(response.status, `attempt ${i}`).toBe(401);
    }
    expectThrottled(await signInFrom(limited, '127.0.0.24', 'walker@example.com', PASSWORD), 'right password from the busy address');
    for (const [i, header] of (['x-forwarded-for', 'x-real-ip', 'forwarded', 'x-client-ip'] as const).entries()) {
      const value = header === 'forwarded' ? `for=203.0.113.${i}` : `203.0.113.${i}`;
      expectThrottled(await signInFrom(limited, '127.0.0.24', `forged${i}@example.com`, 'spray password', { [header]: value }), header);
    }
    // another address is not affected
    expect((await signInFrom(limited, '127.0.0.25', 'walker@example.com', PASSWORD)).status).toBe(303);
  });

  it('throttles current-password guesses on the account page with the same per-account allowance', async () => {
    const signedIn = await signInFrom(limited, '127.0.0.26', 'changer@example.com', PASSWORD);
    const cookie = sessionCookieFrom(signedIn.setCookies)!;
    const change = async (current: string) =>
      rawAfterPost(
        limited.url,
        await rawRequest(limited.url, '/account?_action=auth.changePassword', {
          method: 'POST',
          localAddress: '127.0.0.26',
          headers: { origin: limited.url, cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ currentPassword: current, newPassword: 'a different password' }).toString(),
        }),
        cookie,
        '127.0.0.26',
      );
    for (let i = 1; i < PER_ACCOUNT; i++) expect((await change(`guess ${i}`)).status).toBe(400);
    expectThrottled(await change(PASSWORD), 'account page');
  });

  it('has no hard lock-out: a throttled account and address get in again once the minute has passed', async () => {
    vi.useFakeTimers({ now: new Date('2026-04-01T09:00:00Z') });
    vi.stubEnv('SIGNIN_IP_PER_MINUTE', '5');
    vi.stubEnv('SIGNIN_IP_BURST', '1');
    vi.stubEnv('SIGNIN_ACCOUNT_PER_MINUTE', '2');
    vi.stubEnv('SIGNIN_ACCOUNT_BURST', '1');
    // The limits are read once per process (getConfig): a fresh module graph reads the ones above.
    vi.resetModules();
    const { consumeSignInAttempt: consumeOn } = await import('../../src/features/auth/rate-limit.server.ts');
    // The counters live in the database: a fresh one, opened by the fresh module graph.
    const { db, dispose } = await throttleDatabase();
    onTestFinished(dispose);
    const consumeSignInAttempt = (ip: string, email: string) => consumeOn(db, ip, email);
    const attempt = () => consumeSignInAttempt('198.51.100.7', 'locked@example.com');
    for (let i = 0; i < 3; i++) expect(await attempt()).toBeNull();
    const wait = await attempt();
    expect(wait).not.toBeNull();
    expect(wait!).toBeLessThanOrEqual(60);
    // an attacker keeps guessing for ten minutes; the owner still gets attempts every minute
    let allowed = 0;
    for (let second = 0; second < 600; second += 10) {
      vi.advanceTimersByTime(10_000);
      if ((await attempt()) === null) allowed++;
    }
    expect(allowed).toBeGreaterThanOrEqual(10);
    vi.advanceTimersByTime(61_000);
    expect(await attempt()).toBeNull();
    // the address bucket refills the same way
    for (let i = 0; i < 10; i++) await consumeSignInAttempt('198.51.100.8', `spray${i}@example.com`);
    expect(await consumeSignInAttempt('198.51.100.8', 'fresh@example.com')).not.toBeNull();
    vi.advanceTimersByTime(61_000);
    expect(await consumeSignInAttempt('198.51.100.8', 'fresh2@example.com')).toBeNull();
  });

  it('gives one answer for a wrong password, an unknown email, a deactivated account and one without a password', async () => {
    const cases = [
      ['known0@example.com', 'not the password'],
      ['nobody-here@example.com', 'not the password'],
      ['leaver@example.com', PASSWORD],
      ['invited@example.com', 'not the password'],
    ] as const;
    const pages = new Set<string>();
    const json = new Set<string>();
    for (const [email, password] of cases) {
      const response = await signInFrom(limited, freshAddress(), email, password);
      expect(response.status, email).toBe(401);
      expect(response.body, email).toContain(INVALID);
      expect(sessionCookieFrom(response.setCookies)).toBeNull();
      pages.add(response.body.replaceAll(email, 'EMAIL'));
      const rpc = await signInFrom(limited, freshAddress(), email, password, {}, '/_actions/auth.login');
      expect(rpc.status, email).toBe(401);
      json.add(rpc.body);
    }
    expect(pages.size).toBe(1);
    expect(json.size).toBe(1);
  });

  it('takes similar time for an unknown email and a wrong password (both pay for a password hash)', async () => {
    const baseline: number[] = [];
    const unknown: number[] = [];
    const wrong: number[] = [];
    const timed = async (email: string, password: string, status: number): Promise<number> => {
      const start = performance.now();
      const response = await signInFrom(limited, freshAddress(), email, password);
      const elapsed = performance.now() - start;
      expect(response.status, email).toBe(status);
      return elapsed;
    };
    await timed('known1@example.com', 'warm up', 401);
    for (let i = 0; i < 7; i++) {
      baseline.push(await timed(`known${i + 1}@example.com`, 'p'.repeat(257), 400)); // refused before hashing
      unknown.push(await timed(`unknown${i}@example.com`, 'not the password', 401));
      wrong.push(await timed(`known${i + 1}@example.com`, `wrong password ${i}`, 401));
    }
    const [b, u, w] = [median(baseline), median(unknown), median(wrong)];
    const summary = `baseline ${b.toFixed(1)} ms, unknown email ${u.toFixed(1)} ms, wrong password ${w.toFixed(1)} ms`;
    expect(Math.max(u, w), summary).toBeLessThanOrEqual(3 * Math.min(u, w) + 50);
    // the hashing work itself is comparable: an unknown email is not answered at once
    expect(u - b, summary).toBeGreaterThanOrEqual((w - b) / 3);
    expect(w - b, summary).toBeGreaterThanOrEqual((u - b) / 3);
  });
});
