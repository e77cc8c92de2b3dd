/**
 * The users import's one write transaction (src/features/users/import.server.ts stages the rows
 * and opens it): the checks that depend on the current state, then set-based statements —
 * departments, updated and new users, managers, enrolments, and an audit row per changed user,
 * written before the change. The same SQL on SQLite and PostgreSQL: parameters in a select list
 * are cast (PostgreSQL gives them no type otherwise), `is distinct from` for null-safe comparison,
 * and the JSON of an audit row built by each database's own function.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db.server.ts';
import { nowMs } from '../../platform/clock.ts';
import { exec, first, jsonObjects, onPostgres, rows } from '../../platform/query.ts';
import { audit } from '../audit/audit.server.ts';
import { syncEnrolmentsOf } from '../programme/assignments.server.ts';
import { adminRuleViolation } from './admin-rules.server.ts';
import { checkManagers, readPeople, type ManagerChoice } from './import-managers.server.ts';
import type { ImportOptions, ImportReport } from './import.server.ts';
import { normalizeEmail } from '../../platform/input/email.ts';
import type { Role } from './roles.ts';
import type { ParsedUsersCsv, ProblemCode } from './users-csv.ts';
import { createDepartment, findDepartmentId } from './users.server.ts';

interface AuditParams {
  at: SQL;
  actorId: SQL;
  actorLabel: SQL;
  ip: SQL;
}

export interface KnownUsers {
  ids: Map<string, number>;
  maxId: number;
}

/**
 * Every user's id by their email as the one normaliser (src/platform/input/email.ts) spells it, so a row
 * stored before emails were normalised (`ｌｅａｒｎｅｒ@…`) is still the same address; and the
 * highest id seen, so the write transaction needs to look only at users created since.
 */
export async function existingUsersByEmail(q: Tx, afterId = 0): Promise<KnownUsers> {
  const found = await rows<{ id: number; email: string }>(q, sql`select id, email from users where id > ${afterId}`);
  const ids = new Map<string, number>();
  let maxId = afterId;
  for (const row of found) {
    ids.set(normalizeEmail(row.email), row.id);
    if (row.id > maxId) maxId = row.id;
  }
  return { ids, maxId };
}

