/**
 * `npm run user:password -- --email a@b.jp [--password-stdin]`
 * Sets a user's password (asked for, read from stdin, or generated) and ends all their sessions.
 */
import { parseArgs } from 'node:util';
import { normalizeEmail } from '../platform/input/email.ts';
import { audit } from '../features/audit/audit.server.ts';
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { installClockFile } from '../platform/clock.server.ts';
import { openConfiguredDatabase } from '../platform/db.server.ts';
import { hashPassword } from '../features/auth/password.server.ts';
import { deleteUserSessions } from '../features/auth/session.server.ts';
import { findUserIdByEmail, setPasswordHash } from '../features/users/users.server.ts';
import { isErased } from '../features/users/erasure.server.ts';
import { cliActorLabel } from './cli-actor.ts';
import { readPassword } from './password-input.ts';

const USAGE = 'Usage: npm run user:password -- --email <email> [--password-stdin]';

function fail(message: string): never {
  console.error(`user:password: ${message}`);
  process.exit(1);
}

exitOnConfigError(getConfig, 'user:password');
// The audit row's time and updated_at read the clock, which a test may move (MANABI_CLOCK_FILE).
installClockFile(getConfig().clockFile);
let values;
try {
  values = parseArgs({
    options: { email: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false } },
    strict: true,
  }).values;
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
const email = values.email?.trim() ?? '';
if (!email) fail(`--email is required.\n${USAGE}`);

const db = openConfiguredDatabase();
const userId = await db.read(async (q) => await findUserIdByEmail(q, email));
if (userId === null) fail(`no user with the email ${normalizeEmail(email)}.`);
// An erased user is no one any more (src/features/users/erasure.server.ts): nobody may sign in as them.
if (await db.read(async (q) => await isErased(q, userId))) fail('this user’s personal data was erased; the account cannot get a password.');
const input = await readPassword(values['password-stdin'], email);
if ('error' in input) fail(input.error);
const passwordHash = await hashPassword(input.password);
const ended = await db.write(async (tx) => {
  await setPasswordHash(tx, userId, passwordHash);
  const sessionsEnded = await deleteUserSessions(tx, userId);
  // Who set it and when; never the password or its hash.
  await audit(tx, { actor: null, actorLabel: cliActorLabel(), action: 'user.password_set', target: { type: 'user', id: userId }, details: { via: 'cli', sessionsEnded } });
  return sessionsEnded;
});
await db.close();
console.log(`Password set for ${normalizeEmail(email)}; ${ended} session(s) ended.`);
if (input.generated) console.log(`Password (shown once, pass it on safely): ${input.password}`);
