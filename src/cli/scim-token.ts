/**
 * `npm run scim:token -- --name "Entra ID"`: a new SCIM bearer token for the identity provider's
 * provisioning settings, printed once (only its hash is stored). Revoke it in /admin/settings.
 */
import { parseArgs } from 'node:util';
import { hasInvisibleCharacters, normalizeDisplayName } from '../platform/input/text.ts';
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { installClockFile } from '../platform/clock.server.ts';
import { openConfiguredDatabase } from '../platform/db.server.ts';
import { createScimToken, MAX_TOKEN_LABEL_LENGTH } from '../features/scim/tokens.server.ts';
import { cliActorLabel } from './cli-actor.ts';

const USAGE = 'Usage: npm run scim:token -- --name <label>';

function fail(message: string): never {
  console.error(`scim:token: ${message}`);
  process.exit(1);
}

exitOnConfigError(getConfig, 'scim:token');
installClockFile(getConfig().clockFile);
let args;
try {
  args = parseArgs({ options: { name: { type: 'string' }, help: { type: 'boolean', default: false } }, strict: true }).values;
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (hasInvisibleCharacters(args.name ?? '')) fail('--name contains invisible or control characters; remove them.');
const label = normalizeDisplayName(args.name ?? '');
if (!label) fail(`--name is required.\n${USAGE}`);
if ([...label].length > MAX_TOKEN_LABEL_LENGTH) fail(`--name is longer than ${MAX_TOKEN_LABEL_LENGTH} characters.`);

const db = openConfiguredDatabase();
const { token } = await createScimToken(db, label, { actorLabel: cliActorLabel() });
await db.close();
console.log(`SCIM token "${label}" (shown once; paste it into the identity provider's provisioning settings as the secret token):`);
console.log(token);
