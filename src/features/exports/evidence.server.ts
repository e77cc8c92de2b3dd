/**
 * The evidence export (`/admin/exports/evidence.csv`), streamed: people are read in pages and
 * their certificates, acknowledgements and last training dates in batches of 500 (four grouped
 * queries each), each only up to the "as of" moment, so a 100,000-person company stays at
 * flat memory. Audited before it starts, like every export.
 */
import { and, eq, inArray, isNotNull, lte, max, sql } from 'drizzle-orm';
import { certificates, departments, lessonCompletions, policyAcknowledgements, quizAttempts } from '../../../db/schema/index.ts';
import { audit, type AuditCaller } from '../audit/audit.server.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import type { Policy, PolicyCatalog } from '../policies/policies.ts';
import type { Role } from '../users/roles.ts';
import { now } from '../../platform/clock.ts';
import { dayKey } from '../../platform/dates.ts';
import { readPages, type Db } from '../../platform/db.server.ts';
import { csvStream } from './csv.server.ts';
import { evidenceHeader, evidenceMoment, evidencePolicies, evidenceRow, parseEvidenceParams, type EvidenceOptions, type EvidencePerson } from './evidence.ts';
import { first } from '../../platform/query.ts';

const BATCH = 500;

interface PersonRow {
  rid: number;
  id: number;
  publicId: string;
  name: string;
  email: string;
  department: string | null;
  role: Role;
  active: number;
}

/** Certificates, acknowledgements and last training of a batch of people, up to `at`. */
async function recordsOf(db: Db, ids: number[], at: Date): Promise<Map<number, Omit<EvidencePerson, 'publicId' | 'name' | 'email' | 'department' | 'role' | 'active'>>> {
  const byUser = new Map(
    ids.map((id) => [id, { certificates: [] as EvidencePerson['certificates'][number][], acknowledged: new Map<string, number>(), lastTrainingAt: null as Date | null }]),
  );
  const later = (id: number, value: number | Date | null): void => {
    if (value === null) return;
    const date = new Date(value);
    const person = byUser.get(id)!;
    if (person.lastTrainingAt === null || date > person.lastTrainingAt) person.lastTrainingAt = date;
  };
  await db.read(async (q) => {
    const held = await q
      .select({ userId: certificates.userId, tierId: certificates.tierId, cycle: certificates.cycle, issuedAt: certificates.issuedAt, validUntil: certificates.validUntil })
      .from(certificates)
      .where(and(inArray(certificates.userId, ids), lte(certificates.issuedAt, at)));
    for (const { userId, ...c } of held) byUser.get(userId)!.certificates.push(c);
    const acknowledged = await q
      .select({ userId: policyAcknowledgements.userId, policyId: policyAcknowledgements.policyId, version: max(policyAcknowledgements.version) })
      .from(policyAcknowledgements)
      .where(and(inArray(policyAcknowledgements.userId, ids), lte(policyAcknowledgements.acknowledgedAt, at)))
      .groupBy(policyAcknowledgements.userId, policyAcknowledgements.policyId);
    for (const a of acknowledged) if (a.version !== null) byUser.get(a.userId)!.acknowledged.set(a.policyId, a.version);
    const completed = await q
      .select({ userId: lessonCompletions.userId, at: sql<number | null>`max(${lessonCompletions.completedAt})` })
      .from(lessonCompletions)
      .where(and(inArray(lessonCompletions.userId, ids), lte(lessonCompletions.completedAt, at)))
      .groupBy(lessonCompletions.userId);
    for (const c of completed) later(c.userId, c.at);
    const attempted = await q
      .select({ userId: quizAttempts.userId, at: sql<number | null>`max(${quizAttempts.submittedAt})` })
      .from(quizAttempts)
      .where(and(inArray(quizAttempts.userId, ids), isNotNull(quizAttempts.submittedAt), lte(quizAttempts.submittedAt, at)))
      .groupBy(quizAttempts.userId);
    for (const a of attempted) later(a.userId, a.at);
  });
  return byUser;
}

/** Every person in scope, one row each, in the order they were created. */
export async function* evidenceRows(db: Db, catalog: Catalog, policies: readonly Policy[], options: EvidenceOptions, at: Date, timeZone: string): AsyncGenerator<unknown[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (options.departmentId !== null) {
    where.push('t.department_id = ?');
    params.push(options.departmentId);
  }
  if (!options.includeInactive) where.push('t.active');
  async function* rowsOf(batch: PersonRow[]): AsyncGenerator<unknown[]> {
    if (batch.length === 0) return;
    const records = await recordsOf(
      db,
      batch.map((p) => p.id),
      at,
    );
    for (const p of batch) {
      const person: EvidencePerson = { ...records.get(p.id)!, publicId: p.publicId, name: p.name, email: p.email, department: p.department, role: p.role, active: p.active === 1 };
      yield evidenceRow(person, catalog, policies, { asOf: options.asOf, at, timeZone });
    }
  }
  let batch: PersonRow[] = [];
  for await (const person of readPages<PersonRow>(
    db,
    `select t.rowid rid, t.id, t.public_id "publicId", t.display_name name, t.email, d.name department, t.role, t.active
     from users t left join departments d on d.id = t.department_id where ${where.length === 0 ? 'true' : where.join(' and ')}`,
    params,
    BATCH,
  )) {
    batch.push(person);
    if (batch.length < BATCH) continue;
    yield* rowsOf(batch);
    batch = [];
  }
  yield* rowsOf(batch);
}

export type EvidenceDownload = { status: 200; body: ReadableStream<Uint8Array>; fileName: string } | { status: 400; message: string };

/** `/admin/exports/evidence.csv?department=&asOf=&inactive=&bom=`: checked, audited, then streamed. */
export async function evidenceDownload(
  db: Db,
  caller: AuditCaller,
  params: URLSearchParams,
  content: { catalog: Catalog; policies: PolicyCatalog | null; timeZone: string },
): Promise<EvidenceDownload> {
  const { catalog, timeZone } = content;
  const moment = now();
  const parsed = parseEvidenceParams(params, dayKey(moment, timeZone));
  if (!parsed.ok) return { status: 400, message: parsed.message };
  const options = parsed.options;
  const departmentId = options.departmentId;
  if (departmentId !== null) {
    const known = await db.read(async (q) => first(await q.select({ id: departments.id }).from(departments).where(eq(departments.id, departmentId))));
    if (!known) return { status: 400, message: 'No department has this id.' };
  }
  const details = { bom: options.bom, asOf: options.asOf, departmentId, inactive: options.includeInactive };
  await db.write(async (tx) => await audit(tx, { actor: caller.actor, action: 'export.downloaded', target: { type: 'export', id: 'evidence' }, details, ip: caller.ip }));
  const policies = evidencePolicies(content.policies);
  const at = evidenceMoment(options.asOf, moment, timeZone);
  const body = csvStream(evidenceHeader(catalog, policies), evidenceRows(db, catalog, policies, options, at, timeZone), options.bom);
  return { status: 200, body, fileName: `manabi-evidence-${departmentId ?? 'company'}-${options.asOf}.csv` };
}
