/**
 * `npm start`: build if needed, migrate, seed a demo organisation into an empty database
 * (never with NODE_ENV=production), then serve on http://localhost:4321 (PORT/HOST respected).
 */
import { databasePath, openDatabase, prepareProgramme } from '../lib/server/db.ts';
import { seedDemo } from '../lib/server/seed.ts';
import { buildIfStale } from './build-if-stale.ts';
import { isStorageUnavailable, storageErrorCode } from '../lib/server/storage-errors.ts';
import { lockOrExit, serve } from './serve.ts';

const production = process.env.NODE_ENV === 'production';
process.env.PORT ??= '4321';
process.env.HOST ??= production ? '0.0.0.0' : 'localhost';

try {
  buildIfStale();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const file = databasePath();
// The lock first: a second `npm start` on the same file stops here, before it writes anything.
lockOrExit(file);
try {
  const db = openDatabase(file);
  if (!production) {
    const accounts = await seedDemo(db);
    if (accounts.length > 0) {
      console.log('\nSeeded a demo organisation. Sign in with one of these accounts (shown once):');
      for (const account of accounts) {
        console.log(`  ${account.role.padEnd(8)}  ${account.email}  ${account.password}`);
      }
      console.log('');
    }
  }
  prepareProgramme(db);
  db.$client.close();
} catch (error) {
  if (!isStorageUnavailable(error)) throw error;
  // One clear line, never Drizzle's message (it carries the SQL).
  console.error(`Manabi cannot start: the database ${file} cannot be opened for writing (${storageErrorCode(error)}); check the disk space and the file's permissions.`);
  process.exit(1);
}

console.log(`Database: ${file}`);
await serve();
