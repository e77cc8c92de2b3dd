/** `npm run db:migrate`: applies the committed migrations to DATABASE_PATH (default data/manabi.db). */
import { databasePath, openDatabase } from '../platform/db.server.ts';

const file = databasePath();
const db = openDatabase(file);
await db.close();
console.log(`Database ${file} is up to date.`);
