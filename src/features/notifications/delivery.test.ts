import { describe, expect, it } from 'vitest';
import { backoffMs, retryAfterMs, safeErrorText } from './delivery.ts';

describe('the sender rules', () => {
  it('backs off exponentially with 0.5..1.5 jitter', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 1000, 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(3, 1000, 0)).toBe(2000);
    expect(backoffMs(3, 1000, 1)).toBe(6000);
  });

  it('reads Retry-After in seconds or as a date, bounded to an hour', () => {
    const now = Date.parse('2027-01-05T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Tue, 05 Jan 2027 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('999999', now)).toBe(3_600_000);
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
  });

  it('never keeps the SMTP password in an error', () => {
    const url = 'smtp://mailer:s3cr%40t-pw@mail.example.com:587';
    const error = Object.assign(new Error('Invalid login for s3cr@t-pw and smtp://mailer:s3cr%40t-pw@mail.example.com'), { code: 'EAUTH', responseCode: 535 });
    const text = safeErrorText(error, url);
    expect(text).not.toContain('s3cr');
    expect(text).toMatch(/^EAUTH 535 /);
    expect(safeErrorText(new Error('connect https://u:p@hooks.example/x'), null)).toBe('connect https://***@hooks.example/x');
  });
});
