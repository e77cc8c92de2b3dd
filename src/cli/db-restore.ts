/**
 * `npm run db:restore -- path/to/backup.db`: replaces the database with a backup. Checks the
 * backup first (integrity_check, Manabi's migrations table) and refuses while a server is
 * running on this database (its pid file next to the database names a live process).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { databasePath } from '../lib/server/db.ts';

function fail(message: string): never {
  console.error(`db:restore: ${message}`);
  process.exit(1);
}

const source = process.argv[2];
if (!source || process.argv.length > 3) fail('usage: npm run db:restore -- <path/to/backup.db>');
const backup = path.resolve(source);
if (!fs.existsSync(backup)) fail(`no file at ${backup}.`);
const target = databasePath();

const pidFile = `${target}.pid`;
if (fs.existsSync(pidFile)) {
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  let alive = false;
  try {
    process.kill(pid, 0);
    alive = true;
  } catch {
    // No such process: a stale pid file from a crash.
  }
  if (alive) fail(`a Manabi server (pid ${pid}) is running on ${target}; stop it first.`);
}

let check: unknown;
let migrated = false;
try {
  const probe = new Database(backup, { readonly: true, fileMustExist: true });
  check = probe.pragma('integrity_check', { simple: true });
  migrated = Boolean(probe.prepare("select 1 from sqlite_master where name = '__drizzle_migrations'").get());
  probe.close();
} catch (error) {
  fail(`${backup} is not a readable SQLite database (${(error as Error).message}).`);
}
if (check !== 'ok') fail(`${backup} fails integrity_check (${String(check)}); nothing changed.`);
if (!migrated) fail(`${backup} is not a Manabi database (no migrations table); nothing changed.`);

fs.mkdirSync(path.dirname(target), { recursive: true });
// The old write-ahead log belongs to the old database: it must not be replayed onto the restored one.
for (const suffix of ['-wal', '-shm']) fs.rmSync(`${target}${suffix}`, { force: true });
const db = new Database(backup, { readonly: true });
await db.backup(target);
db.close();
const restored = new Database(target, { readonly: true });
const after = restored.pragma('integrity_check', { simple: true });
restored.close();
if (after !== 'ok') fail(`the restored database fails integrity_check (${String(after)}).`);
console.log(`Restored ${target} from ${backup} (integrity ok). Start the server to apply any newer migrations.`);
