/**
 * "The database as it was": every table, row by row (a hash of each table's rows in rowid
 * order, plus its row count), before and after each request, except what a refused request may
 * legitimately write:
 * - `audit_log`: it records refusals on purpose (failed sign-ins, access denials); for a refused
 *   request only rows with those two actions may appear (checked by the harness), and
 *   `sqlite_sequence`'s counter for it moves with them;
 * - `sessions.last_active_at`: every authenticated request may refresh it (once a minute), and
 *   so may a SCIM request `scim_tokens.last_used_at`;
 * - `form_results`: a post's answer kept for the one redirect after it, not state;
 * - `sign_in_limits`: the sign-in throttle's counters, which count every attempt on purpose,
 *   a refused one most of all (a wrong password, a wrong current password);
 * - the page-view analytics a rendered lesson page records (`lesson_views`, `activity_months`,
 *   and `kpi_department_months.active_users`), only for requests posted through a lesson page:
 *   answering a refused form shows the lesson again, and showing it is a view. (The learner has
 *   viewed every lesson before the run, so in practice these do not change either.)
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

/** Tables a page view writes (see above): allowed to change only for posts through a lesson page. */
const VIEW_TABLES = new Set(['lesson_views', 'activity_months']);
export const ALLOWED_AUDIT_ON_REFUSAL = new Set(['auth.sign_in_failed', 'access.denied']);

export interface Snapshot {
  tables: Map<string, string>;
  auditMaxId: number;
}

export class Snapshots {
  private readonly db: Database.Database;
  private readonly statements: { table: string; statement: Database.Statement }[];
  private last: { version: number; snapshot: Snapshot } | null = null;
  readonly tableNames: string[];

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('busy_timeout = 5000');
    this.tableNames = this.db
      .prepare<[], { name: string }>(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not in ('audit_log', 'form_results', 'sign_in_limits') order by name",
      )
      .all()
      .map((r) => r.name);
    const queries = this.tableNames.map((table) => {
      const columns = this.db
        .prepare<[], { name: string }>(`select name from pragma_table_info('${table}')`)
        .all()
        .map((c) => c.name)
        .filter(
          (c) =>
            !(table === 'sessions' && c === 'last_active_at') && !(table === 'scim_tokens' && c === 'last_used_at') && !(table === 'kpi_department_months' && c === 'active_users'),
        );
      // Each row as SQL literals (quote() keeps types apart: 1 vs '1', blobs as X'…'), the table as
      // one text in rowid order, built inside SQLite: hashing then costs one string per table.
      const row = columns.map((c) => `quote("${c}")`).join(` || ',' || `);
      // A roll-up row whose only non-zero counter is active_users is a page view's, nothing else.
      const where = table === 'kpi_department_months' ? ' where attempts + hours_respondents + rating_count + hours_sum + score_sum + rating_sum + attempts_passed <> 0' : '';
      return { table, sql: `select count(*) as n, coalesce(group_concat(${row}, char(10) order by rowid), '') as body from "${table}"${where}` };
    });
    queries.push({
      table: 'sqlite_sequence',
      sql: "select count(*) as n, coalesce(group_concat(quote(name) || ',' || quote(seq), char(10) order by name), '') as body from sqlite_sequence where name <> 'audit_log'",
    });
    this.statements = queries.map(({ table, sql }) => ({ table, statement: this.db.prepare(sql) }));
  }

  take(): Snapshot {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (this.last && this.last.version === version) return this.last.snapshot;
    const tables = new Map<string, string>();
    for (const { table, statement } of this.statements) {
      const { n, body } = statement.get() as { n: number; body: string };
      tables.set(table, `${n}:${createHash('sha1').update(body).digest('hex')}`);
    }
    const auditMaxId = (this.db.prepare('select coalesce(max(id), 0) as id from audit_log').get() as { id: number }).id;
    const snapshot = { tables, auditMaxId };
    this.last = { version, snapshot };
    return snapshot;
  }

  auditActionsSince(id: number): string[] {
    return this.db
      .prepare<[number], { action: string }>('select action from audit_log where id > ?')
      .all(id)
      .map((r) => r.action);
  }

  exists(table: string, id: number): boolean {
    return this.db.prepare(`select 1 from "${table}" where id = ?`).get(id) !== undefined;
  }

  close(): void {
    this.db.close();
  }
}

export function changedTables(before: Snapshot, after: Snapshot, allowViews: boolean): string[] {
  return [...after.tables.keys()].filter((table) => before.tables.get(table) !== after.tables.get(table) && !(allowViews && VIEW_TABLES.has(table)));
}
