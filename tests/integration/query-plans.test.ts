/**
 * The queries every request makes stay index lookups on a company-sized database whose
 * statistics are current (after ANALYZE, which `PRAGMA optimize`, the benchmark and any operator
 * may run). A plain index on a column that is NULL for nearly everyone (`manager_id`,
 * `external_id`) then looks unselective, and SQLite scanned all users for the session lookup's
 * "has reports" probe on every request: lesson pages and writes ran at a quarter of their speed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sessionLookupQuery } from '../../src/features/auth/session.server.ts';
import { rawDrizzle, rawSqlite } from '../../src/platform/db.server.ts';
import { tempDb } from '../helpers/db.ts';

const t = tempDb();
afterAll(() => t.cleanup());

const USERS = 3000;
const DEPARTMENTS = 40;

function seedCompany(): void {
  const sqlite = rawSqlite(t.db);
  const addDepartment = sqlite.prepare('insert into departments (name) values (?) returning id');
  const insert = sqlite.prepare("insert into users (public_id, email, display_name, locale, role, department_id, active) values (?, ?, ?, 'ja', 'learner', ?, 1)");
  sqlite.transaction(() => {
    const departments = Array.from({ length: DEPARTMENTS }, (_, i) => (addDepartment.get(`Department ${i}`) as { id: number }).id);
    for (let i = 0; i < USERS; i++) insert.run(`p${i}`, `user${i}@example.com`, `User ${i}`, departments[i % DEPARTMENTS]);
  })();
  // As before any provisioning: nobody has a manager or an external id yet, the case where
  // a full index on either column looked useless to the planner.
  sqlite.exec('analyze');
}

/** SQLite's plan for `query` (the detail lines of EXPLAIN QUERY PLAN). */
function plan(query: string, params: unknown[]): string[] {
  const rows = rawSqlite(t.db)
    .prepare(`explain query plan ${query}`)
    .all(...params) as { detail: string }[];
  return rows.map((row) => row.detail);
}

describe('hot query plans after ANALYZE', () => {
  seedCompany();

  it('the session lookup reads users by key and probes reports through the index, never a scan', () => {
    const query = sessionLookupQuery(rawDrizzle(t.db)).toSQL();
    const detail = plan(
      query.sql,
      query.params.map(() => 'abc'),
    );
    expect(detail.some((line) => /USING INDEX users_manager_idx/.test(line))).toBe(true);
    expect(detail.filter((line) => /^SCAN/.test(line))).toEqual([]);
  });

  it('a lookup by external id (SCIM) uses its index', () => {
    const detail = plan('select id from users where external_id = ?', ['ext-3']);
    expect(detail.filter((line) => /^SCAN/.test(line))).toEqual([]);
  });
});
