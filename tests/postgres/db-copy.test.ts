/**
 * `npm run db:copy` (src/platform/db-copy.server.ts, issue 18) from a real SQLite file (the real
 * migrations, a generated organisation: users, completions, quiz attempts with answers,
 * certificates, roll-ups; plus a row in every other table) into a real, throwaway PostgreSQL:
 * every table's rows equal after the copy (read through both schemas, so booleans, timestamps,
 * JSON and bytes compare as the application sees them), sequences continue past the copied ids,
 * a non-empty target is refused untouched, a failure mid-copy leaves the target empty, and
 * db:backup → db:restore round-trips on PostgreSQL.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { is } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { getTableConfig as getPgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as getSqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOrganisation } from '../../bench/organisation.ts';
import * as pgSchema from '../../db/schema-pg/index.ts';
import * as sqliteSchema from '../../db/schema/sqlite.ts';
import { CopyError, copySqliteToPostgres } from '../../src/platform/db-copy.server.ts';
import { migratePostgres } from '../../src/platform/postgres.server.ts';
import { openDatabase, rawDrizzle } from '../../src/platform/db.server.ts';
import { tempDir } from '../helpers/db.ts';
import { fixtureCatalog, ROOT } from '../helpers/fixture.ts';
import { addSampleOutbox } from '../helpers/outbox-sample.ts';
import { type PostgresCluster, startPostgres } from '../helpers/postgres.ts';

const run = promisify(execFile);
const DAY = 86_400_000;

let cluster: PostgresCluster;
let admin: pg.Client;
let dir: string;
let sourceFile: string;
let counter = 0;

const pgTables = (Object.values(pgSchema) as unknown[]).filter((v): v is PgTable => is(v, PgTable));
const sqliteByName = new Map((Object.values(sqliteSchema) as unknown[]).filter((v): v is SQLiteTable => is(v, SQLiteTable)).map((t) => [getSqliteTableConfig(t).name, t]));

/** A new, empty database in the cluster. */
async function newDatabase(): Promise<string> {
  const name = `copy_${++counter}`;
  await admin.query(`create database ${name}`);
  return cluster.url.replace(/\/[^/]+$/, `/${name}`);
}

