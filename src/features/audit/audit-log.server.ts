/** The audit log page's data: newest first, by action, a page of 100 before a given id. */
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { auditLog, departments, type AuditEntry } from '../../../db/schema/index.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import { getCatalog } from '../curriculum/catalog.server.ts';
import type { Db } from '../../platform/db.server.ts';

export const AUDIT_PAGE_SIZE = 100;

export interface AuditLogPage {
  rows: AuditEntry[];
  /** Every action the log holds, for the filter. */
  actions: string[];
  departmentName: (id: number) => string | null;
  catalog: Catalog;
  /** The id to continue before, when the page is full. */
  nextBefore: number | null;
}

export async function loadAuditLog(db: Db, query: { action: string; before?: number | undefined }): Promise<AuditLogPage> {
  const conditions: SQL[] = [];
  if (query.action) conditions.push(eq(auditLog.action, query.action));
  if (query.before) conditions.push(lt(auditLog.id, query.before));
  const { rows, actions, names } = await db.read(async (q) => ({
    rows: await q
      .select()
      .from(auditLog)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(auditLog.id))
      .limit(AUDIT_PAGE_SIZE),
    actions: (await q.selectDistinct({ action: auditLog.action }).from(auditLog).orderBy(auditLog.action)).map((a) => a.action),
    names: new Map((await q.select({ id: departments.id, name: departments.name }).from(departments)).map((d) => [d.id, d.name])),
  }));
  return {
    rows,
    actions,
    departmentName: (id) => names.get(id) ?? null,
    catalog: await getCatalog(),
    nextBefore: rows.length === AUDIT_PAGE_SIZE ? rows.at(-1)!.id : null,
  };
}
