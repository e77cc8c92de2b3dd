/**
 * `npm run db:backup -- path/to/backup.db`: a consistent copy of the live database with
 * SQLite's online backup API (safe while the server runs), checked with integrity_check.
 * Refuses to overwrite an existing file.
 *
 * With DATABASE_URL=postgres://… (issue 18): `pg_dump -Fc` of the whole database into the file
 * (src/platform/pg-tools.server.ts), checked with `pg_restore --list`; a consistent snapshot too,
 * taken while the servers run. For a managed PostgreSQL, the provider's point-in-time recovery is
 * the disaster-recovery backup; this one is a portable copy (see the README).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { databasePath } from '../platform/db.server.ts';
import { dumpPostgres, PgToolError } from '../platform/pg-tools.server.ts';

exitOnConfigError(getConfig, 'db:backup');
const target = process.argv[2];
if (!target || process.argv.length > 3) {
  console.error('Usage: npm run db:backup -- <path/to/backup.db>   (with DATABASE_URL: <path/to/backup.dump>)');
  process.exit(1);
}
const destination = path.resolve(target);
if (fs.existsSync(destination)) {
  console.error(`db:backup: ${destination} exists; choose a new file (a backup never overwrites).`);
  process.exit(1);
}
const { postgres } = getConfig();
if (postgres) {
  fs.mkdirSync(path.dirname(destination), { recursive: true });
  try {
    await dumpPostgres(postgres.url, destination);
  } catch (error) {
    if (!(error instanceof PgToolError)) throw error;
    console.error(`db:backup: ${error.message}`);
    process.exit(1);
  }
  console.log(`Backed up PostgreSQL to ${destination} (${fs.statSync(destination).size} bytes, pg_dump custom format; restore with npm run db:restore).`);
  process.exit(0);
}
const source = databasePath();
if (!fs.existsSync(source)) {
  console.error(`db:backup: no database at ${source}.`);
  process.exit(1);
}
fs.mkdirSync(path.dirname(destination), { recursive: true });
const db = new Database(source, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
await db.backup(destination, {
  progress: ({ totalPages, remainingPages }) => {
    if (totalPages > 10_000) process.stdout.write(`\r  copied ${totalPages - remainingPages}/${totalPages} pages`);
    return 1000;
  },
});
db.close();
const copy = new Database(destination, { readonly: true });
const check = copy.pragma('integrity_check', { simple: true });
copy.close();
if (check !== 'ok') {
  fs.rmSync(destination, { force: true });
  console.error(`\ndb:backup: the copy failed integrity_check (${String(check)}); nothing kept.`);
  process.exit(1);
}
console.log(`\nBacked up ${source} to ${destination} (${fs.statSync(destination).size} bytes, integrity ok).`);