/** The rows the rest of the SQLite generator leaves empty, one or two per table, in raw SQL. */
function fillEveryTable(file: string, now: number): void {
  const s = new Database(file);
  s.pragma('foreign_keys = on');
  const users = (s.prepare('select id from users order by id').all() as { id: number }[]).map((r) => r.id);
  const [first, second, third] = users as [number, number, number];
  const last = users.at(-1)!;
  s.transaction(() => {
    // A manager with a higher id than the person: the self-reference needs its second pass.
    s.prepare('update users set manager_id = ? where id = ?').run(last, first);
    s.prepare('update users set manager_id = ?, active = 0, external_id = ?, given_name = ?, family_name = ? where id = ?').run(first, 'ext-2', '花子', '佐藤', second);
    s.prepare('insert into anonymous_feedback (id, lesson_id, department_id, month, rating, comment, locale) values (?, ?, 1, ?, 5, ?, ?)').run(
      9_007_199_254_740,
      'l1',
      '2026-11',
      '本音です',
      'ja',
    );
    s.prepare('insert into anonymous_feedback_senders (id, user_id, lesson_id) values (?, ?, ?)').run(4_503_599_627_370_495, third, 'l1');
    const audit = s.prepare('insert into audit_log (at, actor_user_id, actor_label, action, target_type, target_id, details, ip) values (?, ?, ?, ?, ?, ?, ?, ?)');
    audit.run(now - 3 * DAY, first, 'admin', 'user.create', 'user', String(second), JSON.stringify({ role: 'learner', nested: { list: [1, 'two', null] } }), '192.0.2.1');
    audit.run(now - 2 * DAY, null, 'system', 'rollups.rebuild', null, null, null, null);
    s.prepare('insert into department_channels (department_id, teams_url, slack_url, updated_at) values (1, ?, null, ?)').run('https://example.webhook.office.com/x', now);
    s.prepare('insert into form_results (id, sealed, expires_at) values (?, ?, ?)').run('fr-1', Buffer.from([0, 1, 2, 254, 255]), now + DAY);
    s.prepare('insert into login_tokens (id, secret_hash, user_id, purpose, created_by, created_at, expires_at, used_at) values (?, ?, ?, ?, ?, ?, ?, ?)').run(
      'lt-1',
      Buffer.alloc(32, 7),
      second,
      'invite',
      first,
      now - DAY,
      now + DAY,
      null,
    );
    // SQLite's loose typing: a millisecond timestamp kept as a REAL with a fraction (the bigint column refuses '….5').
    s.prepare('insert into sessions (id, secret_hash, user_id, last_active_at) values (?, ?, ?, ?)').run('s-1', Buffer.alloc(32, 9), first, now + 0.5);
    s.prepare("insert into notification_events (key, outbox_id, kind) values ('ev-1', (select min(id) from notification_outbox), 'overdue')").run();
    s.prepare("insert into notification_opt_outs (user_id, kind) values (?, 'due-soon')").run(third);
    s.prepare("insert into notification_tokens (token_hash, purpose, user_id, used_at) values ('th-1', 'calendar', ?, ?)").run(third, now);
    s.prepare("insert into policy_acknowledgements (user_id, policy_id, version, locale, acknowledged_at) values (?, 'ai-use', 2, 'en', ?)").run(second, now);
    s.prepare("insert into practice_answers (user_id, lesson_id, task_id, answer, updated_at) values (?, 'l1', 't1', ?, ?)").run(
      first,
      '改行\nと "引用" と \\ バックスラッシュ',
      now,
    );
    s.prepare("insert into sign_in_limits (key, points, expire) values ('ip:ab12', 3, ?)").run(now + DAY);
    s.prepare("insert into sign_in_known_addresses (key_hash, expires_at) values ('cd34', ?)").run(now + 30 * DAY);
    s.prepare("insert into scim_groups (public_id, display_name, external_id) values ('g-1', 'Sales', 'ext-g')").run();
    s.prepare('insert into scim_group_members (group_id, user_id) values (1, ?)').run(second);
    s.prepare("insert into scim_tokens (public_id, secret_hash, label, revoked_at) values ('t-1', 'hash', 'Entra', ?)").run(now);
    s.prepare("insert into waves (name, position, start_date, end_date, description) values ('Wave 1', 1, '2026-10-01', '2026-12-31', null)").run();
    s.prepare('insert into wave_departments (wave_id, department_id) values (1, 2)').run();
    s.prepare("insert into wave_targets (wave_id, kpi, comparator, value) values (1, 'completion', 'gte', 0.75)").run();
    s.prepare("insert into xapi_deliveries (endpoint, statement_id, record_key, sent_at) values ('https://lrs.example/xapi', 'st-1', 'rk-1', ?)").run(now);
    s.prepare(
      "insert into xapi_push_jobs (endpoint, state, started_by, updated_at, sent, batches, last_error) values ('https://lrs.example/xapi', 'failed', ?, ?, 3, 1, 'timeout')",
    ).run(first, now);
  })();
  s.close();
}

/** Every table's rows read through its schema (Drizzle's mappings), in primary-key order. */
async function rowsOf(read: (name: string) => Promise<Record<string, unknown>[]>, name: string): Promise<string[]> {
  const rows = await read(name);
  const normal = rows.map((row) =>
    JSON.stringify(row, (_key, value: unknown) => {
      if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') return `bytes:${Buffer.from((value as { data: number[] }).data).toString('hex')}`;
      return value;
    }),
  );
  return normal.sort();
}

