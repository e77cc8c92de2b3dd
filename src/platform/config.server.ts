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
  SESSION_CLEANUP_SECONDS: positiveInt.default(600),
  SITE_URL: z.url().default('http://localhost:4321'),
  XAPI_ENDPOINT: z.url().optional(),
  XAPI_USERNAME: z.string().optional(),
  XAPI_PASSWORD: z.string().optional(),
  XAPI_BATCH_TIMEOUT_MS: positiveInt.default(15_000),
  XAPI_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  XAPI_RETRY_BASE_MS: positiveInt.default(1000),
  AUTH_MODE: z.enum(['password', 'oidc', 'both']).default('password'),
  ORG_NAME: z.string().trim().min(1).max(100).optional(),
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_REDIRECT_URI: z.url().optional(),
  OIDC_SCOPES: z.string().default('openid email profile'),
  OIDC_LABEL: z.string().max(60).optional(),
  OIDC_CLAIM_EMAIL: z.string().default('email'),
  OIDC_CLAIM_NAME: z.string().default('name'),
  OIDC_CLAIM_DEPARTMENT: z.string().optional(),
  OIDC_CLAIM_GROUPS: z.string().optional(),
  OIDC_ADMIN_GROUPS: z.string().default(''),
  OIDC_CHAMPION_GROUPS: z.string().default(''),
  OIDC_REQUIRE_MFA: z.enum(['true', 'false', '1', '0']).default('false'),
  OIDC_MFA_AMR: z.string().default('mfa,otp,hwk,swk,sms,fido,face,fpt,iris,retina,vbm'),
  OIDC_MFA_ACR: z.string().default(''),
  OIDC_ALLOW_HTTP: z.enum(['true', 'false', '1', '0']).default('false'),
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
  /** How often the server deletes expired sessions (also once at start). */
  sessionCleanupMs: number;
  /** IANA time zone for calendar days and months in activity and KPIs. */
  timeZone: string;
  /** The public origin: xAPI actor homePage and activity IRIs. */
  siteUrl: string;
  /** The LRS to push xAPI statements to; null when not configured. */
  xapi: XapiSettings | null;
  /** Which sign-in methods exist: passwords, the company's OpenID provider, or both. */
  authMode: 'password' | 'oidc' | 'both';
  /** The OpenID Connect provider; null when AUTH_MODE is `password`. */
  oidc: OidcSettings | null;
  /** The company named on certificates; null when ORG_NAME is not set. */
  orgName: string | null;
}

export interface XapiSettings {
  endpoint: string;
  username: string | null;
  password: string | null;
  /** Each batch is given up after this long (an LRS that never answers), then retried. */
  batchTimeoutMs: number;
  /** Retries per batch after a timeout, a network error, a 429 or a 5xx; waits double from retryBaseMs. */
  retries: number;
  retryBaseMs: number;
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  redirectUri: string;
  scopes: string;
  /** Button text; defaults to the translated "Sign in with your company account". */
  label: string | null;
  claims: { email: string; name: string; department: string | null; groups: string | null };
  adminGroups: string[];
  championGroups: string[];
  requireMfa: boolean;
  /** `amr` values that count as a second factor, and `acr` values that imply one. */
  mfaAmr: string[];
  mfaAcr: string[];
  /** Plain-http issuers (tests, a local provider); never for production. */
  allowHttp: boolean;
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
const flag = (value: string): boolean => value === 'true' || value === '1';

let cached: AppConfig | null = null;

export function getConfig(): AppConfig {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Invalid environment configuration: ${fields}`);
  }
  const env = parsed.data;
  let oidc: OidcSettings | null = null;
  if (env.AUTH_MODE !== 'password') {
    if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID) {
      throw new Error(`Invalid environment configuration: AUTH_MODE=${env.AUTH_MODE} needs OIDC_ISSUER and OIDC_CLIENT_ID`);
    }
    oidc = {
      issuer: env.OIDC_ISSUER,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET ?? null,
      redirectUri: env.OIDC_REDIRECT_URI ?? new URL('/login/oidc/callback', env.SITE_URL).href,
      scopes: env.OIDC_SCOPES,
      label: env.OIDC_LABEL ?? null,
      claims: { email: env.OIDC_CLAIM_EMAIL, name: env.OIDC_CLAIM_NAME, department: env.OIDC_CLAIM_DEPARTMENT ?? null, groups: env.OIDC_CLAIM_GROUPS ?? null },
      adminGroups: list(env.OIDC_ADMIN_GROUPS),
      championGroups: list(env.OIDC_CHAMPION_GROUPS),
      requireMfa: flag(env.OIDC_REQUIRE_MFA),
      mfaAmr: list(env.OIDC_MFA_AMR),
      mfaAcr: list(env.OIDC_MFA_ACR),
      allowHttp: flag(env.OIDC_ALLOW_HTTP),
    };
  }
  cached = {
    production: env.NODE_ENV === 'production',
    sessionIdleMs: env.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxAgeMs: env.SESSION_MAX_HOURS * 3_600_000,
    sessionCleanupMs: env.SESSION_CLEANUP_SECONDS * 1000,
    timeZone: env.APP_TIMEZONE,
    siteUrl: env.SITE_URL,
    xapi: env.XAPI_ENDPOINT
      ? {
          endpoint: env.XAPI_ENDPOINT.replace(/\/+$/, ''),
          username: env.XAPI_USERNAME ?? null,
          password: env.XAPI_PASSWORD ?? null,
          batchTimeoutMs: env.XAPI_BATCH_TIMEOUT_MS,
          retries: env.XAPI_RETRIES,
          retryBaseMs: env.XAPI_RETRY_BASE_MS,
        }
      : null,
    authMode: env.AUTH_MODE,
    oidc,
    orgName: env.ORG_NAME ?? null,
  };
  return cached;
}
