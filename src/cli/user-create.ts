/**
 * `npm run user:create -- --email a@b.jp --name "山田 太郎" --department 営業部 --role admin`
 * Creates the department if missing. The password is asked for (hidden) on a terminal,
 * read from standard input with --password-stdin, or generated and printed once.
 */
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../features/users/roles.ts';
import { isValidEmail, normalizeEmail } from '../platform/input/email.ts';
import { isLocale, type Locale } from '../platform/i18n/locales.ts';
import { hasInvisibleCharacters, normalizeDisplayName, normalizeName } from '../platform/input/text.ts';
import { audit } from '../features/audit/audit.server.ts';
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { installClockFile } from '../platform/clock.server.ts';
import { openConfiguredDatabase } from '../platform/db.server.ts';
import { prepareProgramme } from '../features/programme/prepare.server.ts';
import { hashPassword } from '../features/auth/password.server.ts';
import { createUser, ensureDepartment, findUserIdByEmail } from '../features/users/users.server.ts';
import { cliActorLabel } from './cli-actor.ts';
import { readPassword } from './password-input.ts';

const USAGE = `Usage: npm run user:create -- --email <email> --name <name> --department <department> [--role learner|champion|admin] [--locale ja|en] [--password-stdin]`;

function fail(message: string): never {
  console.error(`user:create: ${message}`);
  process.exit(1);
}

exitOnConfigError(getConfig, 'user:create');
// Creation times, audit rows and enrolments read the clock, which a test may move (MANABI_CLOCK_FILE).
installClockFile(getConfig().clockFile);
let args;
try {
  args = parseArgs({
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      department: { type: 'string' },
      role: { type: 'string', default: 'learner' },
      locale: { type: 'string', default: 'ja' },
      'password-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const email = normalizeEmail(args.email ?? '');
if (hasInvisibleCharacters(args.name ?? '')) fail('--name contains invisible or control characters (such as zero-width spaces or text-direction marks); remove them.');
if (hasInvisibleCharacters(args.department ?? '')) fail('--department contains invisible or control characters (such as zero-width spaces or text-direction marks); remove them.');
const name = normalizeDisplayName(args.name ?? '');
const department = normalizeName(args.department ?? '');
if (!email || !name || !department) fail(`--email, --name and --department are required.\n${USAGE}`);
if (!isValidEmail(email)) fail(`"${args.email}" is not a valid email address.`);
if ([...name].length > 100) fail('--name is longer than 100 characters.');
if ([...department].length > 100) fail('--department is longer than 100 characters.');
if (!(ROLES as readonly string[]).includes(args.role)) fail(`unknown role "${args.role}" (use learner, champion or admin).`);
if (!isLocale(args.locale)) fail(`unknown locale "${args.locale}" (use ja or en).`);

const input = await readPassword(args['password-stdin'], email);
if ('error' in input) fail(input.error);

const db = openConfiguredDatabase();
if ((await db.read(async (q) => await findUserIdByEmail(q, email))) !== null) fail(`a user with the email ${email} already exists.`);
const passwordHash = await hashPassword(input.password);
const userId = await db.write(async (tx) => {
  const id = await createUser(tx, {
    email,
    displayName: name,
    role: args.role as Role,
    locale: args.locale as Locale,
    departmentId: await ensureDepartment(tx, department),
    passwordHash,
  });
  await audit(tx, {
    actor: null,
    actorLabel: cliActorLabel(),
    action: 'user.created',
    target: { type: 'user', id },
    details: { via: 'cli', email: normalizeEmail(email), role: args.role, department },
  });
  return id;
});
await prepareProgramme(db);
await db.close();

console.log(`Created ${args.role} ${email} (id ${userId}) in ${department}.`);
if (input.generated) console.log(`Password (shown once, pass it on safely): ${input.password}`);
