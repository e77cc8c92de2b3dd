/** The shapes of the settings groups in AppConfig (config.server.ts reads and validates them). */

/** Sign-in attempts allowed: a steady rate per minute plus a burst per ten minutes (src/features/auth/rate-limit.server.ts). */
export interface SignInLimits {
  ipPerMinute: number;
  ipBurst: number;
  accountPerMinute: number;
  accountBurst: number;
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

/** How notifications leave (issue 15). The programme's switches (hour, weekday, kinds, webhooks) are settings in the database. */
export interface NotificationSettingsConfig {
  /** SMTP_URL as given (credentials in it; never logged or shown); null: nothing is e-mailed. */
  smtpUrl: string | null;
  /** MAIL_FROM, else `Manabi <no-reply@<SITE_URL's host>>`. */
  mailFrom: string;
  /** The scheduler inside the server process (croner); off for a server that must not send. */
  scheduler: boolean;
  /** How often the scheduler queues the day's messages and sends what is due. */
  intervalMs: number;
  /** One SMTP conversation or webhook post is given up after this long. */
  sendTimeoutMs: number;
  /** Tries after the first before a message is failed; waits double from retryBaseMs, with jitter. */
  retries: number;
  retryBaseMs: number;
}

/** PostgreSQL (issue 18): the URL and the pool (src/platform/postgres.server.ts). */
export interface PostgresSettings {
  url: string;
  /** Connections per instance. */
  poolSize: number;
  /** How long to wait for a connection (new or from the pool) before failing. */
  connectTimeoutMs: number;
  /** An idle connection is closed after this long (0: never). */
  idleTimeoutMs: number;
  /** One statement is cancelled after this long (0: no limit), so a slow query cannot hold a connection. */
  statementTimeoutMs: number;
}
