/**
 * Settings read from the environment once, validated, with safe defaults.
 * The README's configuration table lists every variable.
 */
import { z } from 'astro/zod';

const positiveInt = z.coerce.number().int().positive();

const EnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  SESSION_IDLE_MINUTES: positiveInt.default(12 * 60),
  SESSION_MAX_HOURS: positiveInt.default(7 * 24),
  SITE_URL: z.url().default('http://localhost:4321'),
  XAPI_ENDPOINT: z.url().optional(),
  XAPI_USERNAME: z.string().optional(),
  XAPI_PASSWORD: z.string().optional(),
  APP_TIMEZONE: z
    .string()
    .default('Asia/Tokyo')
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'unknown time zone'),
});

export interface AppConfig {
  production: boolean;
  /** A session unused for this long is ended. */
  sessionIdleMs: number;
  /** A session older than this is ended, however active. */
  sessionMaxAgeMs: number;
  /** IANA time zone for calendar days and months in activity and KPIs. */
  timeZone: string;
  /** The public origin: xAPI actor homePage and activity IRIs. */
  siteUrl: string;
  /** The LRS to push xAPI statements to; null when not configured. */
  xapi: { endpoint: string; username: string | null; password: string | null } | null;
}

let cached: AppConfig | null = null;

export function getConfig(): AppConfig {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Invalid environment configuration: ${fields}`);
  }
  const env = parsed.data;
  cached = {
    production: env.NODE_ENV === 'production',
    sessionIdleMs: env.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxAgeMs: env.SESSION_MAX_HOURS * 3_600_000,
    timeZone: env.APP_TIMEZONE,
    siteUrl: env.SITE_URL,
    xapi: env.XAPI_ENDPOINT
      ? { endpoint: env.XAPI_ENDPOINT, username: env.XAPI_USERNAME ?? null, password: env.XAPI_PASSWORD ?? null }
      : null,
  };
  return cached;
}
