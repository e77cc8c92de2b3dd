/**
 * Sign-in throttling: a bucket per client IP and one per account (email), each a steady
 * rate with a burst allowance (rate-limiter-flexible). A full bucket answers 429 with
 * Retry-After and refills with time: no hard lock-out an attacker could use against a user.
 */
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { normalizeEmail } from '../email.ts';

function bucket(steadyPerMinute: number, burstPerTenMinutes: number): BurstyRateLimiter {
  return new BurstyRateLimiter(
    new RateLimiterMemory({ points: steadyPerMinute, duration: 60 }),
    new RateLimiterMemory({ keyPrefix: 'burst', points: burstPerTenMinutes, duration: 600 }),
  );
}

const number = (value: string | undefined, fallback: number): number => {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
};

const perIp = bucket(number(process.env.SIGNIN_IP_PER_MINUTE, 30), number(process.env.SIGNIN_IP_BURST, 30));
const perAccount = bucket(number(process.env.SIGNIN_ACCOUNT_PER_MINUTE, 5), number(process.env.SIGNIN_ACCOUNT_BURST, 5));

/** Takes one token from both buckets; returns the seconds to wait when either is empty, else null. */
export async function consumeSignInAttempt(ip: string | null, email: string): Promise<number | null> {
  const results = await Promise.allSettled([perIp.consume(ip ?? 'unknown'), perAccount.consume(normalizeEmail(email).slice(0, 254))]);
  const waits = results.flatMap((r) => (r.status === 'rejected' && r.reason instanceof RateLimiterRes ? [r.reason.msBeforeNext] : []));
  if (waits.length === 0) return null;
  return Math.max(1, Math.ceil(Math.max(...waits) / 1000));
}
