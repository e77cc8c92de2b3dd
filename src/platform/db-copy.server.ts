/**
 * The migration path from SQLite to PostgreSQL (issue 18, `npm run db:copy`): every table of
 * db/schema-pg/ copied from a SQLite file into a PostgreSQL database migrated with
 * db/migrations/postgres/, ids kept, identity sequences set past the largest id.
 *
 * Consistent and all or nothing:
 * - The source is opened read-only and read in one read transaction, so a server still writing
 *   to it does not tear the copy: every table is read at the same snapshot (WAL keeps it).
 * - The target is written in one transaction that first locks every table (EXCLUSIVE: readers
 *   go on, writers wait) and refuses unless every table is empty; the inserts, the row-count check
 *   and the sequences all happen in it, so a failure anywhere leaves the target as it was.
 *
 * Values go through the two schemas' own column mappings (SQLite's `mapFromDriverValue`, then
 * PostgreSQL's `mapToDriverValue`), so they arrive as the application reads and writes them:
 * 0/1 → boolean, epoch milliseconds (Date) → the pg `bigint`, JSON text → json, blob → bytea.
 * Tables are inserted parents first (by their foreign keys); a column referencing its own table
 * (users.manager_id) is filled in by a second pass, since the ids it points at may come later.
 * The audit log's append-only triggers fire on UPDATE, DELETE and TRUNCATE only: inserts pass.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { migratePostgres, postgresMigrationsFolder } from './postgres.server.ts';
import { convert, copyPlan, quote, redactUrl, type TablePlan } from './db-copy-plan.server.ts';

/** PostgreSQL accepts at most 65,535 bind parameters per statement. */
const MAX_PARAMETERS = 65_535;
const DEFAULT_BATCH_ROWS = 1000;
/** How long to wait for another session's lock on a target table before giving up. */
const LOCK_TIMEOUT_MS = 10_000;

/** A copy that cannot start or did not finish, with a message for the operator (no stack needed). */
export class CopyError extends Error {
  override name = 'CopyError';
}

export interface CopyOptions {
  /** The SQLite file (a live database is fine). */
  from: string;
  /** postgres:// or postgresql:// URL of the target database. */
  to: string;
  /** db/migrations/postgres by default. */
  migrationsFolder?: string;
  /** The SQLite migrations, to check the source is at this code's schema (db/migrations by default). */
  sqliteMigrationsFolder?: string;
  /** Rows per INSERT (capped by the parameter limit). */
  batchRows?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /**
   * Called after each table's inserts, inside the transaction (tests inject a failure here).
   * Not for production use.
   */
  afterTable?: (table: string, client: pg.PoolClient) => Promise<void>;
}

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

export interface CopyReport {
  tables: TableCount[];
  rows: number;
  ms: number;
}

function openSource(file: string, sqliteMigrations: string): Database.Database {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved)) throw new CopyError(`no SQLite database at ${resolved}.`);
  let source: Database.Database;
  try {
    source = new Database(resolved, { readonly: true, fileMustExist: true });
    source.pragma('busy_timeout = 5000');
    source.prepare('select count(*) from sqlite_master').get();
  } catch (error) {
    throw new CopyError(`${resolved} is not a readable SQLite database (${(error as Error).message}).`);
  }
  const migrated = source.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
  if (!migrated) {
    source.close();
    throw new CopyError(`${resolved} is not a Manabi database (no migrations table).`);
  }
  const journal = JSON.parse(fs.readFileSync(path.join(sqliteMigrations, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] };
  const newestKnown = Math.max(0, ...journal.entries.map((e) => e.when));
  const applied = source.prepare('select count(*) as n, max(created_at) as newest from __drizzle_migrations').get() as { n: number; newest: number | null };
  if ((applied.newest ?? 0) > newestKnown) {
    source.close();
    throw new CopyError(`${resolved} was made by a newer Manabi (migrations this code does not know); copy it with that version.`);
  }
  if (applied.n < journal.entries.length) {
    source.close();
    throw new CopyError(
      `${resolved} is at an older schema (${applied.n} of ${journal.entries.length} migrations): start this version on it once, or run \`npm run db:migrate\` with DATABASE_PATH pointing at it and DATABASE_URL unset, then copy.`,
    );
  }
  return source;
}

