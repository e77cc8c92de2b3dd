/**
 * A bad setting stops the server and every command-line tool at start with exactly one clear
 * line on stderr, naming the variable and what is wrong; nothing is started, locked or written.
 * Real processes against the real build (dist/), as an operator would start them.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

let dir: string;
let dbFile: string;
beforeEach(() => {
  dir = tempDir();
  dbFile = path.join(dir, 'manabi.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(script: string, args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NODE_ENV: 'development', HOST: '127.0.0.1', DATABASE_PATH: dbFile, MANABI_DIST: 'dist', ...env },
  });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Exit code 1, exactly this one line on stderr, and no file made next to the database (no lock, no database). */
function expectRefused(result: ReturnType<typeof run>, line: string): void {
  expect(result.signal, result.stderr).toBeNull();
  expect(result.status, result.stderr).toBe(1);
  expect(result.stderr).toBe(`${line}\n`);
  expect(result.stdout).toBe('');
  expect(fs.readdirSync(dir)).toEqual([]);
}

describe('a bad setting stops the start with one line', () => {
  it('the built server (src/cli/serve.ts) with PORT=abc', () => {
    expectRefused(run('src/cli/serve.ts', [], { PORT: 'abc' }), 'Manabi cannot start: PORT must be a whole number from 0 to 65535 (got "abc").');
  });

  it('npm start (src/cli/start.ts) with SESSION_IDLE_MINUTES=-1, before it builds, seeds or locks', () => {
    expectRefused(run('src/cli/start.ts', [], { SESSION_IDLE_MINUTES: '-1' }), 'Manabi cannot start: SESSION_IDLE_MINUTES must be a whole number 1 or more (got "-1").');
  });

  it('the server names every bad variable in the same line, and never a secret’s value', () => {
    const result = run('src/cli/serve.ts', [], { SIGNIN_IP_BURST: '0', XAPI_ENDPOINT: 'not a url', OIDC_CLIENT_SECRET: '' });
    expectRefused(
      result,
      'Manabi cannot start: SIGNIN_IP_BURST must be a whole number 1 or more (got "0"); XAPI_ENDPOINT must be an absolute URL such as https://manabi.example.com (got "not a url"); OIDC_CLIENT_SECRET must not be empty.',
    );
  });

  it('a setting that needs another (AUTH_MODE=oidc without an issuer)', () => {
    expectRefused(run('src/cli/serve.ts', [], { AUTH_MODE: 'oidc' }), 'Manabi cannot start: AUTH_MODE=oidc needs OIDC_ISSUER and OIDC_CLIENT_ID.');
  });

  it.each([
    ['db:migrate', 'src/cli/db-migrate.ts', []],
    ['db:backup', 'src/cli/db-backup.ts', ['backup.db']],
    ['db:restore', 'src/cli/db-restore.ts', ['backup.db']],
    ['db:rebuild-rollups', 'src/cli/db-rebuild-rollups.ts', []],
    ['user:create', 'src/cli/user-create.ts', ['--email', 'a@example.com', '--name', 'A', '--department', 'IT', '--password-stdin']],
    ['user:password', 'src/cli/user-password.ts', ['--email', 'a@example.com', '--password-stdin']],
    ['users:import', 'src/cli/users-import.ts', ['users.csv']],
  ])('%s with LOG_LEVEL=loud', (name, script, args) => {
    const result = run(
      script,
      args.map((a) => (a.endsWith('.db') || a.endsWith('.csv') ? path.join(dir, a) : a)),
      { LOG_LEVEL: 'loud' },
    );
    expectRefused(result, `${name}: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud").`);
  });
});
