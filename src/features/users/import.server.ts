/**
 * All-or-nothing users import, for the browser (in a worker thread, src/features/users/import-worker.server.ts)
 * and the CLI, on SQLite and PostgreSQL alike. Decode and validate every row first (file and
 * database); then stage the rows in a TEMP table of this connection — invisible to every other
 * connection, and gone with it if the process dies — and write everything in one short
 * transaction of set-based statements (src/features/users/import-write.server.ts). A file with
 * any problem changes nothing; a kill -9 leaves nothing or everything.
 * Role changes obey src/features/users/admin-rules.server.ts, like the role form.
 */
import { randomBytes } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import type { CsvEncoding } from '../../platform/input/csv-decode.ts';
import { parseUsersCsvFile, type ParsedUsersCsv, type RowProblem, type UsersCsvRow } from './users-csv.ts';
import { checkManagers, readPeople } from './import-managers.server.ts';
import { withNativeSqlite, type Db, type Tx } from '../../platform/db.server.ts';
import { generateSecureRandomString } from '../auth/session.server.ts';
import { exec, isUniqueViolation, jsonObjects } from '../../platform/query.ts';
import { existingUsersByEmail, type KnownUsers, writeStaged } from './import-write.server.ts';

export interface ImportOptions {
  /** Update name, department and role of users that already exist instead of refusing them. */
  update?: boolean;
  /** The signed-in admin (the browser); null for the CLI, which then gives `actorLabel` (`cli:<OS user>`). */
  actor?: { id: number; email: string } | null;
  actorLabel?: string;
  ip?: string | null;
  /** The uploaded file's name, for the audit log. */
  fileName?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportReport {
  ok: boolean;
  created: number;
  /** Existing users whose name, department or role changed. */
  updated: number;
  /** Existing users listed with nothing to change. */
  unchanged: number;
  departmentsCreated: string[];
  encoding: CsvEncoding | null;
  problems: RowProblem[];
}

/** Rows per staging statement: one JSON parameter each, so the count is not bounded by placeholders. */
const STAGE_CHUNK = 1000;
/** The advisory lock that makes imports on PostgreSQL take turns across every instance. */
export const IMPORT_LOCK = 4_318_002;

export async function importUsersCsv(db: Db, bytes: Uint8Array, options: ImportOptions = {}): Promise<ImportReport> {
  const parsed = parseUsersCsvFile(bytes);
  const report: ImportReport = { ok: false, created: 0, updated: 0, unchanged: 0, departmentsCreated: [], encoding: parsed.encoding, problems: [] };
  if (parsed.rows.length === 0) return refuse(report, parsed.problems);
  if (db.dialect === 'postgres') return importOnPostgres(db, parsed, options, report);
  // A TEMP table of this connection and its own BEGIN IMMEDIATE: native SQL on the connection (src/platform/db.server.ts).
  return withNativeSqlite(db, (sqlite, q) => importOnSqlite(sqlite, q, parsed, options, report));
}

export function refuse(report: ImportReport, problems: RowProblem[]): ImportReport {
  return { ...report, problems: problems.sort((a, b) => a.line - b.line) };
}

async function importOnSqlite(sqlite: NativeSqlite, q: Tx, parsed: ParsedUsersCsv, options: ImportOptions, report: ImportReport): Promise<ImportReport> {
  const checked = await checkFile(q, parsed, options);
  if (checked.problems.length > 0) return refuse(report, checked.problems);
  const staged = stagedTable();
  await exec(q, createStaged(staged, false));
  try {
    // Temp-only writes: no lock on the database, so the server's own writes go on meanwhile.
    stageNative(sqlite, staged, parsed.rows, checked.known.ids, options.onProgress);
    // One IMMEDIATE transaction around the asynchronous writes; withNativeSqlite holds the
    // connection's lock until this settles, so nothing else of the process runs inside it.
    sqlite.exec('BEGIN IMMEDIATE');
    let written: ImportReport;
    try {
      written = await writeStaged(q, staged, checked.known.maxId, options, report, parsed);
      sqlite.exec('COMMIT');
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      throw error;
    }
    return written.problems.length > 0 ? refuse(report, written.problems) : { ...written, ok: true };
  } finally {
    sqlite.exec(`drop table if exists temp.${staged}`);
  }
}

/**
 * On PostgreSQL, one transaction from the checks to the commit: the advisory lock makes imports
 * take turns across instances, the TEMP table is dropped at its end, and other writes go on
 * meanwhile (MVCC). Another instance may still create one of the file's addresses or departments
 * between (the role form, SCIM): the unique index then rejects the transaction, nothing is
 * written, and the import runs once more against the new state (which reports that person).
 */
async function importOnPostgres(db: Db, parsed: ParsedUsersCsv, options: ImportOptions, report: ImportReport): Promise<ImportReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      const written = await db.write(async (tx) => {
        await exec(tx, sql`select pg_advisory_xact_lock(cast(${IMPORT_LOCK} as bigint))`);
        const checked = await checkFile(tx, parsed, options);
        if (checked.problems.length > 0) return { ...report, problems: checked.problems };
        const staged = stagedTable();
        await exec(tx, createStaged(staged, true));
        await stage(tx, staged, parsed.rows, checked.known.ids, options.onProgress);
        // A temp table has no statistics until analysed: the set-based statements below plan on them.
        await exec(tx, sql`analyze ${sql.raw(staged)}`);
        return await writeStaged(tx, staged, checked.known.maxId, options, report, parsed);
      });
      return written.problems.length > 0 ? refuse(report, written.problems) : { ...written, ok: true };
    } catch (error) {
      if (attempt >= 2 || !isUniqueViolation(error)) throw error;
    }
  }
}