/** Explains a PostgreSQL error in one line (the constraint and the row's key when pg names them). */
function describePgError(error: unknown): string {
  const e = error as Error & { code?: string; detail?: string; constraint?: string };
  const parts = [e.message];
  if (e.detail) parts.push(e.detail);
  return parts.join(': ');
}

async function connectTarget(url: string): Promise<pg.Pool> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw new CopyError(`--to must be a postgres:// or postgresql:// URL (got ${redactUrl(url)}).`);
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000, application_name: 'manabi db:copy' });
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new CopyError(`cannot connect to ${redactUrl(url)} (${(error as Error).message || (error as { code?: string }).code}).`);
  }
  return pool;
}

/**
 * Copies the SQLite database `from` into the PostgreSQL database `to` (migrating it first) and
 * returns the row counts of both sides. Throws CopyError when it refuses or fails; the target is
 * then unchanged (its migrations aside).
 */
export async function copySqliteToPostgres(options: CopyOptions): Promise<CopyReport> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const plan = copyPlan();
  const source = openSource(options.from, options.sqliteMigrationsFolder ?? path.resolve('db/migrations'));
  let pool: pg.Pool | null = null;
  try {
    // Every column the copy reads must exist in the source: the journal check above makes this
    // hold for a database migrated by this code, this names the table when it does not.
    for (const table of plan) {
      const present = new Set((source.prepare(`select name from pragma_table_info(?)`).all(table.name) as { name: string }[]).map((r) => r.name));
      const missing = table.columns.filter((c) => !present.has(c.name)).map((c) => c.name);
      if (missing.length > 0) throw new CopyError(`the source's table ${table.name} lacks ${missing.join(', ')}: migrate it with this version first.`);
    }
    pool = await connectTarget(options.to);
    log(`Migrating ${redactUrl(options.to)} …`);
    try {
      await migratePostgres(pool, options.migrationsFolder ?? postgresMigrationsFolder());
    } catch (error) {
      throw new CopyError(`the PostgreSQL migrations failed (${describePgError(error)}).`);
    }

    // One snapshot of the source for the counts and every table's rows.
    source.exec('begin');
    const counts = new Map(plan.map((t) => [t.name, (source.prepare(`select count(*) as n from ${quote(t.name)}`).get() as { n: number }).n]));

    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('set statement_timeout = 0');
      await client.query('begin');
      await client.query(`set local lock_timeout = ${LOCK_TIMEOUT_MS}`);
      try {
        await client.query(`lock table ${plan.map((t) => quote(t.name)).join(', ')} in exclusive mode`);
      } catch (error) {
        throw new CopyError(`cannot lock the target's tables (${describePgError(error)}): is a Manabi server using it? Stop it and copy again.`);
      }
      const nonEmpty: string[] = [];
      for (const table of plan) {
        const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from ${quote(table.name)}`);
        if ((rows[0]?.n ?? 0) > 0) nonEmpty.push(`${table.name} (${rows[0]?.n})`);
      }
      if (nonEmpty.length > 0) {
        throw new CopyError(
          `the target is not empty: ${nonEmpty.join(', ')}. db:copy fills a new, empty database only (create one, or drop and recreate this one); nothing was changed.`,
        );
      }

      for (const table of plan) {
        let rows: number;
        try {
          rows = await copyTable(source, client, table, options.batchRows ?? DEFAULT_BATCH_ROWS);
        } catch (error) {
          throw new CopyError(`copying ${table.name} failed, so the copy was rolled back and the target is unchanged: ${describePgError(error)}.`);
        }
        log(`  ${table.name}: ${rows} rows`);
        await options.afterTable?.(table.name, client);
      }

      const tables: TableCount[] = [];
      for (const table of plan) {
        const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from ${quote(table.name)}`);
        tables.push({ table: table.name, source: counts.get(table.name) ?? 0, target: rows[0]?.n ?? 0 });
      }
      const differing = tables.filter((t) => t.source !== t.target);
      if (differing.length > 0) {
        throw new CopyError(`row counts differ after the copy (${differing.map((t) => `${t.table}: ${t.source} → ${t.target}`).join(', ')}); nothing was kept.`);
      }

      for (const table of plan) {
        for (const column of table.identity) {
          // is_called = false: the next id handed out is max + 1 (1 for an empty table).
          await client.query(`select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${quote(column)}) from ${quote(table.name)}), 0) + 1, false)`, [
            quote(table.name),
            column,
          ]);
        }
      }
      await client.query('commit');
      return { tables, rows: tables.reduce((sum, t) => sum + t.target, 0), ms: Math.round(performance.now() - started) };
    } catch (error) {
      try {
        await client.query('rollback');
      } catch {
        broken = true;
      }
      if (error instanceof CopyError) throw error;
      throw new CopyError(`the copy failed and was rolled back, the target is unchanged: ${describePgError(error)}.`);
    } finally {
      client.release(broken);
    }
  } finally {
    if (source.inTransaction) source.exec('commit');
    source.close();
    await pool?.end().catch(() => undefined);
  }
}

