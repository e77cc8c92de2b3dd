/** The sender's pure rules: backoff after a failed try, Retry-After, and errors without credentials. */

/**
 * The wait before the next try after `attempts` failed tries: retryBaseMs·2^(attempts−1), times
 * a jitter of 0.5..1.5 (`random` in 0..1), so many messages failing at once do not retry in step.
 */
export function backoffMs(attempts: number, baseMs: number, random: number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.round(baseMs * 2 ** exponent * (0.5 + Math.min(Math.max(random, 0), 1)));
}

/** A Retry-After header (seconds or an HTTP date) in milliseconds from `nowMs`, at most an hour; null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null || header.trim() === '') return null;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - nowMs;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(ms, 0), 3_600_000);
}

/**
 * An error as `lastError` may store and the admin page may show it: one line, at most 500
 * characters, with the SMTP URL's password (as written and decoded) and any `user:password@`
 * in a URL replaced.
 */
export function safeErrorText(error: unknown, smtpUrl: string | null): string {
  const e = error as { code?: unknown; responseCode?: unknown; response?: unknown; message?: unknown } | null;
  const parts = [
    typeof e?.code === 'string' ? e.code : null,
    typeof e?.responseCode === 'number' ? String(e.responseCode) : null,
    typeof e?.response === 'string' ? e.response : typeof e?.message === 'string' ? e.message : String(error),
  ];
  let text = parts.filter((part) => part !== null && part !== '').join(' ');
  for (const secret of smtpSecrets(smtpUrl)) text = text.split(secret).join('***');
  text = text.replace(/(\/\/)[^\s/@]*:[^\s/@]*@/g, '$1***@');
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}

function smtpSecrets(smtpUrl: string | null): string[] {
  if (smtpUrl === null) return [];
  try {
    const { password } = new URL(smtpUrl);
    if (!password) return [];
    let decoded = password;
    try {
      decoded = decodeURIComponent(password);
    } catch {
      // A malformed escape: the written form is enough.
    }
    return [...new Set([password, decoded])].filter((secret) => secret.length >= 3).sort((a, b) => b.length - a.length);
  } catch {
    return [];
  }
}
