/**
 * `npm start`: build if needed, migrate, seed a demo organisation into an empty database
 * (never with NODE_ENV=production), then serve on http://localhost:4321 (PORT/HOST respected).
 * A bad setting stops it with one line before anything is built or written.
 */
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { installClockFile } from '../platform/clock.server.ts';
import { configuredDatabaseLabel, databasePath, openConfiguredDatabase } from '../platform/db.server.ts';
import { prepareProgramme } from '../features/programme/prepare.server.ts';
import { type DemoAccount, seedDemo } from '../features/users/seed.server.ts';
import { buildIfStale } from './build-if-stale.ts';
import { isStorageUnavailable, storageErrorCode } from '../platform/storage-errors.server.ts';
import { lockOrExit, serve } from './serve.ts';

const { production, clockFile, postgres } = exitOnConfigError(getConfig);
// The demo seed and the enrolments read the clock before serve() starts (which installs it too).
installClockFile(clockFile);

try {
  buildIfStale();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const file = databasePath();
// The lock first: a second `npm start` on the same file stops here, before it writes anything.
// (PostgreSQL is shared by every instance: no file, no lock.)
if (postgres === null) lockOrExit(file);
let accounts: DemoAccount[] = [];
try {
  const db = openConfiguredDatabase();
  if (!production) accounts = await seedDemo(db);
  await prepareProgramme(db);
  await db.close();
} catch (error) {
  if (!isStorageUnavailable(error)) throw error;
  // One clear line, never Drizzle's message (it carries the SQL).
  console.error(
    postgres === null
      ? `Manabi cannot start: the database ${file} cannot be opened for writing (${storageErrorCode(error)}); check the disk space and the file's permissions.`
      : `Manabi cannot start: ${configuredDatabaseLabel()} cannot be reached (${storageErrorCode(error)}); check DATABASE_URL and that the server is up.`,
  );
  process.exit(1);
}

console.log(`Database: ${configuredDatabaseLabel()}`);
await serve();
// Last, after the build log and the listening line, so the one-time passwords are not scrolled away.
if (accounts.length > 0) console.log(`\n${credentialsBox(accounts)}\n`);

/** The demo accounts in a box: role, email, password, one per line. */
function credentialsBox(list: DemoAccount[]): string {
  const lines = [
    'Seeded a demo organisation. Sign in with one of these accounts (shown once):',
    '',
    ...list.map((a) => `${a.role.padEnd(8)}  ${a.email.padEnd(24)}  ${a.password}`),
  ];
  const width = Math.max(...lines.map((line) => line.length));
  const rule = '─'.repeat(width + 2);
  return [`┌${rule}┐`, ...lines.map((line) => `│ ${line.padEnd(width)} │`), `└${rule}┘`].join('\n');
}
