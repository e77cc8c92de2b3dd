/**
 * `npm run db:migrate`: applies the committed migrations to the configured database — PostgreSQL
 * with DATABASE_URL (db/migrations/postgres, under the advisory lock, so it is safe while other
 * instances start), else the SQLite file at DATABASE_PATH (default data/manabi.db).
 */
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { configuredDatabaseLabel, openConfiguredDatabase } from '../platform/db.server.ts';
import { postgresReady } from '../platform/postgres.server.ts';

exitOnConfigError(getConfig, 'db:migrate');
const db = openConfiguredDatabase();
try {
  await postgresReady(db);
} catch (error) {
  console.error(`db:migrate: ${configuredDatabaseLabel()}: ${(error as Error).message.split('\n')[0]}`);
  await db.close().catch(() => undefined);
  process.exit(1);
}
await db.close();
console.log(`Database ${configuredDatabaseLabel()} is up to date.`);
