/**
 * All-or-nothing users import, for the browser (in a worker thread, src/features/users/import-worker.server.ts)
 * and the CLI. Decode and validate every row first (file and database); then stage the rows in
 * a TEMP table of this connection — invisible to every other connection, and gone with it if
 * the process dies — and write everything in one short immediate transaction of set-based
 * statements: departments, updated and new users, enrolments, and an audit row per changed
 * user. A file with any problem changes nothing; a kill -9 leaves nothing or everything.
 * Role changes obey src/features/users/admin-rules.server.ts, like the role form.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { CsvEncoding } from '../../platform/input/csv-decode.ts';
import { normalizeEmail } from '../../platform/input/email.ts';
import { parseUsersCsvFile, type ParsedUsersCsv, type ProblemCode, type RowProblem } from './users-csv.ts';
import { adminRuleViolation } from './admin-rules.server.ts';
import { checkManagers, type ManagerChoice } from './import-managers.server.ts';
import { syncEnrolmentsOf } from '../programme/assignments.server.ts';
import { audit } from '../audit/audit.server.ts';
import type Database from 'better-sqlite3';
import { withNativeSqlite, type Db, type Tx } from '../../platform/db.server.ts';
import type { Role } from './roles.ts';
import { generateSecureRandomString } from '../auth/session.server.ts';
import { createDepartment, findDepartmentId } from './users.server.ts';
import { nowMs } from '../../platform/clock.ts';

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

const STAGE_CHUNK = 1000;

export async function importUsersCsv(db: Db, bytes: Uint8Array, options: ImportOptions = {}): Promise<ImportReport> {
  const parsed = parseUsersCsvFile(bytes);
  const report: ImportReport = { ok: false, created: 0, updated: 0, unchanged: 0, departmentsCreated: [], encoding: parsed.encoding, problems: [] };
  if (parsed.rows.length === 0) return refuse(report, parsed.problems);
  // A TEMP table and set-based statements: native SQL on the connection (src/platform/db.server.ts).
  return withNativeSqlite(db, (sqlite, q) => importRows(sqlite, q, parsed, options, report));
}

function refuse(report: ImportReport, problems: RowProblem[]): ImportReport {
  return { ...report, problems: problems.sort((a, b) => a.line - b.line) };
}

async function importRows(sqlite: Database.Database, q: Tx, parsed: ParsedUsersCsv, options: ImportOptions, report: ImportReport): Promise<ImportReport> {
  // Every problem in one pass: rows that name an existing user are reported with the file's own problems.
  const known = existingUsersByEmail(sqlite);
  const existing = options.update ? [] : parsed.rows.filter((row) => known.ids.has(row.email));
  const problems = [
    ...parsed.problems,
    ...existing.map((row): RowProblem => ({ line: row.line, code: 'already_exists', params: { email: row.email } })),
    ...checkManagers(sqlite, parsed.rows, parsed.listed).problems,
  ];
  if (problems.length > 0) return refuse(report, problems);

  const staged = `import_users_${randomBytes(6).toString('hex')}`;
  sqlite.exec(
    `create temp table ${staged} (line integer primary key, email text not null unique, name text not null, department text not null, role text not null, user_id integer, public_id text,
      manager_set integer not null default 0, manager_id integer, manager_line integer, target_id integer, changed integer not null default 0)`,
  );
  try {
    // Temp-only writes: no lock on the database, so the server's own writes go on meanwhile.
    const insert = sqlite.prepare(`insert into temp.${staged} (line, email, name, department, role, user_id, public_id) values (?, ?, ?, ?, ?, ?, ?)`);
    const stage = sqlite.transaction((from: number) => {
      for (const row of parsed.rows.slice(from, from + STAGE_CHUNK)) {
        const userId = known.ids.get(row.email) ?? null;
        insert.run(row.line, row.email, row.name, row.department, row.role, userId, userId === null ? generateSecureRandomString() : null);
      }
    });
    for (let from = 0; from < parsed.rows.length; from += STAGE_CHUNK) {
      stage(from);
      options.onProgress?.(Math.min(from + STAGE_CHUNK, parsed.rows.length), parsed.rows.length);
    }
    // One IMMEDIATE transaction around the (now asynchronous) writes, as `sqlite.transaction(…).immediate()`
    // was: better-sqlite3's wrapper would commit before an async function's awaits ran.
    // withNativeSqlite holds the connection's lock until this settles.
    sqlite.exec('BEGIN IMMEDIATE');
    let written: ImportReport;
    try {
      written = await writeStaged(sqlite, q, staged, known.maxId, options, report, parsed);
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
 * Every user's id by their email as the one normaliser (src/platform/input/email.ts) spells it, so a row
 * stored before emails were normalised (`ｌｅａｒｎｅｒ@…`) is still the same address; and the
 * highest id seen, so the write transaction needs to look only at users created since.
 */