/** The checks against the state this transaction commits on, then the writes; problems mean nothing was written. */
export async function writeStaged(tx: Tx, stagedName: string, checkedUpTo: number, options: ImportOptions, report: ImportReport, parsed: ParsedUsersCsv): Promise<ImportReport> {
  const staged = sql.raw(stagedName);
  const one = async <T>(query: SQL): Promise<T> => first(await rows<T>(tx, query)) as T;
  const problem = (line: number, code: ProblemCode): ImportReport => ({ ...report, problems: [{ line, code }] });

  // Someone else may have created one of these addresses since the check above.
  const since = (await existingUsersByEmail(tx, checkedUpTo)).ids;
  const taken =
    since.size === 0
      ? []
      : (await rows<{ line: number; email: string }>(tx, sql`select line, email from ${staged} where user_id is null order by line`)).filter((r) => since.has(r.email));
  if (taken.length > 0) return { ...report, problems: taken.map((r) => ({ line: r.line, code: 'already_exists', params: { email: r.email } })) };

  const actorId = options.actor?.id ?? null;
  const self =
    actorId === null
      ? null
      : first(
          await rows<{ line: number; role: Role; active: number | boolean }>(
            tx,
            sql`select s.line, s.role, u.active from ${staged} s join users u on u.id = s.user_id where s.user_id = ${actorId}`,
          ),
        );
  const removed = await one<{ n: number; line: number | null }>(
    sql`select count(*) n, min(s.line) line from ${staged} s join users u on u.id = s.user_id where u.active and u.role = 'admin' and s.role <> 'admin'`,
  );
  const added = await one<{ n: number }>(
    sql`select count(*) n from ${staged} s left join users u on u.id = s.user_id where s.role = 'admin' and (s.user_id is null or (u.active and u.role <> 'admin'))`,
  );
  const violation = await adminRuleViolation(tx, { self: self ? { role: self.role, active: Boolean(self.active) } : null, removed: removed.n, added: added.n });
  if (violation === 'cannot_demote_self' || violation === 'cannot_deactivate_self') return problem(self?.line ?? 0, 'cannot_demote_self');
  if (violation === 'last_admin') return problem(removed.line ?? 0, 'last_admin');
  // Managers again, against the state this transaction commits on (someone may have changed a line meanwhile).
  const managed = parsed.rows.some((row) => row.manager !== undefined);
  const managers = managed ? checkManagers(await readPeople(tx), parsed.rows, parsed.listed) : { problems: [], choices: [] };
  if (managers.problems.length > 0) return { ...report, problems: managers.problems };

  // Departments: each spelled as on its first line, matched case-insensitively like the unique index.
  const departmentsCreated: string[] = [];
  const firstSpellings = await rows<{ department: string }>(
    tx,
    sql`select s.department from ${staged} s where s.line in (select min(line) from ${staged} group by lower(department)) order by s.line`,
  );
  for (const { department } of firstSpellings) {
    if ((await findDepartmentId(tx, department)) !== null) continue;
    await createDepartment(tx, department);
    departmentsCreated.push(department);
  }

  const at = nowMs();
  const actorLabel = options.actor?.email ?? options.actorLabel?.slice(0, 254) ?? null;
  const params: AuditParams = {
    at: sql`cast(${at} as bigint)`,
    actorId: sql`cast(${actorId} as integer)`,
    actorLabel: sql`cast(${actorLabel} as text)`,
    ip: sql`cast(${options.ip ?? null} as text)`,
  };
  const json = onPostgres(tx) ? sql.raw('json_build_object') : sql.raw('json_object');
  const target = sql`join departments d on lower(d.name) = lower(s.department)`;
  const changed = sql`(u.role <> s.role or u.department_id is distinct from d.id or u.display_name <> s.name)`;
  const listed = (await one<{ n: number }>(sql`select count(*) n from ${staged} where user_id is not null`)).n;
  // With a manager column a row may change in its manager only: each changed row is marked, to count it once.
  if (managers.choices.length > 0) {
    await exec(tx, sql`update ${staged} set changed = 1 where line in (select s.line from ${staged} s join users u on u.id = s.user_id ${target} where ${changed})`);
  }

  // Before/after of every changed user, written before the change (audit rows never name a secret).
  const fieldsUpdated = await exec(
    tx,
    sql`insert into audit_log (at, actor_user_id, actor_label, action, target_type, target_id, details, ip)
      select ${params.at}, ${params.actorId}, ${params.actorLabel}, 'user.updated', 'user', cast(u.id as text), ${json}('via', 'import', 'line', s.line,
        'before', ${json}('role', u.role, 'department', b.name, 'name', u.display_name),
        'after', ${json}('role', s.role, 'department', d.name, 'name', s.name)), ${params.ip}
      from ${staged} s join users u on u.id = s.user_id ${target} left join departments b on b.id = u.department_id
      where ${changed} order by s.line`,
  );
  await exec(
    tx,
    sql`update users as u set display_name = s.name, role = s.role, department_id = d.id, updated_at = ${params.at}
      from ${staged} s ${target} where u.id = s.user_id and ${changed}`,
  );
  const created = await exec(
    tx,
    sql`insert into users (public_id, email, display_name, role, department_id, locale, created_at, updated_at)
      select s.public_id, s.email, s.name, s.role, d.id, 'ja', ${params.at}, ${params.at} from ${staged} s ${target} where s.user_id is null order by s.line`,
  );
  await exec(
    tx,
    sql`insert into audit_log (at, actor_user_id, actor_label, action, target_type, target_id, details, ip)
      select ${params.at}, ${params.actorId}, ${params.actorLabel}, 'user.created', 'user', cast(u.id as text),
        ${json}('via', 'import', 'line', s.line, 'email', s.email, 'role', s.role, 'department', d.name), ${params.ip}
      from ${staged} s join users u on u.public_id = s.public_id join departments d on d.id = u.department_id order by s.line`,
  );
  const managersChanged = await writeManagers(tx, staged, json, managers.choices, params);
  await syncEnrolmentsOf(tx, sql`select user_id from ${staged} where user_id is not null union all select u.id from ${staged} s join users u on u.public_id = s.public_id`);

  const updated = managers.choices.length > 0 ? (await one<{ n: number }>(sql`select count(*) n from ${staged} where user_id is not null and changed = 1`)).n : fieldsUpdated;
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
async function writeManagers(tx: Tx, staged: SQL, json: SQL, choices: ManagerChoice[], params: AuditParams): Promise<number> {
  if (choices.length === 0) return 0;
  const list = JSON.stringify(choices);
  await exec(
    tx,
    sql`update ${staged} as s set manager_set = 1, manager_id = cast(c."managerId" as integer), manager_line = cast(c."managerLine" as integer)
      from (${jsonObjects(tx, list, ['line', 'managerId', 'managerLine'])}) c where s.line = cast(c.line as integer)`,
  );
  await exec(tx, sql`update ${staged} as s set target_id = coalesce(s.user_id, (select u.id from users u where u.public_id = s.public_id))`);
  await exec(tx, sql`update ${staged} as s set manager_id = (select m.target_id from ${staged} m where m.line = s.manager_line) where s.manager_line is not null`);
  const moved = sql`s.manager_set = 1 and u.manager_id is distinct from s.manager_id`;
  await exec(tx, sql`update ${staged} as s set changed = 1 from users u where u.id = s.target_id and ${moved}`);
  const changes = await exec(
    tx,
    sql`insert into audit_log (at, actor_user_id, actor_label, action, target_type, target_id, details, ip)
      select ${params.at}, ${params.actorId}, ${params.actorLabel}, 'user.updated', 'user', cast(u.id as text), ${json}('via', 'import', 'line', s.line,
        'before', ${json}('manager', b.email), 'after', ${json}('manager', m.email)), ${params.ip}
      from ${staged} s join users u on u.id = s.target_id left join users b on b.id = u.manager_id left join users m on m.id = s.manager_id
      where ${moved} order by s.line`,
  );
  await exec(tx, sql`update users as u set manager_id = s.manager_id, updated_at = ${params.at} from ${staged} s where u.id = s.target_id and ${moved}`);
  return changes;
}
