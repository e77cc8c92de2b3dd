/**
 * CSV exports streamed with csv-stringify (correct quoting; optional UTF-8 BOM for Excel):
 * users with progress, completions, attempts with per-question answers, a department roster,
 * KPIs, policy acknowledgements. `csvStream` is the one CSV writer of the app: every CSV goes through it.
 */
import { stringify } from 'csv-stringify/sync';
import type { Catalog } from '../curriculum/catalog.ts';
import { computeProgress } from '../progress/progress.ts';
import { certificationStatus } from '../kpi/certification.ts';
import { now as clockNow } from '../../platform/clock.ts';
import { getConfig } from '../../platform/config.server.ts';
import { readPages, type Db } from '../../platform/db.server.ts';
import { kpiExportHeader, kpiExportRows } from '../kpi/kpi-export.server.ts';
import { loadLearnerRecords, NO_RECORD } from '../progress/records.server.ts';
import type { PolicyCatalog } from '../policies/policies.ts';
import { POLICY_EXPORT_HEADER, policyAcknowledgementCsvRows } from '../policies/export.server.ts';

export type ExportName = 'users' | 'completions' | 'attempts' | 'kpis' | 'policies';
export const EXPORT_NAMES: readonly ExportName[] = ['users', 'completions', 'attempts', 'kpis', 'policies'];

export interface ExportOptions {
  bom: boolean;
  /** Months of the KPI export (`YYYY-MM`) and the time zone they are counted in. */
  kpis: { from: string; to: string; timeZone: string };
  /** The policies, for the policy export's titles and current versions; null names them by id. */
  policies?: PolicyCatalog | null;
}

const iso = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '' : new Date(ms).toISOString());

/**
 * A streaming CSV response body from rows produced lazily, a chunk per pull. An error while
 * producing rows ends this one response (the download is cut off), never the server.
 * Formulas are defused: a text cell starting with = + - @ (or their full-width forms), a tab
 * or a carriage return gets a leading ' (csv-stringify's `escape_formulas`), so a name such
 * as `=HYPERLINK(…)` opens as text. Numbers are written as numbers, a minus sign included:
 * a JavaScript number prints as digits only (`-5`, `0.25`), which a spreadsheet reads as a
 * number and never as a formula, and no user text is ever passed as a number.
 */
export function csvStream(header: string[], rows: Iterable<unknown[]> | AsyncIterable<unknown[]>, bom: boolean): ReadableStream<Uint8Array> {
  const iterator = Symbol.asyncIterator in rows ? rows[Symbol.asyncIterator]() : rows[Symbol.iterator]();
  const encoder = new TextEncoder();
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk: unknown[][] = [];
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          chunk.push(next.value);
          if (chunk.length >= 500) break;
        }
        if (chunk.length === 0 && !first) {
          controller.close();
          return;
        }
        const text = stringify(chunk, { header: first, columns: header, bom: first && bom, record_delimiter: 'windows', escape_formulas: true });
        first = false;
        controller.enqueue(encoder.encode(text));
        if (chunk.length < 500) controller.close();
      } catch (error) {
        controller.error(error);
      }
    },
  });
}

interface UserRecordRow {
  rid: number;
  id: number;
  email: string;
  name: string;
  department: string | null;
  role: string;
  active: number;
  created: number;
}

/**
 * Users with their progress per tier, optionally one department only. Per tier: lessons, quizzes
 * passed and when the newest certificate was issued (`completed_at`); then, added at the end so
 * older consumers keep their columns, each tier's certified now (yes/no), valid until (empty:
 * never expires or none), status (certified / expiring / expired / never) and ever completed.
 */
