/**
 * WAL checkpoints in a worker thread (checkpointer.server.ts): with the connection's automatic
 * checkpoint off, the pages reach the database file only through the worker; without it they
 * stay in the WAL. A real file, real commits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackgroundCheckpoints } from './checkpointer.server.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A WAL database with 600 commits of 4 KB each, the server's pragmas; returns it and its file. */
function busyDatabase(): { sqlite: Database.Database; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manabi-checkpoint-'));
  dirs.push(dir);
  const file = path.join(dir, 'db.sqlite');
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.exec('create table t (id integer primary key, body blob)');
  return { sqlite, file };
}

function writeCommits(sqlite: Database.Database, count: number): void {
  const insert = sqlite.prepare('insert into t (body) values (?)');
  for (let i = 0; i < count; i++) insert.run(Buffer.alloc(4000, i % 256));
}

const pagesInFile = (file: string): number => Math.floor(fs.statSync(file).size / 4096);

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

describe('background WAL checkpoints', () => {
  it('copy the committed pages into the database file from the worker, the connection not checkpointing itself', async () => {
    const { sqlite, file } = busyDatabase();
    const checkpoints = startBackgroundCheckpoints(sqlite, file, 50);
    try {
      expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      writeCommits(sqlite, 600);
      expect(await until(() => pagesInFile(file) >= 600, 5000), `${pagesInFile(file)} pages in the file`).toBe(true);
      // Every row is there, on another connection too.
      const reader = new Database(file, { readonly: true });
      expect(reader.prepare('select count(*) n from t').get()).toEqual({ n: 600 });
      reader.close();
    } finally {
      await checkpoints.stop();
    }
    // Stopped: the connection checkpoints automatically again.
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    sqlite.close();
  });

  it('without the worker, the same commits stay in the WAL (the control: the test above measures the worker)', async () => {
    const { sqlite, file } = busyDatabase();
    sqlite.pragma('wal_autocheckpoint = 0');
    writeCommits(sqlite, 600);
    await new Promise((r) => setTimeout(r, 300));
    expect(pagesInFile(file)).toBeLessThan(10);
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(600 * 4096);
    sqlite.close();
  });

  it('keep the WAL from growing without bound under steady writes (SQLite restarts it after a complete checkpoint)', async () => {
    const { sqlite, file } = busyDatabase();
    const checkpoints = startBackgroundCheckpoints(sqlite, file, 20);
    try {
      for (let round = 0; round < 20; round++) {
        writeCommits(sqlite, 100);
        await new Promise((r) => setTimeout(r, 40));
      }
      // 2,000 pages written; the WAL holds far fewer than that.
      expect(fs.statSync(`${file}-wal`).size / 4096).toBeLessThan(1200);
    } finally {
      await checkpoints.stop();
      sqlite.close();
    }
  });

  it('keep the WAL bounded under writes that never pause (a PASSIVE checkpoint alone never completes then)', async () => {
    const { sqlite, file } = busyDatabase();
    // As the server's connection.
    sqlite.pragma('busy_timeout = 5000');
    const checkpoints = startBackgroundCheckpoints(sqlite, file, 10, 200);
    let maxWalPages = 0;
    let commits = 0;
    try {
      writeCommits(sqlite, 1);
      expect(await until(() => pagesInFile(file) >= 2, 5000)).toBe(true);
      // One commit per turn of the event loop, as a busy server's requests, for 2.5 s.
      const deadline = Date.now() + 2500;
      while (Date.now() < deadline && commits < 50_000) {
        writeCommits(sqlite, 1);
        commits++;
        maxWalPages = Math.max(maxWalPages, fs.statSync(`${file}-wal`).size / 4096);
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      await checkpoints.stop();
    }
    // Every commit added a page or more to the WAL; it held a small part of them at any time,
    // and every row is there.
    expect(commits).toBeGreaterThan(1000);
    expect(maxWalPages, `${maxWalPages} pages in the WAL at most, ${commits} commits`).toBeLessThan(Math.max(4000, commits / 4));
    expect(sqlite.prepare('select count(*) n from t').get()).toEqual({ n: commits + 1 });
    sqlite.close();
  });
});
