/**
 * `npm start`: build if needed, migrate, seed a demo organisation into an empty database
 * (never with NODE_ENV=production), then serve on http://localhost:4321 (PORT/HOST respected).
 */
import { databasePath, openDatabase, prepareProgramme } from '../lib/server/db.ts';
import { seedDemo } from '../lib/server/seed.ts';
import { buildIfStale } from './build-if-stale.ts';
import { serve } from './serve.ts';

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

console.log(`Database: ${file}`);
await serve();
