/**
 * Issue 11, item 6: an attacker could keep a colleague from signing in. One wrong password
 * every 6 s for 150 s from one address made the victim's correct sign-ins from another address
 * answer 429 five times out of nine: the per-account bucket was shared by every address.
 * Now the account is throttled per account and address, plus per account for addresses that
 * never signed in to it; an address where the right password was given before keeps its way in.
 * Spraying one password over many accounts from one address is still throttled per address.
 * Limits are the defaults (30 a minute + 30 burst per address; 5 + 5 per account).
 * Two client addresses are two real local addresses (127.0.0.x all reach the loopback).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { PASSWORD, rawAfterPost, rawRequest, sessionCookieFrom, startApp, throttleDatabase, type App, type RawResponse } from './support.ts';

const DEFAULTS = { SIGNIN_IP_PER_MINUTE: '30', SIGNIN_IP_BURST: '30', SIGNIN_ACCOUNT_PER_MINUTE: '5', SIGNIN_ACCOUNT_BURST: '5' };
const VICTIM_ADDRESS = '127.0.0.41';
const ATTACKER_ADDRESS = '127.0.0.42';

/** A sign-in from `ip`; a refused one is followed to the page that shows it (post/redirect/get), a throttled one answers 429 at once. */
async function signInFrom(app: App, ip: string, email: string, password: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const posted = await rawRequest(app.url, '/login?_action=auth.login', {
    method: 'POST',
    localAddress: ip,
    headers: { origin: app.url, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ email, password }).toString(),
  });
  return sessionCookieFrom(posted.setCookies) ? posted : rawAfterPost(app.url, posted, null, ip);
}

describe('issue 11 item 6: an attacker elsewhere cannot keep a colleague out', () => {
  let app: App;
  beforeAll(async () => {
    app = await startApp({ users: { victim: {}, colleague: {}, ...Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`staff${i}`, {}])) }, env: DEFAULTS, signIn: false });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('the victim always gets in from the address they use, while one address guesses their password as fast as it can', async () => {
    // the victim has signed in from their desk before
    expect((await signInFrom(app, VICTIM_ADDRESS, 'victim@example.com', PASSWORD)).status).toBe(303);
    const attacker: number[] = [];
    const victim: number[] = [];
    for (let i = 0; i < 24; i++) {
      attacker.push((await signInFrom(app, ATTACKER_ADDRESS, 'victim@example.com', `wrong guess ${i}`)).status);
      if (i % 3 === 2) {
        const response = await signInFrom(app, VICTIM_ADDRESS, 'VICTIM@example.com ', PASSWORD);
        victim.push(response.status);
        expect(sessionCookieFrom(response.setCookies), `victim sign-in ${victim.length}`).not.toBeNull();
      }
    }
    expect(victim, 'every victim sign-in succeeds').toEqual(Array(8).fill(303));
    // the attacker is throttled after the account's allowance (5 + 5, less the victim's first sign-in)
    const answered = attacker.filter((s) => s === 401).length;
    expect(answered).toBeGreaterThanOrEqual(9);
    expect(attacker).toEqual([...Array(answered).fill(401), ...Array(24 - answered).fill(429)]);
  });

  it('keeps the per-account limit for addresses that never signed in: guessing from a second address is throttled too', async () => {
    // the attack above emptied the account's bucket for unknown addresses
    const second = await signInFrom(app, '127.0.0.43', 'victim@example.com', 'another guess');
    expect(second.status).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // even with the right password: a new address proves nothing until the bucket refills
    expect((await signInFrom(app, '127.0.0.43', 'victim@example.com', PASSWORD)).status).toBe(429);
  });

  it('a forged X-Forwarded-For naming the victim’s address does not borrow its way in (TRUST_PROXY is off)', async () => {
    const forged: Record<string, string>[] = [{ 'x-forwarded-for': VICTIM_ADDRESS }, { 'x-real-ip': VICTIM_ADDRESS }, { forwarded: `for=${VICTIM_ADDRESS}` }];
    for (const headers of forged) {
      expect((await signInFrom(app, '127.0.0.44', 'victim@example.com', 'guess', headers)).status, JSON.stringify(headers)).toBe(429);
    }
  });

  it('failed attempts never make an address known: the attacker’s address stays throttled for the account', async () => {
    expect((await signInFrom(app, ATTACKER_ADDRESS, 'victim@example.com', PASSWORD)).status).toBe(429);
  });

  it('still throttles a password spray from one address over many accounts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 64; i++) {
      const email = i < 5 ? `staff${i}@example.com` : `nobody${i}@example.com`;
      statuses.push((await signInFrom(app, '127.0.0.45', email, 'Spring2026!')).status);
    }
    expect(
      statuses.slice(0, 60).every((s) => s === 401),
      statuses.join(','),
    ).toBe(true);
    expect(statuses.slice(60)).toEqual([429, 429, 429, 429]);
    // the sprayed accounts themselves are not locked for their owners
    expect((await signInFrom(app, '127.0.0.46', 'staff0@example.com', PASSWORD)).status).toBe(303);
    expect((await signInFrom(app, '127.0.0.46', 'colleague@example.com', PASSWORD)).status).toBe(303);
  });
});

describe('the attack from the report, on the clock: one wrong password every 6 s for 150 s', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('lets all nine of the victim’s sign-ins through, and the attacker only its allowance', async () => {
    vi.useFakeTimers({ now: new Date('2026-06-01T09:00:00Z') });
    for (const [name, value] of Object.entries(DEFAULTS)) vi.stubEnv(name, value);
    // The limits are read once per process (getConfig): a fresh module graph reads the ones above.
    vi.resetModules();
    const limits = await import('../../src/features/auth/rate-limit.server.ts');
    // The counters and known addresses live in the database: a fresh one, opened by the fresh module graph.
    const { db, dispose } = await throttleDatabase();
    onTestFinished(dispose);
    const consumeSignInAttempt = (ip: string, email: string) => limits.consumeSignInAttempt(db, ip, email);
    const victim = async (): Promise<number | null> => {
      const wait = await consumeSignInAttempt('198.51.100.20', 'colleague@example.com');
      // the right password: the address is remembered, as the sign-in action does
      if (wait === null) await limits.rememberSignInAddress(db, '198.51.100.20', 'colleague@example.com');
      return wait;
    };
    expect(await victim()).toBeNull(); // yesterday's sign-in at the desk
    vi.advanceTimersByTime(24 * 3_600_000);

    const victimWaits: (number | null)[] = [];
    let attackerAllowed = 0;
    for (let second = 0; second < 150; second++) {
      if (second % 6 === 0 && (await consumeSignInAttempt('203.0.113.9', 'colleague@example.com')) === null) attackerAllowed++;
      if (second % 16 === 8) victimWaits.push(await victim());
      vi.advanceTimersByTime(1_000);
    }
    expect(victimWaits).toHaveLength(9);
    expect(victimWaits).toEqual(Array(9).fill(null));
    // 150 s at 10 a minute: the attacker gets its 5 + 5 and then about 5 a minute
    expect(attackerAllowed).toBeLessThanOrEqual(10 + 2 * 5);
    // and a third address, never used by the colleague, finds the account's bucket empty
    expect(await consumeSignInAttempt('192.0.2.77', 'colleague@example.com')).not.toBeNull();
  });
});