export async function* userProgressRows(db: Db, catalog: Catalog, departmentId: number | null = null): AsyncGenerator<unknown[]> {
  const tiers = catalog.tiers;
  const where = departmentId === null ? 'true' : 't.department_id = ?';
  // The learner records are loaded for a batch of users at a time (src/features/progress/records.server.ts).
  async function* rowsOf(batch: UserRecordRow[]): AsyncGenerator<unknown[]> {
    if (batch.length === 0) return;
    const ids = batch.map((u) => u.id);
    const learners = await loadLearnerRecords(db, { userIds: ids }, { lastActivity: true });
    const now = clockNow();
    for (const user of batch) {
      const learner = learners.get(user.id) ?? NO_RECORD;
      const progress = computeProgress(catalog, learner.record, { now, timeZone: getConfig().timeZone });
      // The newest certificate of each tier decides (an earlier cycle's never counts twice).
      const newest = new Map(tiers.map((tier) => [tier.id as string, progress.tier(tier.id)!.cycle.certificate]));
      yield [
        user.email,
        user.name,
        user.department ?? '',
        user.role,
        user.active ? 'yes' : 'no',
        iso(user.created),
        iso(learner.lastActivityAt?.getTime()),
        ...tiers.flatMap((tier) => {
          const tp = progress.tier(tier.id)!;
          return [`${tp.lessonsDone}/${tp.lessonsTotal}`, `${tp.quizzesPassed}/${tp.quizzesTotal}`, iso(newest.get(tier.id)?.issuedAt.getTime())];
        }),
        ...tiers.flatMap((tier) => {
          const certificate = newest.get(tier.id) ?? null;
          const status = certificationStatus(certificate, now);
          return [status === 'certified' || status === 'expiring' ? 'yes' : 'no', iso(certificate?.validUntil?.getTime()), status, certificate ? 'yes' : 'no'];
        }),
      ];
    }
  }
  let batch: UserRecordRow[] = [];
  for await (const user of readPages<UserRecordRow>(
    db,
    `select t.rowid rid, t.id, t.email, t.display_name name, d.name department, t.role, t.active, t.created_at created
     from users t left join departments d on d.id = t.department_id where ${where}`,
    departmentId === null ? [] : [departmentId],
  )) {
    batch.push(user);
    if (batch.length < 500) continue;
    yield* rowsOf(batch);
    batch = [];
  }
  yield* rowsOf(batch);
}

export function userProgressHeader(catalog: Catalog): string[] {
  return [
    'email',
    'name',
    'department',
    'role',
    'active',
    'created_at',
    'last_activity_at',
    ...catalog.tiers.flatMap((t) => [`${t.id}_lessons`, `${t.id}_quizzes_passed`, `${t.id}_completed_at`]),
    ...catalog.tiers.flatMap((t) => [`${t.id}_certified_now`, `${t.id}_valid_until`, `${t.id}_status`, `${t.id}_ever_completed`]),
  ];
}

export async function exportCsv(db: Db, catalog: Catalog, name: ExportName, { bom, kpis, policies = null }: ExportOptions): Promise<ReadableStream<Uint8Array>> {
  if (name === 'policies') return csvStream(POLICY_EXPORT_HEADER, policyAcknowledgementCsvRows(db, policies), bom);
  if (name === 'kpis') return csvStream(kpiExportHeader(), await kpiExportRows(db, catalog, kpis, kpis.timeZone), bom);
  if (name === 'users') return csvStream(userProgressHeader(catalog), userProgressRows(db, catalog), bom);
  if (name === 'completions') {
    const rows = (async function* () {
      for await (const row of readPages<{ email: string; lesson: string; at: number; cycle: number; version: string }>(
        db,
        'select t.rowid rid, u.email email, t.lesson_id lesson, t.completed_at at, t.cycle cycle, t.content_version version from lesson_completions t join users u on u.id = t.user_id where true',
      )) {
        const lesson = catalog.lesson(row.lesson);
        const course = lesson ? catalog.course(lesson.courseId) : null;
        yield [row.email, row.lesson, course?.id ?? '', course?.tierId ?? '', iso(row.at), row.cycle, row.version];
      }
    })();
    // cycle and content_version are appended, so readers of the older columns are unaffected.
    return csvStream(['email', 'lesson_id', 'course_id', 'tier_id', 'completed_at', 'cycle', 'content_version'], rows, bom);
  }
  const rows = (async function* () {
    for await (const row of readPages<{
      attempt: string;
      email: string;
      quiz: string;
      started: number;
      submitted: number;
      score: number;
      max: number;
      passed: number;
      question: string;
      chosen: string;
      correct: number;
      cycle: number;
      version: string;
      questionVersion: string;
    }>(
      db,
      `select t.rowid rid, t.attempt_id attempt, u.email email, q.quiz_id quiz, q.started_at started, q.submitted_at submitted,
        q.score score, q.max_score max, q.passed passed, t.question_id question, t.chosen_option_ids chosen, t.correct correct,
        q.cycle cycle, q.content_version version, t.question_version "questionVersion"
       from attempt_answers t join quiz_attempts q on q.id = t.attempt_id join users u on u.id = q.user_id where true`,
    )) {
      yield [
        row.attempt,
        row.email,
        row.quiz,
        iso(row.started),
        iso(row.submitted),
        row.score,
        row.max,
        row.passed ? 'yes' : 'no',
        row.question,
        (JSON.parse(row.chosen) as string[]).join(' '),
        row.correct ? 'yes' : 'no',
        row.cycle,
        row.version,
        row.questionVersion,
      ];
    }
  })();
  return csvStream(
    [
      'attempt_id',
      'email',
      'quiz_id',
      'started_at',
      'submitted_at',
      'score',
      'max_score',
      'passed',
      'question_id',
      'chosen_options',
      'correct',
      'cycle',
      'quiz_version',
      'question_version',
    ],
    rows,
    bom,
  );
}
