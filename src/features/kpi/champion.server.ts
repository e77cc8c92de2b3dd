/**
 * The champion's view of one department: each person's progress and certificate state per
 * tier, who is expiring or expired, who is overdue, last activity, quiz averages, the questions
 * the department gets wrong most, and the department's lesson feedback. A handful of grouped
 * queries, whatever the department's size.
 */
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { users } from '../../../db/schema/index.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import { computeProgress, type Progress } from '../progress/progress.ts';
import { classify, dueAtFor, type UserAssignment } from '../programme/assignments.server.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { type LearnerScope, type LoadedLearner, loadLearnerRecords, NO_RECORD } from '../progress/records.server.ts';
import { departmentRating, latestFeedback, type FeedbackItem } from '../feedback/feedback.server.ts';
import { mostChosenWrong } from './kpi.ts';
import { certificationStatus, rosterTierState, type CertificationStatus, type RosterTierState } from './certification.ts';
import { now as clockNow } from '../../platform/clock.ts';
import type { Role } from '../users/roles.ts';
import { ROSTER_PAGE_THRESHOLD, rosterPage, type RosterPage, type RosterQuery } from './champion-roster.ts';
import { departmentHeadcount, loadTriage, type Enrolment } from './champion-roster.server.ts';
import { jsonIds, onPostgres, rows } from '../../platform/query.ts';

/** One tier of one person: the roster's words for it, and the KPI state it counts as. */
export interface RosterTier {
  tierId: string;
  state: RosterTierState;
  status: CertificationStatus;
  /** Whether the person is assigned the tier (only then it counts, as on the dashboard). */
  assigned: boolean;
}

export interface RosterEntry {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  progress: Progress;
  lastActivityAt: Date | null;
  /** Mean of the person's best score (%) per quiz taken: the best attempt counts, as for completion. */
  quizAverage: number | null;
  attempts: number;
  assignments: UserAssignment[];
  overdue: UserAssignment[];
  /** Every tier of the catalog, in order. */
  tiers: RosterTier[];
}

/** Someone whose assigned tier is expiring within 30 days or has expired. */
export interface ExpiryItem {
  id: number;
  displayName: string;
  tier: RosterTier;
}

export interface DepartmentQuestion {
  quizId: string;
  questionId: string;
  answers: number;
  correctRate: number;
  mostChosenWrong: { optionId: string; count: number } | null;
}

export interface ChampionView {
  /** Everyone (a small department), or the page asked for (a big one: `paged`). */
  roster: RosterEntry[];
  /** A big department's page, order and counts; null when the whole roster is shown. */
  paged: RosterPage | null;
  /** Active people in the department. */
  headcount: number;
  /** Expired first (longest ago first), then expiring (soonest first); empty when paged (the roster's order lists them first). */
  expiry: ExpiryItem[];
  /** Per tier of the catalog: how many of its audience here are expiring and expired (the dashboard's counts). */
  expiryCounts: { tierId: string; expiring: number; expired: number }[];
  questions: DepartmentQuestion[];
  feedback: FeedbackItem[];
  ratingAverage: number | null;
  ratingCount: number;
}

function group<T, K>(rows: T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const list = map.get(key(row));
    if (list) list.push(row);
    else map.set(key(row), [row]);
  }
  return map;
}

/** Mean of the best score per quiz, to one decimal; null before any attempt. */
export function bestAverage(quizzes: { best: number }[]): number | null {
  if (quizzes.length === 0) return null;
  return Math.round((quizzes.reduce((s, q) => s + q.best, 0) / quizzes.length) * 10) / 10;
}

