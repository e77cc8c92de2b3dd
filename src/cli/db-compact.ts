/**
 * `npm run db:compact`: checkpoints the write-ahead log into DATABASE_PATH, VACUUMs the file and
 * empties the log again, so no deleted or overwritten bytes remain in free pages or in the log.
 * An erasure does this by itself; run this when its compaction failed (the server logs
 * "compacting the database failed", e.g. on a full disk: VACUUM needs free space about the size of
 * the file) and before the next backup. Refuses while a server holds the database: VACUUM takes
 * the write lock for as long as it runs.
 */
import fs from 'node:fs';
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { compactDatabase, databasePath, openDatabase } from '../platform/db.server.ts';
import { lockDatabase, LockHeldError } from '../platform/db-lock.server.ts';

function fail(message: string): never {
  console.error(`db:compact: ${message}`);
  process.exit(1);
}

exitOnConfigError(getConfig, 'db:compact');
const file = databasePath();
if (!fs.existsSync(file)) fail(`there is no database at ${file}. Nothing changed.`);
let release: () => void = () => undefined;
try {
  release = lockDatabase(file, { writePid: false }).release;
} catch (error) {
  if (error instanceof LockHeldError) fail(`${error.message}; stop it first (VACUUM holds the write lock while it runs). Nothing changed.`);
  fail(`cannot lock ${file} (${(error as Error).message}).`);
}
const db = openDatabase(file);
const before = fs.statSync(file).size;
// Elapsed time for the message only: the real monotonic clock.
const started = performance.now();
try {
  const { walEmptied } = await compactDatabase(db);
  if (!walEmptied) fail('VACUUM ran, but the write-ahead log could not be emptied; run it again.');
} catch (error) {
  fail(`VACUUM failed (${(error as Error).message}). The database is as it was; free disk space (about ${Math.ceil(before / 1_048_576)} MiB) and run it again.`);
} finally {
  await db.close();
  release();
}
console.log(`Compacted ${file} in ${Math.round(performance.now() - started)} ms: ${before.toLocaleString('en')} → ${fs.statSync(file).size.toLocaleString('en')} bytes.`);