function existingUsersByEmail(sqlite: Database.Database, afterId = 0): { ids: Map<string, number>; maxId: number } {
  const rows = sqlite.prepare('select id, email from main.users where id > ?').all(afterId) as { id: number; email: string }[];
  const ids = new Map<string, number>();
  let maxId = afterId;
  for (const row of rows) {
    ids.set(normalizeEmail(row.email), row.id);
    if (row.id > maxId) maxId = row.id;
  }
  return { ids, maxId };
}

/** The one write transaction: checks that depend on the current state, then set-based writes. */
async function writeStaged(
  sqlite: Database.Database,
  tx: Tx,
  staged: string,
  checkedUpTo: number,
  options: ImportOptions,
  report: ImportReport,
  parsed: ParsedUsersCsv,
): Promise<ImportReport> {
  const all = <T>(query: string, ...params: unknown[]): T[] => sqlite.prepare(query).all(...params) as T[];
  const one = <T>(query: string, ...params: unknown[]): T => sqlite.prepare(query).get(...params) as T;
  const problem = (line: number, code: ProblemCode): ImportReport => ({ ...report, problems: [{ line, code }] });

  // Someone else may have created one of these addresses since the check above.
  const since = existingUsersByEmail(sqlite, checkedUpTo).ids;
  const taken =
    since.size === 0 ? [] : all<{ line: number; email: string }>(`select line, email from temp.${staged} where user_id is null order by line`).filter((r) => since.has(r.email));
  if (taken.length > 0) return { ...report, problems: taken.map((r) => ({ line: r.line, code: 'already_exists', params: { email: r.email } })) };

  const actorId = options.actor?.id ?? null;
  const self =
    actorId === null
      ? null
      : (one<{ line: number; role: Role; active: number } | undefined>(
          `select s.line, s.role, u.active from temp.${staged} s join main.users u on u.id = s.user_id where s.user_id = ?`,
          actorId,
        ) ?? null);
  const removed = one<{ n: number; line: number | null }>(
    `select count(*) n, min(s.line) line from temp.${staged} s join main.users u on u.id = s.user_id where u.active and u.role = 'admin' and s.role <> 'admin'`,
  );
  const added = one<{ n: number }>(
    `select count(*) n from temp.${staged} s left join main.users u on u.id = s.user_id
     where s.role = 'admin' and (s.user_id is null or (u.active and u.role <> 'admin'))`,
  );
  const violation = await adminRuleViolation(tx, { self: self ? { role: self.role, active: Boolean(self.active) } : null, removed: removed.n, added: added.n });
  if (violation === 'cannot_demote_self' || violation === 'cannot_deactivate_self') return problem(self?.line ?? 0, 'cannot_demote_self');
  if (violation === 'last_admin') return problem(removed.line ?? 0, 'last_admin');
  // Managers again, against the state this transaction commits on (someone may have changed a line meanwhile).
  const managers = checkManagers(sqlite, parsed.rows, parsed.listed);
  if (managers.problems.length > 0) return { ...report, problems: managers.problems };

  // Departments: each spelled as on its first line, matched case-insensitively like the unique index.
  const departmentsCreated: string[] = [];
  for (const { department } of all<{ department: string }>(`select department, min(line) from temp.${staged} group by lower(department) order by min(line)`)) {
    if ((await findDepartmentId(tx, department)) !== null) continue;
    await createDepartment(tx, department);
    departmentsCreated.push(department);
  }

  const at = nowMs();
  const actorLabel = options.actor?.email ?? options.actorLabel?.slice(0, 254) ?? null;
  const auditParams = { at, actorId, actorLabel, ip: options.ip ?? null };
  const target = `join main.departments d on lower(d.name) = lower(s.department)`;
  const changed = `(u.role <> s.role or u.department_id is not d.id or u.display_name <> s.name)`;
  const listed = one<{ n: number }>(`select count(*) n from temp.${staged} where user_id is not null`).n;
  // With a manager column a row may change in its manager only: each changed row is marked, to count it once.
  if (managers.choices.length > 0) {
    sqlite
      .prepare(`update temp.${staged} set changed = 1 where line in (select s.line from temp.${staged} s join main.users u on u.id = s.user_id ${target} where ${changed})`)
      .run();
  }

  // Before/after of every changed user, written before the change (audit rows never name a secret).
  const fieldsUpdated = sqlite
    .prepare(
      `insert into main.audit_log (at, actor_user_id, actor_label, action, target_type, target_id, details, ip)
       select @at, @actorId, @actorLabel, 'user.updated', 'user', u.id, json_object('via', 'import', 'line', s.line,
         'before', json_object('role', u.role, 'department', b.name, 'name', u.display_name),
         'after', json_object('role', s.role, 'department', d.name, 'name', s.name)), @ip
       from temp.${staged} s join main.users u on u.id = s.user_id ${target} left join main.departments b on b.id = u.department_id
       where ${changed} order by s.line`,
    )
    .run(auditParams).changes;
  sqlite
    .prepare(
      `update main.users as u set display_name = s.name, role = s.role, department_id = d.id, updated_at = @at
       from temp.${staged} s ${target} where u.id = s.user_id and ${changed}`,
    )
    .run({ at });
  const created = sqlite
    .prepare(
      `insert into main.users (public_id, email, display_name, role, department_id, locale, created_at, updated_at)
       select s.public_id, s.email, s.name, s.role, d.id, 'ja', @at, @at from temp.${staged} s ${target} where s.user_id is null order by s.line`,
    )
    .run({ at }).changes;
  sqlite
    .prepare(
      `insert into main.audit_log (at, actor_user_id, actor_label, action, target_type, target_id, details, ip)
       select @at, @actorId, @actorLabel, 'user.created', 'user', u.id,
         json_object('via', 'import', 'line', s.line, 'email', s.email, 'role', s.role, 'department', d.name), @ip
       from temp.${staged} s join main.users u on u.public_id = s.public_id join main.departments d on d.id = u.department_id order by s.line`,
    )
    .run(auditParams);
  const managersChanged = writeManagers(sqlite, staged, managers.choices, auditParams);
  await syncEnrolmentsOf(
    tx,
    sql.raw(`select user_id from temp.${staged} where user_id is not null union all select u.id from temp.${staged} s join main.users u on u.public_id = s.public_id`),
  );

  const updated = managers.choices.length > 0 ? one<{ n: number }>(`select count(*) n from temp.${staged} where user_id is not null and changed = 1`).n : fieldsUpdated;
  const result = { ...report, created, updated, unchanged: listed - updated, departmentsCreated };
  await audit(
    tx,
    {
      actor: options.actor ?? null,
      actorLabel: options.actorLabel,
      action: 'users.imported',
      details: {
        file: options.fileName?.slice(0, 100) ?? null,
        encoding: report.encoding,
        created,
        updated: result.updated,
        unchanged: result.unchanged,
        departmentsCreated: departmentsCreated.slice(0, 100),
        ...(managers.choices.length > 0 && { managersChanged }),
      },
      ip: options.ip ?? null,
    },
    new Date(at),
  );
  return result;
}

