/**
 * The one reader of the environment: `getConfig()` reads `process.env` once, validates it and
 * caches the result. No other module in src/ reads `process.env` (tests/unit/config-boundary.test.ts).
 * The README's configuration table lists every variable. Entry points (the server, the CLIs) call
 * `exitOnConfigError(getConfig, …)` first, so a bad value stops them with one line.
 * Nothing here runs at import: importing any module never reads or validates the environment.
 */
import { z } from 'astro/zod';
import { ConfigError, describeIssues } from './config-errors.ts';

export { ConfigError, exitOnConfigError } from './config-errors.ts';
import type { LocaleVariables } from '../features/users/import-problems.ts';
import type { NotificationSettingsConfig, OidcSettings, PostgresSettings, SignInLimits, XapiSettings } from './config-types.ts';

export type { NotificationSettingsConfig, OidcSettings, PostgresSettings, SignInLimits, XapiSettings } from './config-types.ts';

/** A whole number in a range, read from a string (`Number()`: `''` is 0). */
function wholeNumber(min: number, max?: number): z.ZodCoercedNumber<unknown> {
  const error = `must be a whole number ${max === undefined ? `${min} or more` : `from ${min} to ${max}`}`;
  const schema = z.coerce.number({ error }).int({ error }).min(min, { error });
  return max === undefined ? schema : schema.max(max, { error });
}
const positiveInt = wholeNumber(1);
const url = z.url({ error: 'must be an absolute URL such as https://manabi.example.com' });
const flagSchema = z.enum(['true', 'false', '1', '0'], { error: 'must be true, false, 1 or 0' });
const nonEmpty = z.string().min(1, { error: 'must not be empty' });
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, { error: 'must start with postgres:// or postgresql://' });

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const EnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  // The server front (src/cli/serve.ts). HOST's default depends on NODE_ENV (see getConfig).
  PORT: wholeNumber(0, 65535).default(4321),
  HOST: z.string().optional(),
  MANABI_DIST: z.string().default('dist'),
  // Files, relative to the project root (the server and the CLIs run from there).
  DATABASE_PATH: z.string().default('data/manabi.db'),
  MIGRATIONS_DIR: z.string().default('db/migrations'),
  // PostgreSQL instead of SQLite (issue 18): postgres:// or postgresql://; unset keeps SQLite.
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: wholeNumber(1, 1000).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: wholeNumber(100, 600_000).default(5000),
  DATABASE_IDLE_TIMEOUT_MS: wholeNumber(0, 3_600_000).default(30_000),
  DATABASE_STATEMENT_TIMEOUT_MS: wholeNumber(0, 3_600_000).default(15_000),
  SEARCH_INDEX_DIR: z.string().default('dist/search/pagefind'),
  MANABI_CONTENT_DIR: z.string().default('content'),
  // Tests only: a file holding the clock's offset (src/platform/clock.server.ts); refused in production.
  MANABI_CLOCK_FILE: z.string().min(1).optional(),
  MANABI_LESSON_SHELLS: z.enum(['on', 'off']).optional(),
  MANABI_FAST_POSTS: z.enum(['on', 'off']).optional(),
  MANABI_SHELL_BUILD: z.enum(['1']).optional(),
  // Default `warn` under NODE_ENV=test, else `info` (see getConfig).
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  TRUST_PROXY: z
    .string()
    .regex(/^(1|0|true|false)?$/i, { error: 'must be true, false, 1 or 0' })
    .default(''),
  SIGNIN_IP_PER_MINUTE: positiveInt.default(30),
  /** SCIM requests per token per minute (issue 19); a full sync of a large tenant stays well under it. */
  SCIM_REQUESTS_PER_MINUTE: positiveInt.default(600),
  SIGNIN_IP_BURST: positiveInt.default(30),
  SIGNIN_ACCOUNT_PER_MINUTE: positiveInt.default(5),
  SIGNIN_ACCOUNT_BURST: positiveInt.default(5),
  SESSION_IDLE_MINUTES: positiveInt.default(12 * 60),
  SESSION_MAX_HOURS: positiveInt.default(7 * 24),
  SESSION_CLEANUP_SECONDS: positiveInt.default(600),
  SITE_URL: url.default('http://localhost:4321'),
  XAPI_ENDPOINT: url.optional(),
  XAPI_USERNAME: z.string().optional(),
  XAPI_PASSWORD: z.string().optional(),
  XAPI_BATCH_TIMEOUT_MS: positiveInt.default(15_000),
  XAPI_RETRIES: wholeNumber(0, 10).default(3),
  XAPI_RETRY_BASE_MS: positiveInt.default(1000),
  AUTH_MODE: z.enum(['password', 'oidc', 'both'], { error: 'must be password, oidc or both' }).default('password'),
  ORG_NAME: z.string().trim().min(1, { error: 'must not be blank' }).max(100, { error: 'must be at most 100 characters' }).optional(),
  OIDC_ISSUER: url.optional(),
  OIDC_CLIENT_ID: nonEmpty.optional(),
  OIDC_CLIENT_SECRET: nonEmpty.optional(),
  OIDC_REDIRECT_URI: url.optional(),
  OIDC_SCOPES: z.string().default('openid email profile'),
  OIDC_LABEL: z.string().max(60, { error: 'must be at most 60 characters' }).optional(),
  OIDC_CLAIM_EMAIL: z.string().default('email'),
  OIDC_CLAIM_NAME: z.string().default('name'),
  OIDC_CLAIM_DEPARTMENT: z.string().optional(),
  OIDC_CLAIM_GROUPS: z.string().optional(),
  OIDC_ADMIN_GROUPS: z.string().default(''),
  OIDC_CHAMPION_GROUPS: z.string().default(''),
  OIDC_REQUIRE_MFA: flagSchema.default('false'),
  OIDC_MFA_AMR: z.string().default('mfa,otp,hwk,swk,sms,fido,face,fpt,iris,retina,vbm'),
  OIDC_MFA_ACR: z.string().default(''),
  OIDC_ALLOW_HTTP: flagSchema.default('false'),
  // Notifications (issue 15): without SMTP_URL nothing is e-mailed (webhooks and calendar feeds still work).
  SMTP_URL: z
    .url({ error: 'must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587' })
    .refine((value) => /^smtps?:$/.test(new URL(value).protocol), { error: 'must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587' })
    .optional(),
  MAIL_FROM: z.string().trim().min(3, { error: 'must be an address such as "Manabi <manabi@example.co.jp>"' }).optional(),
  NOTIFY_SCHEDULER: flagSchema.default('true'),
  NOTIFY_INTERVAL_SECONDS: wholeNumber(10, 3600).default(300),
  NOTIFY_SEND_TIMEOUT_MS: wholeNumber(1000, 600_000).default(30_000),
  NOTIFY_RETRIES: wholeNumber(0, 20).default(6),
  NOTIFY_RETRY_BASE_MS: positiveInt.default(60_000),
  APP_TIMEZONE: z
    .string()
    .default('Asia/Tokyo')
    .refine(
      (zone) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone });
          return true;
        } catch {
          return false;
        }
      },
      { error: 'must be an IANA time zone such as Asia/Tokyo' },
    ),
  // The CLIs' language (POSIX order) and, when the OS has no passwd entry, the user the audit log names.
  LC_ALL: z.string().optional(),
  LC_MESSAGES: z.string().optional(),
  LANG: z.string().optional(),
  USER: z.string().optional(),
  LOGNAME: z.string().optional(),
});

