/**
 * All-or-nothing users import: validate every row first (file and database), then write
 * everything in one immediate transaction. A file with any problem changes nothing.
 */
import { eq, sql } from 'drizzle-orm';
import { users } from '../../../db/schema.ts';
import { parseUsersCsv, type RowProblem } from '../users-csv.ts';
import type { Db } from './db.ts';
import { createDepartment, createUser, findDepartmentId } from './user.ts';

export interface ImportOptions {
  /** Update name, department and role of users that already exist instead of refusing them. */
  update?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportReport {
  ok: boolean;
  created: number;
  updated: number;
  departmentsCreated: string[];
  problems: RowProblem[];
}

export function importUsersCsv(db: Db, text: string, options: ImportOptions = {}): ImportReport {
  const { rows, problems } = parseUsersCsv(text);
  const empty = { created: 0, updated: 0, departmentsCreated: [] };

  const existing = new Map<string, number>();
  for (const row of db.select({ id: users.id, email: sql<string>`lower(${users.email})` }).from(users).all()) {
    existing.set(row.email, row.id);
  }
  if (!options.update) {
    for (const row of rows) {
      if (existing.has(row.email)) problems.push({ line: row.line, code: 'already_exists', detail: row.email });
    }
  }
  if (problems.length > 0 || rows.length === 0) {
    problems.sort((a, b) => a.line - b.line);
    return { ok: problems.length === 0, ...empty, problems };
  }

  const departmentsCreated: string[] = [];
  let created = 0;
  let updated = 0;
  db.transaction(
    (tx) => {
      const departmentIds = new Map<string, number>();
      for (const [i, row] of rows.entries()) {
        const key = row.department.toLowerCase();
        let departmentId = departmentIds.get(key);
        if (departmentId === undefined) {
          departmentId = findDepartmentId(tx, row.department) ?? undefined;
          if (departmentId === undefined) {
            departmentId = createDepartment(tx, row.department);
            departmentsCreated.push(row.department);
          }
          departmentIds.set(key, departmentId);
        }
        const userId = existing.get(row.email);
        if (userId === undefined) {
          createUser(tx, { email: row.email, displayName: row.name, role: row.role, departmentId });
          created++;
        } else {
          tx.update(users)
            .set({ displayName: row.name, role: row.role, departmentId, updatedAt: new Date() })
            .where(eq(users.id, userId))
            .run();
          updated++;
        }
        if ((i + 1) % 1000 === 0) options.onProgress?.(i + 1, rows.length);
      }
    },
    { behavior: 'immediate' },
  );
  options.onProgress?.(rows.length, rows.length);
  return { ok: true, created, updated, departmentsCreated, problems: [] };
}