/**
 * The manager column's changes, after the new users exist: each row's manager resolved to an id
 * (a row of the file by its user), an audit row per change (before/after manager), then the update.
 */
function writeManagers(
  sqlite: Database.Database,
  staged: string,
  choices: ManagerChoice[],
  auditParams: { at: number; actorId: number | null; actorLabel: string | null; ip: string | null },
): number {
  if (choices.length === 0) return 0;
  const choose = sqlite.prepare(`update temp.${staged} set manager_set = 1, manager_id = ?, manager_line = ? where line = ?`);
  for (const choice of choices) choose.run(choice.managerId, choice.managerLine, choice.line);
  sqlite.exec(`update temp.${staged} as s set target_id = coalesce(s.user_id, (select u.id from main.users u where u.public_id = s.public_id))`);
  sqlite.exec(`update temp.${staged} as s set manager_id = (select m.target_id from temp.${staged} m where m.line = s.manager_line) where s.manager_line is not null`);
  const moved = `s.manager_set = 1 and u.manager_id is not s.manager_id`;
  sqlite.prepare(`update temp.${staged} as s set changed = 1 from main.users u where u.id = s.target_id and ${moved}`).run();
  const changes = sqlite
    .prepare(
      `insert into main.audit_log (at, actor_user_id, actor_label, action, target_type, target_id, details, ip)
       select @at, @actorId, @actorLabel, 'user.updated', 'user', u.id, json_object('via', 'import', 'line', s.line,
         'before', json_object('manager', b.email), 'after', json_object('manager', m.email)), @ip
       from temp.${staged} s join main.users u on u.id = s.target_id left join main.users b on b.id = u.manager_id left join main.users m on m.id = s.manager_id
       where ${moved} order by s.line`,
    )
    .run(auditParams).changes;
  sqlite.prepare(`update main.users as u set manager_id = s.manager_id, updated_at = @at from temp.${staged} s where u.id = s.target_id and ${moved}`).run({ at: auditParams.at });
  return changes;
}
