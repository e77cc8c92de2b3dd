/**
 * Sign-in throttling (rate-limiter-flexible). Three buckets, each a steady rate per minute with
 * a burst allowance per ten minutes; an attempt takes a token from each that applies, in order,
 * and stops at the first empty one (so a throttled attempt costs the later buckets nothing):
 * 1. per client address (SIGNIN_IP_*): a password spray from one address;
 * 2. per account and address (SIGNIN_ACCOUNT_*): guessing one account from one address;
 * 3. per account (SIGNIN_ACCOUNT_*), only for addresses the account has never signed in from:
 *    guessing one account from many addresses.
 * An attacker can empty bucket 3, but not keep the account's owner out: an address where the
 * right password was given before skips it (./known-addresses.server.ts, 30 days). A full bucket
 * answers 429 with Retry-After and refills with time: no hard lock-out.
 *
 * Shared by every instance (issue 18): the counters live in the database (table sign_in_limits,
 * rate-limiter-flexible's PostgreSQL or SQLite store on the app's own connection:
 * src/platform/limiter-store.server.ts), so instances behind a load balancer count the same
 * attempts against the one limit, and a restart hands nobody a fresh allowance. The keys are
 * SHA-256 of the address, the account, or both: no email or address in clear, and within the
 * store's varchar(255) (an email alone may have 254 characters).
 *
 * When the database cannot answer (a lost connection, a statement timeout, a file locked past the
 * busy timeout), an attempt is not let through unthrottled: that bucket counts it in this
 * instance's memory instead (the limiter Manabi had before: the same limits, per instance), and a
 * warning is logged (at most once a minute per database, with how many calls fell back since).
 * Refusing every attempt instead would make a database hiccup a sign-in outage for everyone, and
 * a real outage refuses sign-ins anyway (the password check reads the database). Likewise, while
 * the known addresses cannot be read, this instance's own record of them answers.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { inArray, lt } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { BurstyRateLimiter, type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { signInLimits } from '../../../db/schema/index.ts';
import { now as clockNow, nowMs } from '../../platform/clock.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { normalizeEmail } from '../../platform/input/email.ts';
import { databaseLimiter, onLimiterConnection } from '../../platform/limiter-store.server.ts';
import { logger } from '../../platform/log.server.ts';
import { changes } from '../../platform/query.ts';
import { isKnownAddress, KNOWN_ADDRESS_TTL_MS, pruneKnownAddresses, recordKnownAddress, throttleKey } from './known-addresses.server.ts';

/** db/schema/auth.ts `signInLimits`: the store's table (created by our migrations). */
const LIMITS_TABLE = 'sign_in_limits';
/** Counters are pruned this long after their window ended (instances' clocks may differ a little). */
const PRUNE_MARGIN_MS = 3_600_000;
export const THROTTLE_PRUNE_BATCH = 500;

interface Bucket {
  name: string;
  /** The counters every instance shares. */
  shared: BurstyRateLimiter;
  /** This instance's counters: only while the database cannot answer. */
  local: BurstyRateLimiter;
}

function bucket(db: Db, name: string, steadyPerMinute: number, burstPerTenMinutes: number): Bucket {
  const pair = (make: (keyPrefix: string, points: number, duration: number) => RateLimiterAbstract): BurstyRateLimiter =>
    new BurstyRateLimiter(make(name, steadyPerMinute, 60), make(`${name}-burst`, burstPerTenMinutes, 600));
  return {
    name,
    shared: pair((keyPrefix, points, duration) => databaseLimiter(db, { keyPrefix, points, duration, tableName: LIMITS_TABLE })),
    local: pair((keyPrefix, points, duration) => new RateLimiterMemory({ keyPrefix, points, duration })),
  };
}

interface Throttle {
  perIp: Bucket;
  perAccountAndIp: Bucket;
  perAccount: Bucket;
  /** Known addresses this instance saw: answers only while the table cannot (about 100 bytes each). */
  knownHere: LRUCache<string, true>;
  failures: { loggedAt: number | null; since: number };
}

/** One set of limiters per database handle (an instance has one; a test may open several). */
const throttles = new WeakMap<Db, Throttle>();

/** Made on first use from the configured limits (SIGNIN_*), so importing this module reads no configuration. */
function throttleOf(db: Db): Throttle {
  const existing = throttles.get(db);
  if (existing) return existing;
  const { ipPerMinute, ipBurst, accountPerMinute, accountBurst } = getConfig().signInLimits;
  const throttle: Throttle = {
    perIp: bucket(db, 'ip', ipPerMinute, ipBurst),
    perAccountAndIp: bucket(db, 'account-ip', accountPerMinute, accountBurst),
    perAccount: bucket(db, 'account', accountPerMinute, accountBurst),
    knownHere: new LRUCache<string, true>({ max: 20_000, ttl: KNOWN_ADDRESS_TTL_MS }),
    failures: { loggedAt: null, since: 0 },
  };
  throttles.set(db, throttle);
  return throttle;
}

