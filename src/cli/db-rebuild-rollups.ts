/**
 * `npm run db:rebuild-rollups`: recomputes every KPI roll-up of the database (DATABASE_URL or DATABASE_PATH) from the base
 * tables, with the curriculum in content/ (or MANABI_CONTENT_DIR, as the build reads it), and
 * records the roll-up version. Refuses while a server holds the database: a running server
 * rebuilds by itself at start whenever the roll-up version changed (see rollup-version.ts).
 */
import { buildCatalog } from '../features/curriculum/catalog.ts';
import { contentDir } from '../features/curriculum/location.ts';
import { readCorpus } from '../features/curriculum/read-corpus.ts';
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { installClockFile } from '../platform/clock.server.ts';
import { configuredDatabaseLabel, databasePath, openConfiguredDatabase } from '../platform/db.server.ts';
import { lockDatabase, LockHeldError } from '../platform/db-lock.server.ts';
import { rebuildAndRecord } from '../features/kpi/rollup-version.server.ts';

function fail(message: string): never {
  console.error(`db:rebuild-rollups: ${message}`);
  process.exit(1);
}

const config = exitOnConfigError(getConfig, 'db:rebuild-rollups');
// The recorded roll-up version's time reads the clock, which a test may move (MANABI_CLOCK_FILE).
installClockFile(config.clockFile);
const file = databasePath();
let release: () => void = () => undefined;
// SQLite: refused while a server holds the file. PostgreSQL has no file lock: the rebuild is one
// transaction on the shared database (run it when no instance is taking writes, as after db:copy).
if (config.postgres === null) {
  try {
    release = lockDatabase(file, { writePid: false }).release;
  } catch (error) {
    if (error instanceof LockHeldError) fail(`${error.message}; stop it first (a server rebuilds stale roll-ups itself when it starts). Nothing changed.`);
    fail(`cannot lock ${file} (${(error as Error).message}).`);
  }
}
const content = contentDir(config.contentDir);
const { corpus, problems } = readCorpus(content);
if (problems.length > 0) fail(`the curriculum in ${content} has problems (npm run content:check); nothing changed.`);
const db = openConfiguredDatabase();
// Elapsed time for the message only (no date decision): the real monotonic clock.
const started = performance.now();
await rebuildAndRecord(db, buildCatalog(corpus), config.timeZone);
await db.close();
release();
console.log(`Rebuilt the roll-ups of ${configuredDatabaseLabel()} in ${Math.round(performance.now() - started)} ms.`);
