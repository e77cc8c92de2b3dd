/**
 * Issue 11, item 4: one server per database file. A second server (serve.ts or npm start) on
 * the same file refuses with a clear message and leaves the first one and its pid file alone;
 * db:restore refuses while a server runs, and refuses a backup whose migrations are newer than
 * the code; the CLI's user commands still write beside a running server; after kill -9 the
 * next start works at once (an OS lock dies with its process; no stale lock to clean up).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { databaseEnv, addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { ROOT } from '../helpers/fixture.ts';

const t: TempDb = tempDb();
let first: RunningServer | null = null;
const others: RunningServer[] = [];

afterAll(async () => {
  await Promise.all([first?.stop(), ...others.map((o) => o.stop())]);
  t.cleanup();
});

function cli(script: string, args: string[], env: Record<string, string> = {}, input?: string): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...databaseEnv(t.file), MANABI_CONTENT_DIR: path.join(ROOT, 'tests/fixtures/content'), ...env },
    encoding: 'utf8',
    input,
    timeout: 60_000,
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

function userCount(): number {
  const db = new Database(t.file, { readonly: true });
  try {
    return (db.prepare('select count(*) n from users').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('the database lock (issue 11, item 4)', () => {
  it('refuses a second server, and npm start, on the same database file', async () => {
    await addUser(t.db, { email: 'lea@example.com', password: 'lock test password' });
    void t.db.close();
    first = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
    const pidFile = `${t.file}.pid`;
    expect(fs.readFileSync(pidFile, 'utf8')).toBe(String(first.process.pid));

    for (const script of ['src/cli/serve.ts', 'src/cli/start.ts']) {
      const second = startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR, script, env: { NODE_ENV: 'production' } });
      const error = await second.then(
        (s) => {
          others.push(s);
          return null;
        },
        (e: Error) => e.message,
      );
      expect(error, `${script} must refuse`).toMatch(/server exited with 1/);
      expect(error).toContain(`Manabi cannot start: another Manabi server (pid ${first.process.pid}) is using ${t.file}`);
      expect(error).not.toMatch(/\n\s+at /); // one line, no stack trace
    }
    // The first server and its pid file are untouched.
    expect(fs.readFileSync(pidFile, 'utf8')).toBe(String(first.process.pid));
    expect((await signIn(first.url, 'lea@example.com', 'lock test password')).cookie).toBeTruthy();
  });

  it('lets the CLI user commands write beside the running server', () => {
    const before = userCount();
    const made = cli(
      'src/cli/user-create.ts',
      ['--email', 'cli@example.com', '--name', 'CLI', '--department', 'Sales', '--role', 'learner', '--password-stdin'],
      {},
      'cli user password 1\n',
    );
    expect(made.status, made.out).toBe(0);
    expect(userCount()).toBe(before + 1);
    const migrated = cli('src/cli/db-migrate.ts', []);
    expect(migrated.status, migrated.out).toBe(0);
  });

  it('refuses db:restore while the server runs, changing nothing', async () => {
    const backup = path.join(t.dir, 'backup.db');
    const made = cli('src/cli/db-backup.ts', [backup]);
    expect(made.status, made.out).toBe(0);
    const before = userCount();
    const restore = cli('src/cli/db-restore.ts', [backup]);
    expect(restore.status).toBe(1);
    expect(restore.out).toContain(`another Manabi server (pid ${first!.process.pid}) is using ${t.file}; stop it first. Nothing changed.`);
    expect(userCount()).toBe(before);
    expect((await fetch(`${first!.url}/healthz`)).status).toBe(200);
  });

  it('starts at once after kill -9, without cleaning anything up', async () => {
    first!.process.kill('SIGKILL');
    await new Promise((resolve) => first!.process.once('exit', resolve));
    expect(fs.existsSync(`${t.file}.lock`)).toBe(true);
    const started = Date.now();
    first = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
  });

  it('restores once the server is stopped, but never a backup from a newer schema', async () => {
    await first!.stop();
    first = null;
    const backup = path.join(t.dir, 'backup.db');
    const newer = path.join(t.dir, 'newer.db');
    fs.copyFileSync(backup, newer);
    const db = new Database(newer);
    db.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('from-the-future', Date.now() + 365 * 86_400_000);
    db.close();
    const refused = cli('src/cli/db-restore.ts', [newer]);
    expect(refused.status).toBe(1);
    expect(refused.out).toContain('was made by a newer Manabi');
    const restored = cli('src/cli/db-restore.ts', [backup]);
    expect(restored.status, restored.out).toBe(0);
    expect(restored.out).toContain('Restored');
  });
});