async function counts(url: string): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = new Map<string, number>();
    for (const table of pgTables) {
      const name = getPgTableConfig(table).name;
      const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from "${name}"`);
      result.set(name, rows[0]?.n ?? 0);
    }
    return result;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  cluster = await startPostgres({ database: 'postgres_copy' });
  admin = new pg.Client({ connectionString: cluster.url.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  dir = tempDir('manabi-copy-');
  sourceFile = path.join(dir, 'manabi.db');
  const db = openDatabase(sourceFile);
  const now = Date.UTC(2026, 11, 2, 3, 4, 5, 678);
  await generateOrganisation(db, fixtureCatalog(), { users: 60, departments: 4, attemptsPerUser: 2 }, 'copy test password', 'Asia/Tokyo');
  const someUsers = (await rawDrizzle(db).select({ id: sqliteSchema.users.id }).from(sqliteSchema.users)).map((u) => u.id);
  await addSampleOutbox(db, someUsers, 1);
  await db.close();
  fillEveryTable(sourceFile, now);
});

afterAll(async () => {
  await admin?.end();
  await cluster?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('db:copy from SQLite to PostgreSQL', () => {
  let target: string;

  it('copies every table: equal row counts, equal rows once both are read through their schemas', async () => {
    const source = new Database(sourceFile, { readonly: true });
    const sourceCounts = new Map(
      pgTables.map((t) => [getPgTableConfig(t).name, (source.prepare(`select count(*) as n from "${getPgTableConfig(t).name}"`).get() as { n: number }).n]),
    );
    source.close();
    // The seed reaches every table, so "equal" below says something about each one.
    expect([...sourceCounts].filter(([, n]) => n === 0).map(([name]) => name)).toEqual([]);

    target = await newDatabase();
    const report = await copySqliteToPostgres({ from: sourceFile, to: target, batchRows: 7 });
    expect(new Map(report.tables.map((t) => [t.table, t.source]))).toEqual(sourceCounts);
    expect(await counts(target)).toEqual(sourceCounts);

    const sqliteDb = openDatabase(sourceFile, { readonly: true });
    const pool = new pg.Pool({ connectionString: target, max: 1 });
    const pgDb = drizzle({ client: pool, schema: pgSchema });
    try {
      for (const table of pgTables) {
        const name = getPgTableConfig(table).name;
        const sqliteTable = sqliteByName.get(name)!;
        const fromSqlite = await rowsOf(async () => (await rawDrizzle(sqliteDb).select().from(sqliteTable)) as Record<string, unknown>[], name);
        const fromPg = await rowsOf(async () => (await pgDb.select().from(table)) as Record<string, unknown>[], name);
        expect(fromPg, `rows of ${name}`).toEqual(fromSqlite);
      }
      // The types the comparison relies on, spot-checked raw: a boolean, a bigint of ms, bytes, JSON.
      const raw = await pool.query<{ active: boolean; created_at: string; manager_id: number | null }>('select active, created_at, manager_id from users where id = 2');
      expect(raw.rows[0]?.active).toBe(false);
      expect(typeof raw.rows[0]?.created_at).toBe('string');
      expect(raw.rows[0]?.manager_id).toBe(1);
      const manager = await pool.query<{ manager_id: number }>('select manager_id from users where id = 1');
      expect(manager.rows[0]?.manager_id).toBe(60);
      const sealed = await pool.query<{ sealed: Buffer }>("select sealed from form_results where id = 'fr-1'");
      expect(sealed.rows[0]?.sealed.toString('hex')).toBe('000102feff');
      const details = await pool.query<{ details: unknown }>("select details from audit_log where action = 'user.create'");
      expect(details.rows[0]?.details).toEqual({ role: 'learner', nested: { list: [1, 'two', null] } });
      // The audit log went in past its append-only triggers (they refuse UPDATE/DELETE only), and they still hold.
      await expect(pool.query("update audit_log set action = 'tampered'")).rejects.toThrow(/append-only/);
      await expect(pool.query('delete from audit_log')).rejects.toThrow(/append-only/);
    } finally {
      await pool.end();
      await sqliteDb.close();
    }
  });

  it('sets every identity sequence past the copied ids: the next insert gets max + 1', async () => {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      let checked = 0;
      for (const table of pgTables) {
        const config = getPgTableConfig(table);
        for (const column of config.columns.filter((c) => c.generatedIdentity !== undefined)) {
          const sequence = (await client.query<{ name: string }>('select pg_get_serial_sequence($1, $2) as name', [`"${config.name}"`, column.name])).rows[0]?.name;
          const { rows } = await client.query<{ max: number | null; last_value: string; is_called: boolean }>(
            `select (select max("${column.name}") from "${config.name}") as max, last_value, is_called from ${sequence}`,
          );
          // Not called yet and at max + 1: nextval() hands out exactly max + 1.
          expect([Number(rows[0]?.last_value ?? Number.NaN), rows[0]?.is_called], `sequence of ${config.name}.${column.name}`).toEqual([(rows[0]?.max ?? 0) + 1, false]);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(10);
      const maxUser = (await client.query<{ n: number }>('select max(id) as n from users')).rows[0]?.n ?? 0;
      const user = await client.query<{ id: number }>("insert into users (public_id, email, display_name) values ('new', 'new@example.jp', 'New') returning id");
      expect(user.rows[0]?.id).toBe(maxUser + 1);
      const maxAudit = (await client.query<{ n: number }>('select max(id) as n from audit_log')).rows[0]?.n ?? 0;
      const entry = await client.query<{ id: number }>("insert into audit_log (at, action) values (0, 'after.copy') returning id");
      expect(entry.rows[0]?.id).toBe(maxAudit + 1);
    } finally {
      await client.end();
    }
  });

  it('refuses a target that holds rows, names them, and changes nothing', async () => {
    const before = await counts(target);
    await expect(copySqliteToPostgres({ from: sourceFile, to: target })).rejects.toThrow(/^the target is not empty: .*users \(\d+\).*nothing was changed/);
    expect(await counts(target)).toEqual(before);

    // One row in one table is enough: a migrated database where a server already wrote a setting.
    const other = await newDatabase();
    const client = new pg.Client({ connectionString: other });
    await client.connect();
    try {
      const pool = new pg.Pool({ connectionString: other, max: 1 });
      await migratePostgres(pool, path.join(ROOT, 'db/migrations/postgres'));
      await pool.end();
      await client.query("insert into settings (key, value, updated_at) values ('rollups.version', '\"1\"', 0)");
      await expect(copySqliteToPostgres({ from: sourceFile, to: other })).rejects.toThrow(/^the target is not empty: settings \(1\)\. .*nothing was changed/);
      const afterRefusal = await counts(other);
      expect([...afterRefusal].filter(([, n]) => n > 0)).toEqual([['settings', 1]]);
    } finally {
      await client.end();
    }
  });

  it('rolls back a copy that fails mid-way: the target is left empty and a retry after the fix works', async () => {
    // An orphan row SQLite accepted with foreign keys off; PostgreSQL refuses it at its table.
    const broken = path.join(dir, 'broken.db');
    fs.copyFileSync(sourceFile, broken);
    const s = new Database(broken);
    s.pragma('foreign_keys = off');
    s.prepare("insert into quiz_pairs (user_id, quiz_id, first_at, first_passed) values (999999, 'orphan-quiz', 0, 0)").run();
    s.close();
    const url = await newDatabase();
    const copied: string[] = [];
    const error = await copySqliteToPostgres({ from: broken, to: url, log: (line) => copied.push(line) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CopyError);
    expect((error as Error).message).toMatch(/rolled back.*quiz_pairs.*999999/s);
    // Mid-way indeed: tables before quiz_pairs were inserted (and then rolled back).
    expect(copied.some((line) => line.includes('users: 60 rows'))).toBe(true);
    expect([...(await counts(url)).values()].every((n) => n === 0)).toBe(true);
    const sequence = new pg.Client({ connectionString: url });
    await sequence.connect();
    const next = await sequence.query<{ id: number }>("insert into departments (name) values ('first') returning id");
    expect(next.rows[0]?.id).toBe(1);
    await sequence.query('delete from departments');
    await sequence.end();
  });

  it('copies one snapshot of a live source: rows a server writes during the copy are neither copied nor break the counts', async () => {
    const live = path.join(dir, 'live.db');
    fs.copyFileSync(sourceFile, live);
    const url = await newDatabase();
    const writer = new Database(live);
    writer.pragma('journal_mode = WAL');
    let wrote = false;
    const report = await copySqliteToPostgres({
      from: live,
      to: url,
      afterTable: async (table) => {
        // After the first table, before users: a sign-up and its completion land in the source.
        if (wrote) return;
        wrote = true;
        writer.prepare("insert into users (public_id, email, display_name) values ('late', 'late@example.jp', 'Late')").run();
        writer.prepare("insert into lesson_completions (user_id, lesson_id, completed_at) values ((select max(id) from users), 'l1', 1)").run();
        expect(table).not.toBe('users');
      },
    });
    writer.close();
    expect(wrote).toBe(true);
    expect(report.tables.find((t) => t.table === 'users')).toEqual({ table: 'users', source: 60, target: 60 });
    expect((await counts(url)).get('lesson_completions')).toBe(report.tables.find((t) => t.table === 'lesson_completions')?.source);
  });

  it('runs as npm run db:copy: prints the counts, exits 1 with one line (no stack) when refused, 2 on bad arguments', async () => {
    const url = await newDatabase();
    const ok = await cli('db-copy.ts', ['--from', sourceFile, '--to', url]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^users\s+60\s+60$/m);
    expect(ok.stdout).toMatch(/every table's row count matches/);
    const again = await cli('db-copy.ts', ['--from', sourceFile, '--to', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^db:copy: the target is not empty: /);
    for (const [args, message] of [
      [['--from', sourceFile, '--to', 'mysql://x/y'], /must be a postgres:\/\/ or postgresql:\/\/ URL/],
      [['--from', sourceFile, '--to'], /argument missing|--to/],
      [['--to', url], /--from is missing/],
      [['--from', sourceFile, '--to', url, '--force'], /Unknown option '--force'/],
    ] as [string[], RegExp][]) {
      const bad = await cli('db-copy.ts', args, { DATABASE_URL: '' });
      expect([bad.code, bad.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
    }
    const refusedPassword = await cli('db-copy.ts', ['--from', sourceFile, '--to', `postgres://manabi:s3cret@127.0.0.1:${cluster.port + 1}/x`]);
    expect(refusedPassword.code).toBe(1);
    expect(refusedPassword.stderr).toMatch(/cannot connect to postgres:\/\/manabi:\*\*\*@/);
    for (const result of [again, refusedPassword]) {
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stderr + result.stdout).not.toContain('s3cret');
    }
  }, 180_000);
});