export interface AppConfig {
  production: boolean;
  /** Where src/cli/serve.ts listens; port 0 picks a free one. */
  port: number;
  host: string;
  /** The build src/cli/serve.ts serves. */
  distDir: string;
  /** Paths as configured, relative to the working directory (the callers resolve them). */
  databasePath: string;
  migrationsDir: string;
  /** PostgreSQL (DATABASE_URL) and its pool; null: SQLite at databasePath. */
  postgres: PostgresSettings | null;
  searchIndexDir: string;
  contentDir: string;
  /** pino's level. */
  logLevel: LogLevel;
  /** Behind one reverse proxy: the client address is the last X-Forwarded-For entry. */
  trustProxy: boolean;
  signInLimits: SignInLimits;
  scimRequestsPerMinute: number;
  /** OIDC_ADMIN_GROUPS / OIDC_CHAMPION_GROUPS, read whatever AUTH_MODE is: SCIM groups give roles by the same lists. */
  groupRoles: { adminGroups: string[]; championGroups: string[] };
  /** The origin of SITE_URL when it is set explicitly (accepted by the origin check); null otherwise. */
  publicOrigin: string | null;
  /** USER, else LOGNAME: names the CLI's user in the audit log when the OS has no passwd entry. */
  osUser: string | null;
  /** What picks the CLIs' language. */
  localeVariables: LocaleVariables;
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
  /** Tests only: the file that shifts the clock (MANABI_CLOCK_FILE); null in production. */
  clockFile: string | null;
  /** Lesson pages from prerendered shells (src/features/lesson-shell); MANABI_LESSON_SHELLS=off serves them all through Astro. */
  lessonShells: boolean;
  /** Learner form posts answered in the front server (src/actions/fast-forms.server.ts); MANABI_FAST_POSTS=off leaves them all to Astro. */
  fastPosts: boolean;
  /** Only the shell build's own server (scripts/build-shells.ts): pages print slot markers and templates. */
  shellBuild: boolean;
  notifications: NotificationSettingsConfig;
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
const flag = (value: string): boolean => value === 'true' || value === '1';

function parseEnv<T extends z.ZodType>(schema: T, raw: NodeJS.ProcessEnv): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error.issues, raw));
  return parsed.data;
}

