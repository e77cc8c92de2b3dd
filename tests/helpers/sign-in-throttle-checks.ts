/**
 * Sign-in throttling shared by instances (issue 18), the same checks on SQLite and PostgreSQL:
 * two "instances" are two `Db` handles on one database, each with its own limiter objects (the
 * throttle keeps one set per handle), as two servers behind a load balancer would have. Each
 * check uses its own addresses and accounts, so they run in any order on one database.
 * The limits (THROTTLE_LIMITS) must be in the environment before the first getConfig().
 */
import { count } from 'drizzle-orm';
import { expect, vi } from 'vitest';
import { signInKnownAddresses, signInLimits } from '../../db/schema/index.ts';
import { consumeSignInAttempt, pruneSignInThrottle, rememberSignInAddress } from '../../src/features/auth/rate-limit.server.ts';
import { nowMs } from '../../src/platform/clock.ts';
import type { Db } from '../../src/platform/db.server.ts';
import { logger } from '../../src/platform/log.server.ts';
import { first } from '../../src/platform/query.ts';

/** 6 a minute plus a burst of 2 per address; 3 a minute plus a burst of 1 per account. */
export const THROTTLE_LIMITS = { SIGNIN_IP_PER_MINUTE: '6', SIGNIN_IP_BURST: '2', SIGNIN_ACCOUNT_PER_MINUTE: '3', SIGNIN_ACCOUNT_BURST: '1' };
const PER_IP = 8;
const PER_ACCOUNT = 4;

export function stubThrottleLimits(): void {
  for (const [name, value] of Object.entries(THROTTLE_LIMITS)) vi.stubEnv(name, value);
}

const throttled = (wait: number | null): boolean => wait !== null && wait >= 1 && wait <= 600;

/** One address spraying accounts, its attempts alternating between A and B: one allowance in all. */
export async function checkAddressCountedOnce(a: Db, b: Db): Promise<void> {
  const waits: (number | null)[] = [];
  for (let i = 0; i < PER_IP + 2; i++) waits.push(await consumeSignInAttempt(i % 2 === 0 ? a : b, '198.51.100.1', `spray${i}@example.com`));
  expect(waits.slice(0, PER_IP), 'the allowance, across both').toEqual(Array(PER_IP).fill(null));
  expect(waits.slice(PER_IP).map(throttled), 'then throttled on A and on B').toEqual([true, true]);
}

/** One account guessed from many addresses, over both instances: one per-account allowance. */
export async function checkAccountCountedOnce(a: Db, b: Db): Promise<void> {
  const waits: (number | null)[] = [];
  for (let i = 0; i < PER_ACCOUNT + 2; i++) waits.push(await consumeSignInAttempt(i % 2 === 0 ? a : b, `198.51.100.${10 + i}`, 'target@example.com'));
  expect(waits.slice(0, PER_ACCOUNT)).toEqual(Array(PER_ACCOUNT).fill(null));
  expect(waits.slice(PER_ACCOUNT).map(throttled)).toEqual([true, true]);
}

/** The owner signs in on A; an attacker empties the account's bucket; the owner's address still gets in on B. */
export async function checkKnownAddressShared(a: Db, b: Db): Promise<void> {
  const owner = '192.0.2.1';
  expect(await consumeSignInAttempt(a, owner, 'owner@example.com')).toBeNull();
  await rememberSignInAddress(a, owner, 'owner@example.com');
  const attacker: (number | null)[] = [];
  for (let i = 0; i < PER_ACCOUNT + 1; i++) attacker.push(await consumeSignInAttempt(i % 2 === 0 ? b : a, `203.0.113.${i + 1}`, 'owner@example.com'));
  expect(attacker.map(throttled), 'the attacker gets what the owner left of the allowance').toEqual([false, false, false, true, true]);
  expect(await consumeSignInAttempt(b, owner, ' OWNER@example.com'), 'the owner on B, from the address A knows').toBeNull();
  expect(throttled(await consumeSignInAttempt(b, '192.0.2.99', 'owner@example.com')), 'a new address on B').toBe(true);
}

