/**
 * `npm run users:import -- users.csv [--update]`
 * Columns: email,name,department,role; UTF-8 or Shift_JIS (CP932). All or nothing: one bad row
 * and nothing is imported; every bad row is listed with its line and the reason. Missing
 * departments are created. Never leaves zero active admins; every changed user is audited
 * with `cli:<OS user>` as the actor.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { cliTranslator, importProblemText } from '../features/users/import-problems.ts';
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { installClockFile } from '../platform/clock.server.ts';
import { openConfiguredDatabase } from '../platform/db.server.ts';
import { prepareProgramme } from '../features/programme/prepare.server.ts';
import { importUsersCsv } from '../features/users/import.server.ts';
import { cliActorLabel } from './cli-actor.ts';

const USAGE = 'Usage: npm run users:import -- <file.csv> [--update]';

const config = exitOnConfigError(getConfig, 'users:import');
// Creation times, audit rows and enrolments read the clock, which a test may move (MANABI_CLOCK_FILE).
installClockFile(config.clockFile);
let parsed;
try {
  parsed = parseArgs({
    options: { update: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
} catch (error) {
  console.error(`users:import: ${(error as Error).message}\n${USAGE}`);
  process.exit(1);
}
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [file, ...extra] = parsed.positionals;
if (!file || extra.length > 0) {
  console.error(`users:import: give exactly one CSV file.\n${USAGE}`);
  process.exit(1);
}
let bytes: Uint8Array;
try {
  bytes = fs.readFileSync(file);
} catch (error) {
  console.error(`users:import: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  process.exit(1);
}

// The SQLite file at DATABASE_PATH, or PostgreSQL with DATABASE_URL.
const db = openConfiguredDatabase();
const report = await importUsersCsv(db, bytes, {
  update: parsed.values.update,
  actor: null,
  actorLabel: cliActorLabel(),
  fileName: file,
  onProgress: (done, total) => {
    if (total >= 1000) process.stdout.write(`\r  imported ${done}/${total}`);
    if (total >= 1000 && done === total) process.stdout.write('\n');
  },
});
await prepareProgramme(db);
await db.close();

if (!report.ok) {
  console.error(`users:import: nothing was imported; ${report.problems.length} problem(s) in ${file}:`);
  // In the user's language (LANG), through the same strings as the admin pages.
  const t = cliTranslator(config.localeVariables);
  for (const problem of report.problems) console.error(`  ${importProblemText(t, problem)}`);
  if (report.problems.some((p) => p.code === 'already_exists')) console.error(`  ${t('import.cliUpdateHint')}`);
  process.exit(1);
}
console.log(`users:import: created ${report.created}, updated ${report.updated} user(s) from ${file} (${report.encoding}).`);
if (report.unchanged > 0) console.log(`  ${report.unchanged} existing user(s) were already as listed.`);
if (report.departmentsCreated.length > 0) console.log(`  new departments: ${report.departmentsCreated.join(', ')}`);
if (report.created > 0) {
  console.log('  New users have no password yet: give each one with: npm run user:password -- --email <email>');
}