async function copyTable(source: Database.Database, client: pg.PoolClient, table: TablePlan, batchRows: number): Promise<number> {
  const names = table.columns.map((c) => c.name);
  const perBatch = Math.max(1, Math.min(batchRows, Math.floor(MAX_PARAMETERS / names.length)));
  const selfIndexes = table.selfReferences.map((name) => names.indexOf(name));
  const keyIndexes = table.primaryKey.map((name) => names.indexOf(name));
  const statement = source.prepare(`select ${names.map(quote).join(', ')} from ${quote(table.name)}`).raw(true);
  const pending: unknown[][] = [];
  const later: unknown[][] = [];
  let copied = 0;

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const params: unknown[] = [];
    const tuples = pending.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(', ')})`);
    await client.query(`insert into ${quote(table.name)} (${names.map(quote).join(', ')}) values ${tuples.join(', ')}`, params);
    copied += pending.length;
    pending.length = 0;
  };

  for (const raw of statement.iterate() as IterableIterator<unknown[]>) {
    const row = raw.map((value, i) => {
      const column = table.columns[i]!;
      return convert(value, column.sqlite, column.pg);
    });
    if (selfIndexes.some((i) => row[i] !== null)) {
      later.push([...keyIndexes.map((i) => row[i]), ...selfIndexes.map((i) => row[i])]);
      for (const i of selfIndexes) row[i] = null;
    }
    pending.push(row);
    if (pending.length >= perBatch) await flush();
  }
  await flush();

  // The second pass: the references into this table, now that every row of it is there.
  if (later.length > 0) {
    const keyNames = table.primaryKey;
    const setNames = table.selfReferences;
    const width = keyNames.length + setNames.length;
    const valuesAs = [...keyNames.map((n) => `k_${n}`), ...setNames.map((n) => `v_${n}`)];
    const typed = (name: string): string => {
      const column = table.columns.find((c) => c.name === name)!;
      return column.pg.getSQLType();
    };
    for (let start = 0; start < later.length; start += Math.floor(MAX_PARAMETERS / width)) {
      const chunk = later.slice(start, start + Math.floor(MAX_PARAMETERS / width));
      const params: unknown[] = [];
      const tuples = chunk.map((row) => `(${row.map((value, i) => `$${params.push(value)}::${typed([...keyNames, ...setNames][i]!)}`).join(', ')})`);
      await client.query(
        `update ${quote(table.name)} as t set ${setNames.map((n) => `${quote(n)} = v.${quote(`v_${n}`)}`).join(', ')} from (values ${tuples.join(', ')}) as v(${valuesAs.map(quote).join(', ')}) where ${keyNames.map((n) => `t.${quote(n)} = v.${quote(`k_${n}`)}`).join(' and ')}`,
        params,
      );
    }
  }
  return copied;
}