/** A known address guessing its own account over both instances: one per-account-and-address allowance. */
export async function checkPairCountedOnce(a: Db, b: Db): Promise<void> {
  const desk = '192.0.2.2';
  expect(await consumeSignInAttempt(a, desk, 'pair@example.com')).toBeNull();
  await rememberSignInAddress(a, desk, 'pair@example.com');
  const waits: (number | null)[] = [];
  for (let i = 0; i < PER_ACCOUNT; i++) waits.push(await consumeSignInAttempt(i % 2 === 0 ? b : a, desk, 'pair@example.com'));
  expect(waits.map(throttled), 'three more, then throttled').toEqual([false, false, false, true]);
}

/**
 * `broken` cannot store anything (its tables or its server are gone): the attempts are still
 * throttled, in that instance's memory, and a warning says so.
 */
export async function checkStorageFailureFallsBack(broken: Db): Promise<void> {
  const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  try {
    const waits: (number | null)[] = [];
    for (let i = 0; i < PER_IP + 1; i++) waits.push(await consumeSignInAttempt(broken, '198.51.100.200', `fallback${i}@example.com`));
    expect(waits.slice(0, PER_IP)).toEqual(Array(PER_IP).fill(null));
    expect(throttled(waits[PER_IP]!), 'throttled in memory').toBe(true);
    expect(warn).toHaveBeenCalled();
    expect(String(warn.mock.calls[0]![1])).toContain('sign-in throttle storage unavailable');
    // a correct password still signs in (remembering fails quietly but logged), and the address
    // is known to this instance: an attacker who empties the account's bucket does not keep it out
    await rememberSignInAddress(broken, '192.0.2.50', 'kept@example.com');
    for (let i = 0; i < PER_ACCOUNT + 1; i++) await consumeSignInAttempt(broken, `203.0.113.${100 + i}`, 'kept@example.com');
    expect(throttled(await consumeSignInAttempt(broken, '203.0.113.120', 'kept@example.com'))).toBe(true);
    expect(await consumeSignInAttempt(broken, '192.0.2.50', 'kept@example.com')).toBeNull();
  } finally {
    warn.mockRestore();
  }
}

async function rowsOf(db: Db): Promise<{ counters: number; known: number }> {
  return db.read(async (q) => ({
    counters: first(await q.select({ n: count() }).from(signInLimits))!.n,
    known: first(await q.select({ n: count() }).from(signInKnownAddresses))!.n,
  }));
}

/** Housekeeping deletes counters an hour after their window and known addresses after 30 days, in batches. */
export async function checkPrune(db: Db): Promise<void> {
  const before = await rowsOf(db);
  expect(before.counters).toBeGreaterThan(4);
  expect(before.known).toBeGreaterThan(0);
  // nothing has expired yet
  expect(await pruneSignInThrottle(db)).toEqual({ counters: 0, knownAddresses: 0 });
  // the ten-minute windows ended over an hour ago; the addresses are younger than 30 days
  expect(await pruneSignInThrottle(db, new Date(nowMs() + 2 * 3_600_000), 3)).toEqual({ counters: before.counters, knownAddresses: 0 });
  expect(await pruneSignInThrottle(db, new Date(nowMs() + 31 * 24 * 3_600_000), 3)).toEqual({ counters: 0, knownAddresses: before.known });
  expect(await rowsOf(db)).toEqual({ counters: 0, known: 0 });
}

/** No email and no address is stored in clear. */
export async function checkNothingInClear(db: Db): Promise<void> {
  const stored = await db.read(async (q) => JSON.stringify([await q.select().from(signInLimits), await q.select().from(signInKnownAddresses)]));
  expect(stored.length).toBeGreaterThan(100);
  for (const clear of ['example.com', '198.51.100', '192.0.2', '203.0.113']) expect(stored).not.toContain(clear);
}
