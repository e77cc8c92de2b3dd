/**
 * Issue 14 acceptance: a database made before renewal cycles (by the commit before the migration
 * that added them, with the bench's organisation generator of that commit: old schema, old code)
 * keeps every completion, attempt, answer, certificate, enrolment and acknowledgement as cycle 1
 * when today's code opens it; start-up gives the legacy certificates their tier's validity; and
 * `npm run db:rebuild-rollups` afterwards gives exactly the roll-ups the old code kept.
 *
 * The old database is made from the git history (`git archive` of that commit into a temp folder,
 * this checkout's node_modules linked in). A clone without that history (shallow) fails here with
 * a message saying so: it cannot pass without having checked anything.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TZDate } from '@date-fns/tz';
import Database from 'better-sqlite3';
import { addMonths } from 'date-fns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db.server.ts';
import { tempDir } from '../helpers/db.ts';
import { fixtureCatalog, ROOT } from '../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const TZ = 'Asia/Tokyo';
/** A line of the migration that added renewal cycles: found by content, so a renumbered file is still found. */
const CYCLE_MIGRATION_MARK = 'ALTER TABLE `certificates` ADD `cycle`';
const LEGACY_SCRIPT = 'tests/reliability/fixtures/legacy-organisation.mjs';
/** What the generator of that commit needs: its code, migrations and the fixture curriculum it reads. */
const LEGACY_PATHS = ['bench', 'src', 'db', 'tests/fixtures/content', 'package.json', 'tsconfig.json'];
/** Written only by training and by the programme; the roll-ups are compared on their own. */
const TRAINING_TABLES = [
  'lesson_completions',
  'quiz_attempts',
  'attempt_answers',
  'certificates',
  'assignments',
  'assignment_enrolments',
  'policy_acknowledgements',
  'lesson_views',
  'activity_months',
];
const ENV = { APP_TIMEZONE: TZ, MANABI_CONTENT_DIR: path.join(ROOT, 'tests/fixtures/content') };

const catalog = fixtureCatalog();
const dir = tempDir('manabi-migration-');
const legacyRoot = path.join(dir, 'legacy');
const legacyFile = path.join(dir, 'legacy.db');
const file = path.join(dir, 'manabi.db');
let server: RunningServer | null = null;

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function git(args: string[]): { status: number | null; out: string } {
  const run = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, out: run.status === 0 ? run.stdout.trim() : `${run.stderr}${run.error?.message ?? ''}`.trim() };
}

/** The commit before renewal cycles: the parent of the first commit whose migrations add them. */
function commitBeforeCycles(): string {
  const shallow = git(['rev-parse', '--is-shallow-repository']).out === 'true';
  const noHistory = (why: string): Error =>
    new Error(
      `this test makes its old database with the commit before the renewal-cycle migrations and needs the git history: ${why}` +
        (shallow ? ' (this clone is shallow: run `git fetch --unshallow`, or clone without --depth)' : ''),
    );
  const added = git(['log', '--reverse', '--format=%H', '-S', CYCLE_MIGRATION_MARK, '--', 'db/migrations']);
  if (added.status !== 0) throw noHistory(`git log failed: ${added.out}`);
  const first = added.out.split('\n')[0];
  if (!first) throw noHistory(`no commit in the history adds "${CYCLE_MIGRATION_MARK}" to db/migrations`);
  const parent = git(['rev-parse', '--verify', '--quiet', `${first}^`]);
  if (parent.status !== 0 || !parent.out) throw noHistory(`the parent of ${first} (which added the migration) is not in this clone`);
  // The parent must really be the old schema (a grafted or squashed history could hide the mark).
  const stillThere = git(['grep', '-l', '-F', CYCLE_MIGRATION_MARK, parent.out, '--', 'db/migrations']);
  if (stillThere.status === 0) throw noHistory(`${parent.out} already has the renewal-cycle migration (${stillThere.out})`);
  return parent.out;
}

