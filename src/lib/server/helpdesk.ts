/** AI-related help-desk inquiries per month and department: entered one by one or imported all-or-nothing. */
import { and, desc, eq, isNull } from 'drizzle-orm';
import { helpdeskInquiries } from '../../../db/schema.ts';
import { parseHelpdeskCsvFile, type HelpdeskProblem } from '../helpdesk-csv.ts';
import { audit } from './audit.ts';
import type { Db, DbExecutor } from './db.ts';
import { findDepartmentId } from './user.ts';

export function saveInquiries(
  db: DbExecutor,
  input: { month: string; departmentId: number | null; count: number; updatedBy: number },
  now = new Date(),
): void {
  const where = and(
    eq(helpdeskInquiries.month, input.month),
    input.departmentId === null ? isNull(helpdeskInquiries.departmentId) : eq(helpdeskInquiries.departmentId, input.departmentId),
  );
  const existing = db.select({ id: helpdeskInquiries.id }).from(helpdeskInquiries).where(where).get();
  if (existing) {
    db.update(helpdeskInquiries).set({ count: input.count, updatedBy: input.updatedBy, updatedAt: now }).where(eq(helpdeskInquiries.id, existing.id)).run();
  } else {
    db.insert(helpdeskInquiries).values({ ...input, updatedAt: now }).run();
  }
}

export function listInquiries(db: DbExecutor, limit = 200) {
  return db.select().from(helpdeskInquiries).orderBy(desc(helpdeskInquiries.month)).limit(limit).all();
}

export interface HelpdeskImportReport {
  ok: boolean;
  saved: number;
  problems: HelpdeskProblem[];
}

export interface HelpdeskImportOptions {
  actor: { id: number; email: string };
  ip?: string | null;
  fileName?: string;
}

/**
 * All or nothing, with its audit row in the same transaction: unknown departments are refused
 * (not created) so a typo cannot invent one. Runs in the import worker (import-runner.ts).
 */
export function importInquiriesCsv(db: Db, bytes: Uint8Array, options: HelpdeskImportOptions, now = new Date()): HelpdeskImportReport {
  const { rows, problems, encoding } = parseHelpdeskCsvFile(bytes);
  const resolved: { month: string; departmentId: number | null; count: number }[] = [];
  for (const row of rows) {
    const departmentId = row.department === null ? null : findDepartmentId(db, row.department);
    if (row.department !== null && departmentId === null) problems.push({ line: row.line, code: 'unknown_department', params: { value: row.department } });
    else resolved.push({ month: row.month, departmentId, count: row.count });
  }
  if (problems.length > 0 || resolved.length === 0) {
    problems.sort((a, b) => a.line - b.line);
    return { ok: problems.length === 0 && resolved.length > 0, saved: 0, problems: resolved.length === 0 && problems.length === 0 ? [{ line: 0, code: 'no_rows' }] : problems };
  }
  db.transaction((tx) => {
    for (const row of resolved) saveInquiries(tx, { ...row, updatedBy: options.actor.id }, now);
    audit(tx, { actor: options.actor, action: 'helpdesk.imported', details: { file: options.fileName?.slice(0, 100) ?? null, encoding, rows: resolved.length }, ip: options.ip ?? null }, now);
  }, { behavior: 'immediate' });
  return { ok: true, saved: resolved.length, problems: [] };
}