export async function championView(
  db: Db,
  catalog: Catalog,
  departmentId: number,
  timeZone: string,
  now = clockNow(),
  query: RosterQuery = { sort: 'action', dir: 'asc', page: 1 },
): Promise<ChampionView> {
  const headcount = await departmentHeadcount(db, departmentId);
  const { roster, paged, expiry, expiryCounts } =
    headcount > ROSTER_PAGE_THRESHOLD
      ? await pagedRoster(db, catalog, departmentId, query, timeZone, now)
      : { ...(await rosterView(db, catalog, { departmentId }, timeZone, now)), paged: null };
  const questions = await db.read(async (q) => await departmentQuestions(q, departmentId));
  // Named and sent without a name together (src/features/feedback/feedback.server.ts).
  const feedback = await db.read(async (q) => await latestFeedback(q, { departmentIds: [departmentId], withCommentOnly: false, limit: 20 }, timeZone));
  const rating = await db.read(async (q) => await departmentRating(q, departmentId));
  return { roster, paged, headcount, expiry, expiryCounts, questions, feedback, ratingAverage: rating.average, ratingCount: rating.count };
}

type RosterPart = Pick<ChampionView, 'roster' | 'paged' | 'expiry' | 'expiryCounts'>;

/** A roster and its expiry list: the champion's department, or a line manager's reports (src/features/team). */
export interface RosterView {
  roster: RosterEntry[];
  expiry: ExpiryItem[];
  expiryCounts: ChampionView['expiryCounts'];
}

/** The scope's active people as a condition on users.id (one bound parameter whatever their number). */
function peopleIn(q: object, scope: LearnerScope): SQL {
  return 'userIds' in scope ? sql`id in (${jsonIds(q, JSON.stringify(scope.userIds))}) and active` : sql`department_id = ${scope.departmentId} and active`;
}

/** The people of the scope (active ones only), all at once, with progress, assignments and certificate state per tier. */
export async function rosterView(db: Db, catalog: Catalog, scope: LearnerScope, timeZone: string, now = clockNow()): Promise<RosterView> {
  // The records through their prepared statements (the learner pages share them).
  const learners = await loadLearnerRecords(db, scope, { lastActivity: true });
  const roster = await db.read(async (q) => {
    const people = await rows<Person>(q, sql`select id, email, display_name "displayName", role from users where ${peopleIn(q, scope)} order by display_name, email`);
    const enrolments = group(
      await rows<Enrolment>(
        q,
        sql`
        select e.user_id "userId", a.tier_id "tierId", a.due_date "dueDate", a.due_days "dueDays", e.enrolled_at "enrolledAt"
        from assignment_enrolments e join assignments a on a.id = e.assignment_id where e.user_id in (select id from users where ${peopleIn(q, scope)})`,
      ),
      (r) => r.userId,
    );
    return loadRoster(catalog, people, enrolments, learners, timeZone, now);
  });
  const expiry = roster
    .flatMap((r) =>
      r.tiers.filter((tier) => tier.assigned && (tier.status === 'expiring' || tier.status === 'expired')).map((tier) => ({ id: r.id, displayName: r.displayName, tier })),
    )
    .sort((a, b) => Number(b.tier.status === 'expired') - Number(a.tier.status === 'expired') || a.tier.state.date!.getTime() - b.tier.state.date!.getTime());
  const expiryCounts = catalog.tiers.map((tier) => ({
    tierId: tier.id,
    expiring: expiry.filter((e) => e.tier.tierId === tier.id && e.tier.status === 'expiring').length,
    expired: expiry.filter((e) => e.tier.tierId === tier.id && e.tier.status === 'expired').length,
  }));
  return { roster, expiry, expiryCounts };
}

/** A big department: everyone triaged in a light pass, the full records of one page only. */
async function pagedRoster(db: Db, catalog: Catalog, departmentId: number, query: RosterQuery, timeZone: string, now: Date): Promise<RosterPart> {
  const triage = await loadTriage(db, departmentId, timeZone, now, { lastActivity: query.sort === 'lastActivity' });
  const paged = rosterPage(triage.rows, query);
  const ids = paged.rows.map((r) => r.id);
  const learners = await loadLearnerRecords(db, { userIds: ids }, { lastActivity: true });
  const people = await db.read(
    async (q) =>
      await q
        .select({ id: users.id, email: users.email, displayName: users.displayName, role: users.role })
        .from(users)
        .where(and(inArray(users.id, ids.length > 0 ? ids : [-1]), eq(users.departmentId, departmentId), eq(users.active, true))),
  );
  const byId = new Map(people.map((p) => [p.id, p]));
  const ordered = ids.flatMap((id) => byId.get(id) ?? []);
  const expiryCounts = catalog.tiers.map((tier) => ({ tierId: tier.id, ...(triage.expiry.get(tier.id) ?? { expiring: 0, expired: 0 }) }));
  return { roster: loadRoster(catalog, ordered, triage.enrolments, learners, timeZone, now), paged, expiry: [], expiryCounts };
}

