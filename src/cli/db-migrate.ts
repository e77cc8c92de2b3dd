/** `npm run db:migrate`: applies the committed migrations to DATABASE_PATH (default data/manabi.db). */
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { databasePath, openDatabase } from '../platform/db.server.ts';

exitOnConfigError(getConfig, 'db:migrate');
const file = databasePath();
const db = openDatabase(file);
await db.close();
console.log(`Database ${file} is up to date.`);
