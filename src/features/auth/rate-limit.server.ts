/**
 * Sign-in throttling (rate-limiter-flexible). Three buckets, each a steady rate per minute with
 * a burst allowance per ten minutes; an attempt takes a token from each that applies, in order,
 * and stops at the first empty one (so a throttled attempt costs the later buckets nothing):
 * 1. per client address (SIGNIN_IP_*): a password spray from one address;
 * 2. per account and address (SIGNIN_ACCOUNT_*): guessing one account from one address;
 * 3. per account (SIGNIN_ACCOUNT_*), only for addresses the account has never signed in from:
 *    guessing one account from many addresses.
 * An attacker can empty bucket 3, but not keep the account's owner out: an address where the
 * right password was given before skips it. Those addresses are remembered only after a
 * correct password, in a bounded memory (LRU, 30 days). A full bucket answers 429 with
 * Retry-After and refills with time: no hard lock-out.
 */
import { LRUCache } from 'lru-cache';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { normalizeEmail } from '../../platform/input/email.ts';
import { getConfig } from '../../platform/config.server.ts';

function bucket(name: string, steadyPerMinute: number, burstPerTenMinutes: number): BurstyRateLimiter {
  return new BurstyRateLimiter(
    new RateLimiterMemory({ keyPrefix: name, points: steadyPerMinute, duration: 60 }),
    new RateLimiterMemory({ keyPrefix: `${name}-burst`, points: burstPerTenMinutes, duration: 600 }),
  );
}

interface Buckets {
  perIp: BurstyRateLimiter;
  perAccountAndIp: BurstyRateLimiter;
  perAccount: BurstyRateLimiter;
}

let buckets: Buckets | null = null;

/** Made on first use from the configured limits (SIGNIN_*), so importing this module reads no configuration. */
function limiters(): Buckets {
  if (buckets) return buckets;
  const { ipPerMinute, ipBurst, accountPerMinute, accountBurst } = getConfig().signInLimits;
  buckets = {
    perIp: bucket('ip', ipPerMinute, ipBurst),
    perAccountAndIp: bucket('account-ip', accountPerMinute, accountBurst),
    perAccount: bucket('account', accountPerMinute, accountBurst),
  };
  return buckets;
}

/** Account and address pairs with a successful sign-in: about 150 bytes each, at most 100,000. */
const knownAddresses = new LRUCache<string, true>({ max: 100_000, ttl: 30 * 24 * 3_600_000 });

const accountKey = (email: string): string => normalizeEmail(email).slice(0, 254);
const pairKey = (account: string, ip: string): string => `${account}\n${ip}`;

/**
 * Takes a token from each bucket that applies; returns the seconds to wait when one is empty,
 * else null. Call it before checking the password, for every attempt.
 */
export async function consumeSignInAttempt(ip: string | null, email: string): Promise<number | null> {
  const account = accountKey(email);
  const address = ip ?? 'unknown';
  // Without a real address every client looks alike: no address is known then.
  const known = ip !== null && knownAddresses.has(pairKey(account, ip));
  const { perIp, perAccountAndIp, perAccount } = limiters();
  const steps: [BurstyRateLimiter, string][] = [
    [perIp, address],
    [perAccountAndIp, pairKey(account, address)],
    ...(known ? [] : ([[perAccount, account]] as [BurstyRateLimiter, string][])),
  ];
  for (const [limiter, key] of steps) {
    try {
      await limiter.consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
    }
  }
  return null;
}

/** Remembers that this address knew the account's password; call only after a successful check. */
export function rememberSignInAddress(ip: string | null, email: string): void {
  if (ip === null) return;
  knownAddresses.set(pairKey(accountKey(email), ip), true);
}
