/**
 * Transcripts: the signed-in learner's own, and any user's for admins (the route is admin-only;
 * the middleware refuses anyone else), as a page and as CSV. Every row of the person's training
 * records and policy acknowledgements, every cycle, read in five short queries.
 */
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { certificates, departments, lessonCompletions, policyAcknowledgements, quizAttempts, users } from '../../../db/schema/index.ts';
import { audit, type AuditCaller } from '../audit/audit.server.ts';
import { pick } from '../curriculum/catalog.ts';
import { getCatalog } from '../curriculum/catalog.server.ts';
import { getPolicyCatalog } from '../policies/catalog.server.ts';
import { csvStream } from '../exports/csv.server.ts';
import { now } from '../../platform/clock.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { parseId } from '../../platform/input/id.ts';
import { buildTranscript, TRANSCRIPT_CSV_HEADER, transcriptCsvRows, type TranscriptPage, type TranscriptRecords, type TranscriptSubject } from './transcript.ts';
import { first } from '../../platform/query.ts';

export type { TranscriptPage };

export interface TranscriptDownload {
  body: ReadableStream<Uint8Array>;
  fileName: string;
}

async function readSubject(q: Tx, userId: number): Promise<TranscriptSubject | null> {
  return (
    first(
      await q
        .select({ id: users.id, name: users.displayName, email: users.email, department: departments.name, role: users.role, active: users.active })
        .from(users)
        .leftJoin(departments, eq(departments.id, users.departmentId))
        .where(eq(users.id, userId)),
    ) ?? null
  );
}

async function readRecords(q: Tx, userId: number): Promise<TranscriptRecords> {
  return {
    completions: await q
      .select({
        lessonId: lessonCompletions.lessonId,
        cycle: lessonCompletions.cycle,
        contentVersion: lessonCompletions.contentVersion,
        completedAt: lessonCompletions.completedAt,
      })
      .from(lessonCompletions)
      .where(eq(lessonCompletions.userId, userId))
      .orderBy(asc(lessonCompletions.completedAt), asc(lessonCompletions.id)),
    attempts: (
      await q
        .select({
          id: quizAttempts.id,
          quizId: quizAttempts.quizId,
          cycle: quizAttempts.cycle,
          contentVersion: quizAttempts.contentVersion,
          submittedAt: quizAttempts.submittedAt,
          score: quizAttempts.score,
          maxScore: quizAttempts.maxScore,
          passed: quizAttempts.passed,
        })
        .from(quizAttempts)
        .where(and(eq(quizAttempts.userId, userId), isNotNull(quizAttempts.submittedAt)))
        .orderBy(asc(quizAttempts.submittedAt))
    )
      // Submitted attempts have all three (a check constraint): narrowed for the types.
      .map((a) => ({ ...a, submittedAt: a.submittedAt!, score: a.score!, maxScore: a.maxScore!, passed: a.passed! })),
    certificates: await q
      .select({ tierId: certificates.tierId, cycle: certificates.cycle, code: certificates.code, issuedAt: certificates.issuedAt, validUntil: certificates.validUntil })
      .from(certificates)
      .where(eq(certificates.userId, userId))
      .orderBy(asc(certificates.issuedAt)),
    acknowledgements: await q
      .select({
        policyId: policyAcknowledgements.policyId,
        version: policyAcknowledgements.version,
        locale: policyAcknowledgements.locale,
        acknowledgedAt: policyAcknowledgements.acknowledgedAt,
      })
      .from(policyAcknowledgements)
      .where(eq(policyAcknowledgements.userId, userId)),
  };
}

async function load(db: Db, userId: number, locale: Locale): Promise<TranscriptPage | null> {
  const [catalog, policies] = await Promise.all([getCatalog(), getPolicyCatalog()]);
  const read = await db.read(async (q) => {
    const subject = await readSubject(q, userId);
    return subject ? { subject, records: await readRecords(q, userId) } : null;
  });
  if (!read) return null;
  const { timeZone } = getConfig();
  const at = now();
  const first = catalog.tiers[0];
  return {
    subject: read.subject,
    transcript: buildTranscript(catalog, policies, read.records, { locale, now: at, timeZone }),
    start: first ? { tierId: first.id, title: pick(first.title, locale).value } : null,
    at,
    timeZone,
  };
}

/** The signed-in user's own transcript (always the session's user). */
export async function loadOwnTranscript(db: Db, userId: number, locale: Locale): Promise<TranscriptPage | null> {
  return load(db, userId, locale);
}

/** A user id as it appears in an address (parseId: digits, no leading zero, a 32-bit id); anything else is no user. */
export function parseUserId(param: string | undefined): number | null {
  return parseId(param);
}

/** Any user's transcript, for an admin; null: no such user (404). */
export async function loadUserTranscript(db: Db, userParam: string | undefined, locale: Locale): Promise<TranscriptPage | null> {
  const userId = parseUserId(userParam);
  return userId === null ? null : load(db, userId, locale);
}

function download(page: TranscriptPage, bom: boolean, fileName: string): TranscriptDownload {
  return { body: csvStream(TRANSCRIPT_CSV_HEADER, transcriptCsvRows(page.transcript, page.timeZone), bom), fileName };
}

const stamp = (): string => now().toISOString().slice(0, 10);

/** The signed-in user's own transcript as CSV. */
export async function ownTranscriptCsv(db: Db, userId: number, locale: Locale, bom: boolean): Promise<TranscriptDownload | null> {
  const page = await load(db, userId, locale);
  return page ? download(page, bom, `manabi-transcript-${stamp()}.csv`) : null;
}

/** A user's transcript as CSV for an admin, audited as an export before it starts; null: no such user. */
export async function userTranscriptCsv(db: Db, caller: AuditCaller, userParam: string | undefined, locale: Locale, bom: boolean): Promise<TranscriptDownload | null> {
  const page = await loadUserTranscript(db, userParam, locale);
  if (!page) return null;
  await db.write(
    async (tx) =>
      await audit(tx, { actor: caller.actor, action: 'export.downloaded', target: { type: 'export', id: 'transcript' }, details: { userId: page.subject.id, bom }, ip: caller.ip }),
  );
  return download(page, bom, `manabi-transcript-${page.subject.id}-${stamp()}.csv`);
}