/** The old code writes the old database: its tree, this checkout's node_modules, the generator. */
function makeLegacyDatabase(commit: string): void {
  fs.mkdirSync(legacyRoot);
  const archive = path.join(dir, 'legacy.tar');
  const exported = git(['archive', '--format=tar', '-o', archive, commit, ...LEGACY_PATHS]);
  if (exported.status !== 0) throw new Error(`git archive ${commit} failed: ${exported.out}`);
  const extracted = spawnSync('tar', ['-xf', archive, '-C', legacyRoot], { encoding: 'utf8', timeout: 30_000 });
  if (extracted.status !== 0) throw new Error(`tar failed: ${extracted.stderr}`);
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(legacyRoot, 'node_modules'), 'dir');
  fs.mkdirSync(path.join(legacyRoot, path.dirname(LEGACY_SCRIPT)), { recursive: true });
  fs.copyFileSync(path.join(ROOT, LEGACY_SCRIPT), path.join(legacyRoot, LEGACY_SCRIPT));
  const { DATABASE_PATH: _d, MIGRATIONS_DIR: _m, MANABI_CONTENT_DIR: _c, ...env } = process.env;
  const made = spawnSync(process.execPath, [LEGACY_SCRIPT, legacyFile, 'tests/fixtures/content'], {
    cwd: legacyRoot,
    env: { ...env, APP_TIMEZONE: TZ },
    encoding: 'utf8',
    // Under the suite's 120 s hook timeout, so a stuck generator fails with its own output.
    timeout: 90_000,
  });
  if (made.status !== 0) throw new Error(`the old generator (${commit}) failed:\n${made.stdout}${made.stderr}${made.error?.message ?? ''}`);
}

function readOnly<T>(at: string, work: (db: Database.Database) => T): T {
  const db = new Database(at, { readonly: true });
  try {
    return work(db);
  } finally {
    db.close();
  }
}

/** Each table's columns, as that database has them. */
function columnsOf(db: Database.Database): Map<string, string[]> {
  const tables = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> '__drizzle_migrations'").all() as { name: string }[];
  return new Map(tables.map(({ name }) => [name, (db.pragma(`table_info(${name})`) as { name: string }[]).map((c) => c.name)]));
}

/** Every row of `tables`, projected on `columns` (the old schema's) and sorted, as JSON. */
function rowsOf(at: string, columns: Map<string, string[]>, tables: readonly string[]): Record<string, string[]> {
  return readOnly(at, (db) =>
    Object.fromEntries(
      tables.map((table) => {
        const list = columns.get(table)!.map((c) => `"${c}"`);
        return [table, (db.prepare(`select ${list.join(', ')} from ${table}`).all() as object[]).map((r) => JSON.stringify(r)).sort()];
      }),
    ),
  );
}

interface Rollups {
  months: string[];
  questions: string[];
  wrong: string[];
  pairs: string[];
}

/** Every roll-up row as sorted JSON (rows that count nothing left out: a rebuild does not make them). */
function rollups(at: string): Rollups {
  return readOnly(at, (db) => {
    const rows = (sql: string): string[] => (db.prepare(sql).all() as object[]).map((r) => JSON.stringify(r)).sort();
    return {
      months: rows(
        'select * from kpi_department_months where active_users + hours_sum + hours_respondents + attempts + attempts_passed + score_sum + rating_sum + rating_count <> 0',
      ),
      questions: rows('select * from kpi_question_months'),
      wrong: rows('select * from kpi_wrong_options where count <> 0'),
      pairs: rows('select * from quiz_pairs'),
    };
  });
}

const countsOf = (rows: Record<string, string[]>): Record<string, number> => Object.fromEntries(Object.entries(rows).map(([table, list]) => [table, list.length]));
const count = (at: string, sql: string): number => readOnly(at, (db) => (db.prepare(sql).get() as { n: number }).n);