/** Logged, never silent: the first failure, then at most once a minute with the count since. */
function storageFailed(throttle: Throttle, error: unknown, what: string): void {
  const { failures } = throttle;
  failures.since++;
  const at = nowMs();
  if (failures.loggedAt !== null && at - failures.loggedAt < 60_000) return;
  logger.warn({ err: error, what, fallbacks: failures.since }, 'sign-in throttle storage unavailable: counting in this instance only');
  failures.loggedAt = at;
  failures.since = 0;
}

const secondsToWait = (res: RateLimiterRes): number => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** Takes a token from the bucket: null when there was one, else the seconds to wait. */
async function take(db: Db, throttle: Throttle, bucket: Bucket, key: string): Promise<number | null> {
  try {
    await onLimiterConnection(db, () => bucket.shared.consume(key));
    return null;
  } catch (error) {
    if (error instanceof RateLimiterRes) return secondsToWait(error);
    storageFailed(throttle, error, `bucket ${bucket.name}`);
  }
  try {
    await bucket.local.consume(key);
    return null;
  } catch (error) {
    if (error instanceof RateLimiterRes) return secondsToWait(error);
    throw error;
  }
}

async function isKnown(db: Db, throttle: Throttle, pair: string): Promise<boolean> {
  try {
    return await isKnownAddress(db, pair, clockNow());
  } catch (error) {
    storageFailed(throttle, error, 'known addresses');
    return throttle.knownHere.has(pair);
  }
}

const accountKey = (email: string): string => normalizeEmail(email).slice(0, 254);
const pairKey = (account: string, ip: string): string => throttleKey(`${account}\n${ip}`);

/**
 * Takes a token from each bucket that applies; returns the seconds to wait when one is empty,
 * else null. Call it before checking the password, for every attempt.
 */
export async function consumeSignInAttempt(db: Db, ip: string | null, email: string): Promise<number | null> {
  const throttle = throttleOf(db);
  const account = accountKey(email);
  const address = ip ?? 'unknown';
  const perIp = await take(db, throttle, throttle.perIp, throttleKey(address));
  if (perIp !== null) return perIp;
  const perPair = await take(db, throttle, throttle.perAccountAndIp, pairKey(account, address));
  if (perPair !== null) return perPair;
  // Without a real address every client looks alike: no address is known then.
  if (ip !== null && (await isKnown(db, throttle, pairKey(account, ip)))) return null;
  return take(db, throttle, throttle.perAccount, throttleKey(account));
}

/** Remembers that this address knew the account's password; call only after a successful check. */
export async function rememberSignInAddress(db: Db, ip: string | null, email: string): Promise<void> {
  if (ip === null) return;
  const throttle = throttleOf(db);
  const pair = pairKey(accountKey(email), ip);
  throttle.knownHere.set(pair, true);
  try {
    await recordKnownAddress(db, pair, clockNow());
  } catch (error) {
    // The sign-in itself goes on: the owner is only throttled like a new address elsewhere.
    storageFailed(throttle, error, 'known addresses');
  }
}

/** Deletes up to `limit` counters whose window ended over an hour ago. */
async function pruneCounters(db: Db, now: Date, limit: number): Promise<number> {
  const t = signInLimits;
  const before = now.getTime() - PRUNE_MARGIN_MS;
  return db.write(async (tx) => changes(await tx.delete(t).where(inArray(t.key, tx.select({ key: t.key }).from(t).where(lt(t.expire, before)).limit(limit)))));
}

/**
 * Housekeeping (src/platform/housekeeping.server.ts): expired counters and known addresses,
 * `batchSize` rows per statement, yielding between statements.
 */
export async function pruneSignInThrottle(db: Db, now = clockNow(), batchSize = THROTTLE_PRUNE_BATCH): Promise<{ counters: number; knownAddresses: number }> {
  const total = { counters: 0, knownAddresses: 0 };
  for (const [field, prune] of [
    ['counters', pruneCounters],
    ['knownAddresses', pruneKnownAddresses],
  ] as const) {
    for (;;) {
      const deleted = await prune(db, now, batchSize);
      total[field] += deleted;
      if (deleted < batchSize) break;
      await nextTurn();
    }
  }
  return total;
}
