/**
 * Issue 11, item 8: a full disk and a read-only database, for real.
 *
 * Full disk: the database lives on its own small tmpfs (`mount -t tmpfs -o size=…`), which the
 * test fills to the last byte while the server runs. Then reads keep working (a lesson opens:
 * its view record is logged and skipped), a check-in answers the bilingual 503 "your input was
 * not saved" page with the typed values still in the form, a correct password is answered
 * "sign-in is unavailable" (never "wrong email or password"), and /healthz says 503. With the
 * space back, everything works again. And /healthz says 503 on a full disk even when its probe
 * write still fits in the log (the free space of the file system decides).
 *
 * Read-only: the database file bind-mounted read-only (the lock file beside it still writable),
 * and the whole folder on a tmpfs remounted read-only: `npm start` ends with one clear line —
 * no stack trace, no SQL. (Root ignores file modes, so chmod would prove nothing here.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../src/platform/i18n/en.json' with { type: 'json' };
import ja from '../../src/platform/i18n/ja.json' with { type: 'json' };
import { openDatabase, rawSqlite } from '../../src/platform/db.server.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { addUser, tempDir } from '../helpers/db.ts';
import { ROOT } from '../helpers/fixture.ts';
import { get, postForm, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const PASSWORD_1 = 'full disk password 1';
const root = tempDir('manabi-storage-');
const mounts: string[] = [];
let server: RunningServer | null = null;

function mount(args: string[], target: string): void {
  execFileSync('mount', [...args, target], { stdio: 'pipe' });
  if (!mounts.includes(target)) mounts.push(target);
}

/** Fills the file system to the last byte. */
function fillDisk(filler: string): void {
  const fd = fs.openSync(filler, 'w');
  for (const size of [1024 * 1024, 4096, 1]) {
    const block = Buffer.alloc(size, 1);
    try {
      for (let i = 0; i < 100_000; i++) fs.writeSync(fd, block);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
  }
  fs.closeSync(fd);
  expect(fs.statfsSync(path.dirname(filler)).bavail).toBe(0);
}

/** A TRUNCATE checkpoint from a second connection (the server is idle): the log file ends at 0 bytes. */
function emptyLog(file: string): void {
  const connection = new Database(file);
  try {
    expect(connection.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
  } finally {
    connection.close();
  }
  expect(fs.statSync(`${file}-wal`).size).toBe(0);
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('this test mounts tmpfs file systems: run it as root');
});

afterAll(async () => {
  await server?.stop();
  for (const target of mounts.reverse()) spawnSync('umount', ['-l', target]);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('a full disk (issue 11, item 8)', () => {
  const disk = path.join(root, 'full');
  const file = path.join(disk, 'manabi.db');
  const filler = path.join(disk, 'filler');

  it('keeps reads working and answers writes with a clear 503 that keeps the input', async () => {
    fs.mkdirSync(disk);
    mount(['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs'], disk);
    const db = openDatabase(file);
    await addUser(db, { email: 'lea@example.com', password: PASSWORD_1 });
    await addUser(db, { email: 'ada@example.com', password: PASSWORD_1, role: 'admin', department: 'IT' });
    void db.close();
    server = await startServer({ databasePath: file, outDir: FIXTURE_OUT_DIR });
    const { cookie } = await signIn(server.url, 'lea@example.com', PASSWORD_1);
    expect(cookie).toBeTruthy();
    expect((await get(server.url, '/healthz')).status).toBe(200);

    // The log emptied first: after a checkpoint, SQLite rewrites the log from its start in space
    // the file already has, so a small write could still succeed on the full disk (CI met that).
    // Here every write needs a new page; the case with room in the log is the test further down.
    emptyLog(file);
    fillDisk(filler);

    // A write: 503, the bilingual notice, the typed answer still in the form, nothing stored.
    for (const [prefix, messages] of [
      ['', ja],
      ['/en', en],
    ] as const) {
      const answer = await postForm(server.url, `${prefix}/home?_action=checkin.save`, cookie, { hoursSaved: '3.5', tasks: '議事録の要約' });
      const html = await answer.text();
      expect(answer.status, prefix).toBe(503);
      expect(html).toContain(escapeHtml(messages['storage.unavailableTitle']));
      expect(html).toMatch(/id="hoursSaved"[^>]*value="3.5"/);
      expect(html).toMatch(/id="tasks"[^>]*value="議事録の要約"/);
      expect(html).not.toMatch(/SQLITE|insert into|at .*\.js:\d+/i);
    }
    // A read: the lesson opens although its view record cannot be stored.
    const lesson = await get(server.url, '/learn/basic-ai-essentials/what-is-generative-ai', cookie);
    expect(lesson.status).toBe(200);
    // A correct password: "unavailable", never "wrong email or password".
    const denied = await postForm(server.url, '/en/login?_action=auth.login', null, { email: 'ada@example.com', password: PASSWORD_1 });
    const deniedHtml = await denied.text();
    expect(denied.status).toBe(503);
    expect(deniedHtml).toContain(escapeHtml(en['login.unavailable']));
    expect(deniedHtml).not.toContain(escapeHtml(en['login.invalid']));
    expect(deniedHtml).toContain('value="ada@example.com"');
    // The health check sees that the database cannot write.
    expect((await get(server.url, '/healthz')).status).toBe(503);

    const check = new Database(file, { readonly: true });
    expect(check.prepare('select count(*) n from checkins').get()).toEqual({ n: 0 });
    check.close();
    expect(server.output()).toContain('write refused: storage unavailable');
    expect(server.output()).toContain('write skipped: storage unavailable');
  });

  it('works again as soon as there is space', async () => {
    fs.rmSync(filler);
    await new Promise((r) => setTimeout(r, 1100)); // the health check probes a failed disk again after 1 s
    expect((await get(server!.url, '/healthz')).status).toBe(200);
    const { cookie } = await signIn(server!.url, 'ada@example.com', PASSWORD_1);
    expect(cookie).toBeTruthy();
    expect((await postForm(server!.url, '/home?_action=checkin.save', cookie, { hoursSaved: '3.5', tasks: '' })).status).toBe(303);
  });

  it('says 503 on a full disk even while a small write still fits in the log', async () => {
    const { cookie } = await signIn(server!.url, 'lea@example.com', PASSWORD_1);
    for (let i = 0; i < 20; i++) {
      expect((await postForm(server!.url, '/home?_action=checkin.save', cookie, { hoursSaved: String(i % 10), tasks: '議事録の要約'.repeat(50) })).status).toBe(303);
    }
    // Everything copied into the database file: the next write starts the log again from its start.
    const connection = new Database(file);
    const [state] = connection.pragma('wal_checkpoint(PASSIVE)') as [{ busy: number; log: number; checkpointed: number }];
    connection.close();
    expect(state.busy).toBe(0);
    expect(state.checkpointed).toBe(state.log);
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(64 * 1024);
    const mark = server!.output().length;
    fillDisk(filler);
    // Past the health check's cache of a good answer (5 s since the last probe above).
    await new Promise((r) => setTimeout(r, 5200));
    expect((await get(server!.url, '/healthz')).status).toBe(503);
    // The probe write itself succeeded: the free space said no (log lines arrive asynchronously).
    const after = (await server!.waitForOutput(/its disk is full/)).slice(mark);
    expect(after).toContain('"freeBytes":0');
    expect(after).not.toContain('SQLITE_FULL');
    fs.rmSync(filler);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await get(server!.url, '/healthz')).status).toBe(200);
    await server!.stop();
    server = null;
  });
});

describe('a read-only database at start (issue 11, item 8)', () => {
  function startOnce(file: string): { status: number | null; out: string } {
    const run = spawnSync(process.execPath, ['src/cli/start.ts'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', DATABASE_PATH: file, MANABI_DIST: FIXTURE_OUT_DIR, HOST: '127.0.0.1', PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: run.status, out: `${run.stdout}${run.stderr}`.trim() };
  }

  function expectOneClearLine(out: string, pattern: RegExp): void {
    expect(out.split('\n'), out).toHaveLength(1);
    expect(out).toMatch(pattern);
    expect(out).not.toMatch(/\bat \S+:\d+|select |insert |create table|drizzle/i);
  }

  it('ends npm start with one clear line when the database file is read-only', () => {
    const dir = path.join(root, 'ro-file');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'manabi.db');
    rawSqlite(openDatabase(file)).close();
    mount(['--bind', file], file);
    execFileSync('mount', ['-o', 'remount,bind,ro', file]);
    const { status, out } = startOnce(file);
    expect(status).toBe(1);
    expectOneClearLine(out, /^Manabi cannot start: the database .*manabi\.db cannot be opened for writing \(SQLITE_READONLY[A-Z_]*\)/);
  });

  it('ends npm start with one clear line when the database folder is read-only', () => {
    const dir = path.join(root, 'ro-dir');
    fs.mkdirSync(dir);
    mount(['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs'], dir);
    const file = path.join(dir, 'manabi.db');
    rawSqlite(openDatabase(file)).close();
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    const { status, out } = startOnce(file);
    expect(status).toBe(1);
    expectOneClearLine(out, /^Manabi cannot start: cannot take the lock .*manabi\.db\.lock \(SQLITE_CANTOPEN\)/);
  });
});
