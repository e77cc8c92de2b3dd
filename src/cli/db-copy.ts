/**
 * `npm run db:copy -- --from data/manabi.db --to postgres://…` (issue 18): moves a Manabi from
 * SQLite to PostgreSQL. Migrates the target, copies every table in one transaction (ids kept,
 * sequences set past them), checks the row counts and prints them. Refuses a target that already
 * holds rows. The source may be the live database: it is read from one consistent snapshot; stop
 * the servers before switching them to DATABASE_URL, since later writes to SQLite are not copied.
 * Exit code 0 when copied, 1 when refused or failed (the target then holds no copied row), 2 on
 * bad arguments.
 */
import { parseArgs } from 'node:util';
import { redactUrl } from '../platform/db-copy-plan.server.ts';
import { CopyError, copySqliteToPostgres } from '../platform/db-copy.server.ts';
import { childEnv } from '../platform/config.server.ts';

const USAGE = 'usage: npm run db:copy -- --from <path/to/manabi.db> --to <postgres://user:password@host:5432/database>\n  (--to defaults to DATABASE_URL)';

function exit(code: number, message: string): never {
  console.error(`db:copy: ${message}`);
  process.exit(code);
}

let from: string | undefined;
let to: string | undefined;
try {
  const { values, positionals } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (positionals.length > 0) exit(2, `unexpected argument ${positionals[0]}.\n${USAGE}`);
  from = values.from;
  to = values.to ?? childEnv().DATABASE_URL;
} catch (error) {
  exit(2, `${(error as Error).message}\n${USAGE}`);
}
if (!from) exit(2, `--from is missing.\n${USAGE}`);
if (!to) exit(2, `--to is missing (and DATABASE_URL is not set).\n${USAGE}`);
if (!/^postgres(ql)?:\/\//.test(to)) exit(2, `--to must be a postgres:// or postgresql:// URL (got ${redactUrl(to)}).`);

console.log(`Copying ${from} to ${redactUrl(to)}`);
try {
  const report = await copySqliteToPostgres({ from, to, log: (line) => console.log(line) });
  const width = Math.max(...report.tables.map((t) => t.table.length));
  console.log(`\n${'table'.padEnd(width)}  ${'sqlite'.padStart(9)}  ${'postgres'.padStart(9)}`);
  for (const t of report.tables) console.log(`${t.table.padEnd(width)}  ${String(t.source).padStart(9)}  ${String(t.target).padStart(9)}`);
  console.log(`\nCopied ${report.rows} rows in ${report.tables.length} tables in ${(report.ms / 1000).toFixed(1)} s; every table's row count matches.`);
  console.log('Next: stop the servers on SQLite (later writes there are not copied), then start them with DATABASE_URL set to the target.');
} catch (error) {
  if (error instanceof CopyError) exit(1, error.message);
  exit(1, `failed: ${(error as Error).message}`);
}