let cached: AppConfig | null = null;

function postgresSettings(url: string, env: z.infer<typeof EnvSchema>): PostgresSettings {
  const { DATABASE_POOL_SIZE: poolSize, DATABASE_CONNECT_TIMEOUT_MS: connectTimeoutMs, DATABASE_IDLE_TIMEOUT_MS: idleTimeoutMs } = env;
  return { url, poolSize, connectTimeoutMs, idleTimeoutMs, statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS };
}

/** The settings, read from the environment on the first call; throws ConfigError on a bad value. */
export function getConfig(): AppConfig {
  if (cached) return cached;
  const raw = process.env;
  const env = parseEnv(EnvSchema, raw);
  let oidc: OidcSettings | null = null;
  if (env.AUTH_MODE !== 'password') {
    if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID) {
      throw new ConfigError(`AUTH_MODE=${env.AUTH_MODE} needs OIDC_ISSUER and OIDC_CLIENT_ID`);
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
  const production = env.NODE_ENV === 'production';
  if (production && env.MANABI_CLOCK_FILE) throw new ConfigError('MANABI_CLOCK_FILE moves the clock for tests and is refused with NODE_ENV=production');
  cached = {
    production,
    port: env.PORT,
    host: env.HOST ?? (production ? '0.0.0.0' : 'localhost'),
    distDir: env.MANABI_DIST,
    databasePath: env.DATABASE_PATH,
    migrationsDir: env.MIGRATIONS_DIR,
    postgres: env.DATABASE_URL ? postgresSettings(env.DATABASE_URL, env) : null,
    searchIndexDir: env.SEARCH_INDEX_DIR,
    contentDir: env.MANABI_CONTENT_DIR,
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'warn' : 'info'),
    trustProxy: /^(1|true)$/i.test(env.TRUST_PROXY),
    scimRequestsPerMinute: env.SCIM_REQUESTS_PER_MINUTE,
    groupRoles: { adminGroups: list(env.OIDC_ADMIN_GROUPS), championGroups: list(env.OIDC_CHAMPION_GROUPS) },
    signInLimits: { ipPerMinute: env.SIGNIN_IP_PER_MINUTE, ipBurst: env.SIGNIN_IP_BURST, accountPerMinute: env.SIGNIN_ACCOUNT_PER_MINUTE, accountBurst: env.SIGNIN_ACCOUNT_BURST },
    publicOrigin: raw.SITE_URL ? new URL(env.SITE_URL).origin : null,
    osUser: env.USER ?? env.LOGNAME ?? null,
    localeVariables: { LC_ALL: env.LC_ALL, LC_MESSAGES: env.LC_MESSAGES, LANG: env.LANG },
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
    clockFile: env.MANABI_CLOCK_FILE ?? null,
    lessonShells: env.MANABI_LESSON_SHELLS !== 'off',
    fastPosts: env.MANABI_FAST_POSTS !== 'off',
    shellBuild: env.MANABI_SHELL_BUILD === '1',
    notifications: {
      smtpUrl: env.SMTP_URL ?? null,
      mailFrom: env.MAIL_FROM ?? `Manabi <no-reply@${new URL(env.SITE_URL).hostname}>`,
      scheduler: flag(env.NOTIFY_SCHEDULER),
      intervalMs: env.NOTIFY_INTERVAL_SECONDS * 1000,
      sendTimeoutMs: env.NOTIFY_SEND_TIMEOUT_MS,
      retries: env.NOTIFY_RETRIES,
      retryBaseMs: env.NOTIFY_RETRY_BASE_MS,
    },
  };
  return cached;
}

/** What the build and the content tools need: only the curriculum folder, so a bad server setting never breaks a build. */
export interface BuildConfig {
  contentDir: string;
}

let cachedBuild: BuildConfig | null = null;

export function getBuildConfig(): BuildConfig {
  cachedBuild ??= { contentDir: parseEnv(EnvSchema.pick({ MANABI_CONTENT_DIR: true }), process.env).MANABI_CONTENT_DIR };
  return cachedBuild;
}

/** The environment a child process gets: this one's, with `overrides` on top. */
export function childEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
