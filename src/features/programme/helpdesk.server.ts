/** AI-related help-desk inquiries per month and department: entered one by one or imported all-or-nothing. */
import { desc, isNotNull, isNull } from 'drizzle-orm';
import { departments, helpdeskInquiries } from '../../../db/schema/index.ts';
import { parseHelpdeskCsvFile, type HelpdeskProblem } from './helpdesk-csv.ts';
import { audit, type AuditInput } from '../audit/audit.server.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { findDepartmentId } from '../users/users.server.ts';
import { requireExisting } from './references.server.ts';
import { now as clockNow } from '../../platform/clock.ts';

export interface InquiriesInput {
  month: string;
  departmentId: number | null;
  count: number;
  updatedBy: number;
}

/**
 * Saves one month's count (for a department, or none), with its audit row when `by` is given,
 * in one write; an unknown department is refused (`unknown_department`).
 */
export async function saveInquiries(db: Db, input: InquiriesInput, by: Pick<AuditInput, 'actor' | 'ip'> | null = null, now = clockNow()): Promise<void> {
  await db.write(async (tx) => {
    if (input.departmentId !== null) await requireExisting(tx, departments, [input.departmentId], 'unknown_department');
    await upsertInquiries(tx, input, now);
    if (by) await audit(tx, { ...by, action: 'helpdesk.saved', details: { month: input.month, departmentId: input.departmentId, count: input.count } }, now);
  });
}

/** One statement, so two saves of one month at once (two instances) leave one row: the last one's count. */
async function upsertInquiries(db: Tx, input: InquiriesInput, now: Date): Promise<void> {
  const company = input.departmentId === null;
  await db
    .insert(helpdeskInquiries)
    .values({ ...input, updatedAt: now })
    .onConflictDoUpdate({
      // The partial unique index that holds this row: per department, or the company-wide one.
      target: company ? [helpdeskInquiries.month] : [helpdeskInquiries.month, helpdeskInquiries.departmentId],
      targetWhere: company ? isNull(helpdeskInquiries.departmentId) : isNotNull(helpdeskInquiries.departmentId),
      set: { count: input.count, updatedBy: input.updatedBy, updatedAt: now },
    });
}

export type Inquiries = typeof helpdeskInquiries.$inferSelect;

export async function listInquiries(db: Db, limit = 200): Promise<Inquiries[]> {
  return db.read(async (q) => await q.select().from(helpdeskInquiries).orderBy(desc(helpdeskInquiries.month)).limit(limit));
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
export async function importInquiriesCsv(db: Db, bytes: Uint8Array, options: HelpdeskImportOptions, now = clockNow()): Promise<HelpdeskImportReport> {
  const { rows, problems, encoding } = parseHelpdeskCsvFile(bytes);
  const resolved: { month: string; departmentId: number | null; count: number }[] = [];
  await db.read(async (q) => {
    for (const row of rows) {
      const departmentId = row.department === null ? null : await findDepartmentId(q, row.department);
      if (row.department !== null && departmentId === null) problems.push({ line: row.line, code: 'unknown_department', params: { value: row.department } });
      else resolved.push({ month: row.month, departmentId, count: row.count });
    }
  });
  if (problems.length > 0 || resolved.length === 0) {
    problems.sort((a, b) => a.line - b.line);
    return { ok: problems.length === 0 && resolved.length > 0, saved: 0, problems: resolved.length === 0 && problems.length === 0 ? [{ line: 0, code: 'no_rows' }] : problems };
  }
  await db.write(async (tx) => {
    for (const row of resolved) await upsertInquiries(tx, { ...row, updatedBy: options.actor.id }, now);
    await audit(
      tx,
      { actor: options.actor, action: 'helpdesk.imported', details: { file: options.fileName?.slice(0, 100) ?? null, encoding, rows: resolved.length }, ip: options.ip ?? null },
      now,
    );
  });
  return { ok: true, saved: resolved.length, problems: [] };
}