type Person = Pick<RosterEntry, 'id' | 'email' | 'displayName' | 'role'>;

function loadRoster(
  catalog: Catalog,
  people: Person[],
  enrolments: ReadonlyMap<number, Enrolment[]>,
  learners: ReadonlyMap<number, LoadedLearner>,
  timeZone: string,
  now: Date,
): RosterEntry[] {
  return people.map((person): RosterEntry => {
    const learner = learners.get(person.id) ?? NO_RECORD;
    const progress = computeProgress(catalog, learner.record, { now, timeZone });
    const attempts = learner.record.attempts.reduce((n, q) => n + q.attempts, 0);
    // An assignment is done by the tier's first certificate (its due date was for the first cycle).
    const firstCertified = new Map<string, Date>();
    for (const c of learner.record.certificates) {
      const seen = firstCertified.get(c.tierId);
      if (!seen || c.issuedAt < seen) firstCertified.set(c.tierId, c.issuedAt);
    }
    const byTier = new Map<string, Date | null>();
    for (const e of enrolments.get(person.id) ?? []) {
      const due = dueAtFor(e, new Date(e.enrolledAt), timeZone);
      const current = byTier.get(e.tierId);
      if (!byTier.has(e.tierId) || (due && (!current || due < current))) byTier.set(e.tierId, due ?? current ?? null);
    }
    const assignments = [...byTier].map(([tierId, dueAt]) => {
      const completedAt = firstCertified.get(tierId) ?? null;
      return { tierId, dueAt, completedAt, status: classify(dueAt, completedAt, now) };
    });
    return {
      ...person,
      progress,
      lastActivityAt: learner.lastActivityAt,
      quizAverage: bestAverage([...learner.bestPercents.values()].map((best) => ({ best }))),
      attempts,
      assignments,
      overdue: assignments.filter((a) => a.status === 'overdue'),
      tiers: progress.tiers.map((tp) => ({
        tierId: tp.tier.id,
        state: rosterTierState(tp.cycle, now),
        status: certificationStatus(tp.cycle.certificate, now),
        assigned: byTier.has(tp.tier.id),
      })),
    };
  });
}

/** Per question, from the KPI roll-ups of this department (all time), worst-answered first. */
async function departmentQuestions(db: Tx, departmentId: number): Promise<DepartmentQuestion[]> {
  const wrong = new Map<string, Record<string, number>>();
  for (const row of await rows<{ quizId: string; questionId: string; optionId: string; n: number }>(
    db,
    sql`
    select quiz_id "quizId", question_id "questionId", option_id "optionId", sum(count) n
    from kpi_wrong_options where department_id = ${departmentId} group by quiz_id, question_id, option_id`,
  )) {
    const key = `${row.quizId}/${row.questionId}`;
    wrong.set(key, { ...wrong.get(key), [row.optionId]: row.n });
  }
  return (
    (
      await rows<{ quizId: string; questionId: string; answers: number; correct: number }>(
        db,
        sql`
      select quiz_id "quizId", question_id "questionId", sum(answers) answers, sum(correct) correct
      from kpi_question_months where department_id = ${departmentId} group by quiz_id, question_id
      order by ${onPostgres(db) ? sql`quiz_id collate "C", question_id collate "C"` : sql`quiz_id, question_id`}`,
      )
    )
      .filter((q) => q.answers > 0)
      .map((q) => ({
        quizId: q.quizId,
        questionId: q.questionId,
        answers: q.answers,
        correctRate: q.correct / q.answers,
        mostChosenWrong: mostChosenWrong(wrong.get(`${q.quizId}/${q.questionId}`) ?? {}),
      }))
      // Stable: ties keep the ids' order (the same on both databases; PostgreSQL's group by has none).
      .sort((a, b) => a.correctRate - b.correctRate || b.answers - a.answers)
  );
}