describe('db:backup and db:restore with DATABASE_URL=postgres://…', () => {
  it('round-trip: a dump of the copied database restores over later changes, triggers and sequences included', async () => {
    const url = await newDatabase();
    await copySqliteToPostgres({ from: sourceFile, to: url });
    const dump = path.join(dir, 'manabi.dump');
    // A server that started on it would have recorded its roll-up version: the restore drops it.
    const seed = new pg.Client({ connectionString: url });
    await seed.connect();
    await seed.query("insert into settings (key, value, updated_at) values ('rollups.version', '\"7\"', 0)");
    await seed.end();
    const backup = await cli('db-backup.ts', [dump], { DATABASE_URL: url });
    expect(backup.code, backup.stderr).toBe(0);
    expect(fs.statSync(dump).size).toBeGreaterThan(1000);
    const refusedOverwrite = await cli('db-backup.ts', [dump], { DATABASE_URL: url });
    expect([refusedOverwrite.code, refusedOverwrite.stderr]).toEqual([1, expect.stringMatching(/never overwrites/)]);
    const before = await fingerprints(url);

    // Changes after the backup, which the restore must undo.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("update users set display_name = 'changed' where id = 1");
    await client.query("insert into departments (name) values ('after the backup')");
    await client.query("insert into audit_log (at, action) values (1, 'after.backup')");

    // Refused while another session (a running server) is connected: nothing changes.
    const inUse = await cli('db-restore.ts', [dump], { DATABASE_URL: url });
    expect([inUse.code, inUse.stderr]).toEqual([1, expect.stringMatching(/in use by .*stop the servers first\. Nothing changed/)]);
    await client.end();
    const notADump = await cli('db-restore.ts', [sourceFile], { DATABASE_URL: url });
    expect([notADump.code, notADump.stderr]).toEqual([1, expect.stringMatching(/not a pg_dump custom-format file/)]);
    expect((await fingerprints(url)).get('departments')).not.toBe(before.get('departments'));

    const restore = await cli('db-restore.ts', [dump], { DATABASE_URL: url });
    expect(restore.code, restore.stderr).toBe(0);
    const after = await fingerprints(url);
    // Every table as at the backup, but the roll-up version, dropped so the next start rebuilds.
    const settingsBefore = before.get('settings');
    before.delete('settings');
    const settingsAfter = after.get('settings');
    after.delete('settings');
    expect(after).toEqual(before);
    expect(settingsAfter).not.toBe(settingsBefore);
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    try {
      expect((await check.query<{ key: string }>('select key from settings order by key')).rows.map((r) => r.key)).toEqual(['baseline']);
      await expect(check.query("update audit_log set action = 'tampered'")).rejects.toThrow(/append-only/);
      const maxDepartment = (await check.query<{ n: number }>('select max(id) as n from departments')).rows[0]?.n ?? 0;
      const next = await check.query<{ id: number }>("insert into departments (name) values ('after the restore') returning id");
      expect(next.rows[0]?.id).toBe(maxDepartment + 1);
    } finally {
      await check.end();
    }
  }, 180_000);
});

/** One md5 per table over its rows as text, in a fixed order. */
async function fingerprints(url: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = new Map<string, string>();
    for (const table of pgTables) {
      const name = getPgTableConfig(table).name;
      const { rows } = await client.query<{ h: string }>(`select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from "${name}" t`);
      result.set(name, rows[0]?.h ?? '');
    }
    return result;
  } finally {
    await client.end();
  }
}

/** Runs one of src/cli/ as npm would, with the environment plus `env`; never throws on a non-zero exit. */
async function cli(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'src/cli', script), ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