describe('migrating a database made before renewal cycles (issue 14)', () => {
  let oldColumns: Map<string, string[]>;
  let oldRows: Record<string, string[]>;
  let oldRollups: Rollups;

  beforeAll(() => {
    makeLegacyDatabase(commitBeforeCycles());
    oldColumns = readOnly(legacyFile, columnsOf);
    // The old schema indeed: none of the columns the migrations add.
    expect(oldColumns.get('lesson_completions')).not.toContain('cycle');
    expect(oldColumns.get('certificates')).not.toContain('valid_until');
    oldRows = rowsOf(legacyFile, oldColumns, [...oldColumns.keys()]);
    oldRollups = rollups(legacyFile);
    const counts = countsOf(oldRows);
    console.info(`old database: ${JSON.stringify(counts)}`);
    // A real organisation, with something in every table the migration rebuilds or points at.
    for (const table of [...TRAINING_TABLES, 'users']) expect(counts[table], table).toBeGreaterThan(0);
    expect(count(legacyFile, 'select count(*) n from quiz_attempts where submitted_at is null')).toBeGreaterThan(0);
    expect(oldRollups.months.length).toBeGreaterThan(0);
    expect(oldRollups.wrong.length).toBeGreaterThan(0);
    fs.copyFileSync(legacyFile, file);
  });

  it('keeps every row, values unchanged, with the new columns at cycle 1, no version and no validity yet', async () => {
    await openDatabase(file).close();
    const migrated = readOnly(file, columnsOf);
    expect(migrated.get('lesson_completions')).toContain('cycle');
    // Every table, every row, every old column: nothing lost (an attempt's answers, an assignment's
    // enrolments) or changed. The counts first, for a readable failure.
    const rows = rowsOf(file, oldColumns, [...oldColumns.keys()]);
    expect(countsOf(rows)).toEqual(countsOf(oldRows));
    expect(rows).toEqual(oldRows);
    const notDefault: Record<string, string> = {
      lesson_completions: "cycle <> 1 or content_version <> '' or major_revision is not null",
      quiz_attempts: "cycle <> 1 or content_version <> ''",
      attempt_answers: "question_version <> ''",
      certificates: 'cycle <> 1 or valid_until is not null',
      assignments: 'valid_for_months is not null',
    };
    for (const [table, where] of Object.entries(notDefault)) expect(count(file, `select count(*) n from ${table} where ${where}`), table).toBe(0);
    expect(readOnly(file, (db) => db.pragma('foreign_key_check'))).toEqual([]);
  });

  it('at start, gives legacy certificates their tier’s validity and rebuilds the roll-ups to what the old code kept', async () => {
    server = await startServer({ databasePath: file, outDir: FIXTURE_OUT_DIR, env: ENV });
    expect((await get(server.url, '/login')).status).toBe(200);
    await server.stop();
    const output = server.output();
    server = null;
    expect(output).not.toMatch(/could not be settled|roll-up rebuild failed/);
    // No roll-up version in the old database: the server rebuilt them before it served.
    expect(output).toContain('roll-ups rebuilt');
    expect(rollups(file)).toEqual(oldRollups);
    expect(rowsOf(file, oldColumns, TRAINING_TABLES)).toEqual(Object.fromEntries(TRAINING_TABLES.map((t) => [t, oldRows[t]])));

    const certificates = readOnly(
      file,
      (db) =>
        db.prepare('select tier_id tierId, issued_at issuedAt, valid_until validUntil from certificates').all() as {
          tierId: string;
          issuedAt: number;
          validUntil: number | null;
        }[],
    );
    expect(certificates.length).toBe(oldRows.certificates!.length);
    for (const tier of catalog.tiers) {
      const ofTier = certificates.filter((c) => c.tierId === tier.id);
      expect(ofTier.length, tier.id).toBeGreaterThan(0);
      // Until the fixture tiers carry `validForMonths` (the content-versions branch), `renewal` is
      // null and a tier without it keeps its certificates valid for good: valid_until stays null.
      // Once it is set, each legacy certificate is valid for that many calendar months from its issue.
      const months = tier.renewal?.validForMonths ?? null;
      for (const c of ofTier) {
        const expected = months === null ? null : addMonths(new TZDate(c.issuedAt, TZ), months).getTime();
        expect(c.validUntil, `${tier.id} certificate issued ${new Date(c.issuedAt).toISOString()}`).toBe(expected);
      }
    }
  });

  it('npm run db:rebuild-rollups afterwards gives exactly the roll-ups the old code kept', () => {
    // Emptied first, so what is compared is the CLI's rebuild alone, not what start-up left.
    const db = new Database(file);
    for (const table of ['kpi_department_months', 'kpi_question_months', 'kpi_wrong_options', 'quiz_pairs']) db.prepare(`delete from ${table}`).run();
    db.close();
    expect(rollups(file).months).toEqual([]);
    const rebuilt = spawnSync('npm', ['run', '--silent', 'db:rebuild-rollups'], {
      cwd: ROOT,
      env: { ...process.env, ...ENV, DATABASE_PATH: file },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(rebuilt.status, `${rebuilt.stdout}${rebuilt.stderr}`).toBe(0);
    expect(rebuilt.stdout).toContain('Rebuilt the roll-ups');
    expect(rollups(file)).toEqual(oldRollups);
  });
});