/** Every problem in one pass: the file's own, rows that name an existing user, and the manager column's. */
async function checkFile(q: Tx, parsed: ParsedUsersCsv, options: ImportOptions): Promise<{ problems: RowProblem[]; known: KnownUsers }> {
  const known = await existingUsersByEmail(q);
  const existing = options.update ? [] : parsed.rows.filter((row) => known.ids.has(row.email));
  const managed = parsed.rows.some((row) => row.manager !== undefined);
  const managers = managed ? checkManagers(await readPeople(q), parsed.rows, parsed.listed).problems : [];
  const problems = [...parsed.problems, ...existing.map((row): RowProblem => ({ line: row.line, code: 'already_exists', params: { email: row.email } })), ...managers];
  return { problems, known };
}

/** A fresh name for this import's staging table (a TEMP table: only this connection sees it). */
function stagedTable(): string {
  return `import_users_${randomBytes(6).toString('hex')}`;
}

/** The staging table; on PostgreSQL dropped when the import's transaction ends. */
function createStaged(staged: string, onCommitDrop: boolean): SQL {
  return sql`create temp table ${sql.raw(staged)} (line integer primary key, email text not null unique, name text not null, department text not null, role text not null,
    user_id integer, public_id text, manager_set integer not null default 0, manager_id integer, manager_line integer, target_id integer,
    changed integer not null default 0) ${onCommitDrop ? sql`on commit drop` : sql``}`;
}

const STAGED_FIELDS = ['line', 'email', 'name', 'department', 'role', 'userId', 'publicId'] as const;
type StagedRow = Record<(typeof STAGED_FIELDS)[number], string | number | null>;
/** better-sqlite3's handle, as withNativeSqlite lends it. */
type NativeSqlite = Parameters<Parameters<typeof withNativeSqlite>[1]>[0];
type Progress = ((done: number, total: number) => void) | undefined;

/** The staging table's rows for a slice of the file: a new person gets a public id now. */
function stagedRows(parsedRows: readonly UsersCsvRow[], known: Map<string, number>): StagedRow[] {
  return parsedRows.map((row) => {
    const userId = known.get(row.email) ?? null;
    return {
      line: row.line,
      email: row.email,
      name: row.name,
      department: row.department,
      role: row.role,
      userId,
      publicId: userId === null ? generateSecureRandomString() : null,
    };
  });
}

/** The file's rows into the staging table, a chunk per statement (each chunk one JSON parameter). */
async function stage(q: Tx, staged: string, parsedRows: readonly UsersCsvRow[], known: Map<string, number>, onProgress: Progress): Promise<void> {
  for (let from = 0; from < parsedRows.length; from += STAGE_CHUNK) {
    const chunk = stagedRows(parsedRows.slice(from, from + STAGE_CHUNK), known);
    await exec(
      q,
      sql`insert into ${sql.raw(staged)} (line, email, name, department, role, user_id, public_id)
        select cast(j.line as integer), j.email, j.name, j.department, j.role, cast(j."userId" as integer), j."publicId"
        from (${jsonObjects(q, JSON.stringify(chunk), STAGED_FIELDS)}) j`,
    );
    onProgress?.(Math.min(from + STAGE_CHUNK, parsedRows.length), parsedRows.length);
  }
}

/** The same on SQLite through one prepared statement, a transaction per chunk: about twice as fast as JSON there. */
function stageNative(sqlite: NativeSqlite, staged: string, parsedRows: readonly UsersCsvRow[], known: Map<string, number>, onProgress: Progress): void {
  const insert = sqlite.prepare(`insert into temp.${staged} (line, email, name, department, role, user_id, public_id) values (?, ?, ?, ?, ?, ?, ?)`);
  const chunk = sqlite.transaction((rows: StagedRow[]) => {
    for (const row of rows) insert.run(...STAGED_FIELDS.map((field) => row[field]));
  });
  for (let from = 0; from < parsedRows.length; from += STAGE_CHUNK) {
    chunk(stagedRows(parsedRows.slice(from, from + STAGE_CHUNK), known));
    onProgress?.(Math.min(from + STAGE_CHUNK, parsedRows.length), parsedRows.length);
  }
}
