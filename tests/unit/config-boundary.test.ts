/**
 * One source of configuration: only the config module (the one that defines `getConfig`) reads
 * the environment; every other module in src/ asks it. Also: its validation names the bad
 * variable in one line, and reading the environment happens once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
const ENV_READ = /\bprocess\s*(?:\?\.|\.)\s*env\b|\bprocess\s*\[\s*['"`]env['"`]\s*\]|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(?:[cm]?[jt]sx?|astro)$/.test(entry.name) ? [full] : [];
  });
}

describe('the configuration boundary', () => {
  it('no module in src/ other than the config module mentions process.env', () => {
    const files = sourceFiles(SRC);
    const readers = files.filter((file) => ENV_READ.test(fs.readFileSync(file, 'utf8')));
    const configModules = readers.filter((file) => /export function getConfig\(/.test(fs.readFileSync(file, 'utf8')));
    expect(files.length).toBeGreaterThan(50);
    expect(configModules, 'exactly one config module defines getConfig and reads the environment').toHaveLength(1);
    const offenders = readers.filter((file) => !configModules.includes(file)).map((file) => path.relative(path.dirname(SRC), file));
    expect(offenders, `read the setting through getConfig() instead: ${offenders.join(', ')}`).toEqual([]);
  });
});

describe('getConfig', () => {
  afterEach(() => vi.unstubAllEnvs());

  /** A fresh module: the configuration is read once per process, so each case loads its own. */
  async function load() {
    vi.resetModules();
    return import('../../src/platform/config.server.ts');
  }

  it('keeps the documented defaults', async () => {
    for (const name of [
      'PORT',
      'HOST',
      'DATABASE_PATH',
      'MIGRATIONS_DIR',
      'SEARCH_INDEX_DIR',
      'MANABI_CONTENT_DIR',
      'MANABI_DIST',
      'LOG_LEVEL',
      'TRUST_PROXY',
      'SITE_URL',
      'SIGNIN_IP_PER_MINUTE',
      'SIGNIN_IP_BURST',
      'SIGNIN_ACCOUNT_PER_MINUTE',
      'SIGNIN_ACCOUNT_BURST',
      'SESSION_IDLE_MINUTES',
      'SESSION_MAX_HOURS',
      'SESSION_CLEANUP_SECONDS',
      'APP_TIMEZONE',
      'AUTH_MODE',
      'XAPI_ENDPOINT',
    ]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv('NODE_ENV', 'development');
    const config = (await load()).getConfig();
    expect(config).toMatchObject({
      production: false,
      port: 4321,
      host: 'localhost',
      distDir: 'dist',
      databasePath: 'data/manabi.db',
      migrationsDir: 'db/migrations',
      searchIndexDir: 'dist/search/pagefind',
      contentDir: 'content',
      logLevel: 'info',
      trustProxy: false,
      signInLimits: { ipPerMinute: 30, ipBurst: 30, accountPerMinute: 5, accountBurst: 5 },
      publicOrigin: null,
      siteUrl: 'http://localhost:4321',
      sessionIdleMs: 12 * 3_600_000,
      sessionMaxAgeMs: 7 * 24 * 3_600_000,
      sessionCleanupMs: 600_000,
      timeZone: 'Asia/Tokyo',
      authMode: 'password',
      oidc: null,
      xapi: null,
    });
  });

  it('derives what depends on other settings: HOST and LOG_LEVEL from NODE_ENV, the public origin from an explicit SITE_URL', async () => {
    vi.stubEnv('HOST', undefined);
    vi.stubEnv('LOG_LEVEL', undefined);
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('SITE_URL', 'https://manabi.example.co.jp/base/');
    vi.stubEnv('TRUST_PROXY', 'TRUE');
    const config = (await load()).getConfig();
    expect(config).toMatchObject({ production: true, host: '0.0.0.0', logLevel: 'info', publicOrigin: 'https://manabi.example.co.jp', trustProxy: true });
    vi.stubEnv('NODE_ENV', 'test');
    expect((await load()).getConfig()).toMatchObject({ production: false, host: 'localhost', logLevel: 'warn' });
  });

  it('reads the environment once', async () => {
    vi.stubEnv('SESSION_IDLE_MINUTES', '30');
    const { getConfig } = await load();
    expect(getConfig().sessionIdleMs).toBe(30 * 60_000);
    vi.stubEnv('SESSION_IDLE_MINUTES', '-1');
    expect(getConfig().sessionIdleMs).toBe(30 * 60_000);
  });

  it('refuses a bad value with one line naming the variable, what is wrong and the value (never a secret)', async () => {
    vi.stubEnv('PORT', 'abc');
    vi.stubEnv('SESSION_IDLE_MINUTES', '-1');
    vi.stubEnv('OIDC_CLIENT_SECRET', '');
    const { getConfig, ConfigError } = await load();
    let error: unknown = null;
    try {
      getConfig();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toBe(
      'PORT must be a whole number from 0 to 65535 (got "abc"); SESSION_IDLE_MINUTES must be a whole number 1 or more (got "-1"); OIDC_CLIENT_SECRET must not be empty',
    );
    expect(message).not.toContain('\n');
  });

  it('the build reads only the curriculum folder: a bad server setting does not stop it', async () => {
    vi.stubEnv('SESSION_IDLE_MINUTES', '-1');
    vi.stubEnv('MANABI_CONTENT_DIR', 'tests/fixtures/content');
    const { getBuildConfig, getConfig } = await load();
    expect(getBuildConfig()).toEqual({ contentDir: 'tests/fixtures/content' });
    expect(() => getConfig()).toThrow(/SESSION_IDLE_MINUTES/);
  });
});
