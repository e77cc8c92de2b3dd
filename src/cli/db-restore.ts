/**
 * `npm run db:restore -- path/to/backup.db`: replaces the database with a backup. Checks the
 * backup first (integrity_check, Manabi's migrations table, no migration newer than this
 * code) and refuses while a server holds the database's lock (src/platform/db-lock.server.ts); it
 * holds that lock itself while it works, so no server can start half-way. The roll-ups of the
 * restored database are marked for a rebuild, which the next start does before serving.
 *
 * With DATABASE_URL=postgres://… (issue 18): `pg_restore --clean --single-transaction` of a
 * `db:backup` dump (src/platform/pg-tools.server.ts), all or nothing; refused while another
 * session (a running Manabi) uses the database, since there is no lock file to hold there.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { databasePath, migrationsFolder } from '../platform/db.server.ts';
import { lockDatabase, LockHeldError, type DatabaseLock } from '../platform/db-lock.server.ts';
import { dumpTables, otherSessions, PgToolError, restorePostgres } from '../platform/pg-tools.server.ts';
import pg from 'pg';
import { ROLLUP_VERSION_KEY } from '../features/kpi/rollup-version.server.ts';

function fail(message: string): never {
  console.error(`db:restore: ${message}`);
  process.exit(1);
}

exitOnConfigError(getConfig, 'db:restore');
const source = process.argv[2];
if (!source || process.argv.length > 3) fail('usage: npm run db:restore -- <path/to/backup.db>');
const backup = path.resolve(source);
if (!fs.existsSync(backup)) fail(`no file at ${backup}.`);
const { postgres } = getConfig();
if (postgres) await restoreIntoPostgres(postgres.url);
const target = databasePath();

let lock: DatabaseLock;
try {
  lock = lockDatabase(target, { writePid: false });
} catch (error) {
  if (error instanceof LockHeldError) fail(`${error.message}; stop it first. Nothing changed.`);
  fail(`cannot lock ${target} (${(error as Error).message}).`);
}

/** The newest migration this code knows (drizzle's journal: `when` is the migration's timestamp). */
function newestKnownMigration(): number {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] };
  return Math.max(0, ...journal.entries.map((e) => e.when));
}

let check: unknown;
let migrated = false;
let newestInBackup = 0;
try {
  const probe = new Database(backup, { readonly: true, fileMustExist: true });
  check = probe.pragma('integrity_check', { simple: true });
  migrated = Boolean(probe.prepare("select 1 from sqlite_master where name = '__drizzle_migrations'").get());
  if (migrated) newestInBackup = Number((probe.prepare('select max(created_at) n from __drizzle_migrations').get() as { n: number | null }).n ?? 0);
  probe.close();
} catch (error) {
  fail(`${backup} is not a readable SQLite database (${(error as Error).message}).`);
}
if (check !== 'ok') fail(`${backup} fails integrity_check (${String(check)}); nothing changed.`);
if (!migrated) fail(`${backup} is not a Manabi database (no migrations table); nothing changed.`);
if (newestInBackup > newestKnownMigration()) {
  fail(`${backup} was made by a newer Manabi (its schema has migrations this code does not know); update Manabi first. Nothing changed.`);
}

fs.mkdirSync(path.dirname(target), { recursive: true });
// The old write-ahead log belongs to the old database: it must not be replayed onto the restored one.
for (const suffix of ['-wal', '-shm']) fs.rmSync(`${target}${suffix}`, { force: true });
const db = new Database(backup, { readonly: true });
await db.backup(target);
db.close();
const restored = new Database(target);
const after = restored.pragma('integrity_check', { simple: true });
if (after === 'ok' && restored.prepare("select 1 from sqlite_master where name = 'settings'").get()) {
  // Roll-ups are rebuilt by the next start (with the curriculum of the running build).
  restored.prepare('delete from settings where key = ?').run(ROLLUP_VERSION_KEY);
}
restored.close();
lock.release();
if (after !== 'ok') fail(`the restored database fails integrity_check (${String(after)}).`);
console.log(`Restored ${target} from ${backup} (integrity ok). Start the server: it applies any newer migrations and rebuilds the roll-ups.`);

async function restoreIntoPostgres(url: string): Promise<never> {
  try {
    const tables = await dumpTables(backup).catch(() => {
      throw new PgToolError(`${backup} is not a pg_dump custom-format file (make one with db:backup and DATABASE_URL set).`);
    });
    if (!tables.includes('public.users') || !tables.includes('drizzle.__drizzle_migrations'))
      fail(`${backup} is not a Manabi dump (no users or migrations table); nothing changed.`);
    const others = await otherSessions(url).catch((error: unknown) => fail(`cannot connect to PostgreSQL (${(error as Error).message}).`));
    if (others.length > 0) fail(`the database is in use by ${others.join(', ')}; stop the servers first. Nothing changed.`);
    await restorePostgres(url, backup);
  } catch (error) {
    if (error instanceof PgToolError) fail(`${error.message} Nothing changed.`);
    throw error;
  }
  // Roll-ups are rebuilt by the next start, as on SQLite.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('delete from settings where key = $1', [ROLLUP_VERSION_KEY]);
  await client.end();
  console.log(`Restored PostgreSQL from ${backup}. Start the servers: they apply any newer migrations and rebuild the roll-ups.`);
  process.exit(0);
}
