/**
 * Loads the facts behind the KPIs (src/features/kpi/kpi.ts) with a handful of grouped queries — one
 * pass per table, grouped by department and month — so the dashboard stays fast at tens of
 * thousands of users. Months are calendar months in the app's time zone.
 */
import { sql } from 'drizzle-orm';
import { addMonths, monthKey, monthRange, startOfMonth } from '../../platform/dates.ts';
import { nowMs } from '../../platform/clock.ts';
import { emptyFacts, type DepartmentFacts, type Month, type Period } from './kpi.ts';
import { EXPIRING_WITHIN_MS, emptyTierFacts } from './certification.ts';
import type { Db, Tx } from '../../platform/db.server.ts';

export function periodOf(from: string, to: string, timeZone: string): Period {
  const months = monthRange(from, to);
  return { months, monthEnds: months.map((m) => startOfMonth(addMonths(m, 1), timeZone).getTime() - 1) };
}

type Key = number | null;

/**
 * The first month the programme existed for the KPIs: the earlier of the first user's creation
 * and the first recorded activity, in the app's time zone; null when there is neither.
 */
export async function dataStartMonth(db: Db, timeZone: string): Promise<Month | null> {
  const row = await db.read((q) =>
    q.get<{ created: number | null; active: string | null }>(sql`select (select min(created_at) from users) created, (select min(month) from activity_months) active`),
  );
  const months = [row?.created != null ? monthKey(new Date(row.created), timeZone) : null, row?.active ?? null].filter((m): m is string => m !== null);
  return months.length === 0 ? null : months.sort()[0]!;
}

/**
 * Facts per department (plus one for users and inquiries without a department) over `period`;
 * certificates stand as at `at` (ms, by default now), or at the period's end if that is earlier.
 */
export async function loadFacts(db: Db, period: Period, at: number = nowMs()): Promise<DepartmentFacts[]> {
  return (await loadFactsOfPeriods(db, [period], at))[0]!;
}

/**
 * The facts of several periods (the dashboard's range and its baseline) in one read: what does
 * not depend on the period (departments, headcount) is queried once, and the learner × quiz pairs
 * of every period come from one pass over the table. Same figures as `loadFacts` per period, except
 * that with `questionsOfFirstOnly` the later periods carry no per-question facts (a baseline's KPIs
 * never use them, and they are the dearest queries).
 */
export async function loadFactsOfPeriods(db: Db, periods: Period[], at: number = nowMs(), options: { questionsOfFirstOnly?: boolean } = {}): Promise<DepartmentFacts[][]> {
  return db.read((q) => {
    const ids = q.all<{ id: number }>(sql`select id from departments`).map((r) => r.id);
    const headcount = q.all<{ d: Key; n: number }>(sql`select department_id d, count(*) n from users where active = 1 group by department_id`);
    const all = periods.map((period, i) => factsOf(q, period, at, ids, headcount, i === 0 || !options.questionsOfFirstOnly));
    pairsOf(q, periods, all);
    return all.map((facts) => [...facts.values()]);
  });
}

type FactsMap = Map<Key, DepartmentFacts>;

const factsIn = (facts: FactsMap, id: Key): DepartmentFacts => {
  let f = facts.get(id);
  if (!f) facts.set(id, (f = emptyFacts(id)));
  return f;
};

// Learner × quiz pairs up to the end of each period: attempted, passed, first attempt passed.
function pairsOf(db: Tx, periods: Period[], all: FactsMap[]): void {
  const ends = periods.map((p) => (p.months.length === 0 ? null : p.monthEnds.at(-1)!));
  const live = ends.flatMap((end, i) => (end === null ? [] : [{ end, i }]));
  if (live.length === 0) return;
  const columns = live.map(
    ({ end, i }) => sql`sum(p.first_at <= ${end}) ${sql.raw(`pairs${i}`)},
      sum(p.first_at <= ${end} and p.passed_at is not null and p.passed_at <= ${end}) ${sql.raw(`passed${i}`)},
      sum(case when p.first_at <= ${end} then p.first_passed else 0 end) ${sql.raw(`first${i}`)}`,
  );
  const maxEnd = Math.max(...live.map((l) => l.end));
  const rows = db.all<Record<string, number | null>>(sql`
    select u.department_id d, ${sql.join(columns, sql`, `)}
    from quiz_pairs p join users u on u.id = p.user_id where p.first_at <= ${maxEnd} group by u.department_id`);
  for (const row of rows) {
    for (const { i } of live) {
      const pairs = row[`pairs${i}`] ?? 0;
      if (pairs === 0) continue; // no pair by this period's end: the department had no row before
      const q = factsIn(all[i]!, row.d as Key).quiz;
      q.pairs = pairs;
      q.pairsPassed = row[`passed${i}`] ?? 0;
      q.pairsFirstPassed = row[`first${i}`] ?? 0;
    }
  }
}

/** The moment the facts of `period` count certificates at: `at`, or the period's end if earlier. */
export function certificationMoment(period: Period, at: number = nowMs()): Date {
  return new Date(Math.min(at, period.monthEnds.at(-1) ?? at));
}

function factsOf(db: Tx, period: Period, at: number, departmentIds: number[], headcount: { d: Key; n: number }[], withQuestions: boolean): FactsMap {
  const facts: FactsMap = new Map();
  const of = (id: Key): DepartmentFacts => factsIn(facts, id);
  for (const id of departmentIds) of(id);
  of(null);
  if (period.months.length === 0) return facts;
  const from = period.months[0]!;
  const to = period.months.at(-1)!;
  const endMs = period.monthEnds.at(-1)!;

  for (const row of headcount) of(row.d).headcount = row.n;

  // Monthly measures from the roll-up kept current by every write (see rollups.ts).
  for (const row of db.all<{ d: number; m: string; active: number; hs: number; hn: number; at: number; ap: number; ss: number; rs: number; rc: number }>(sql`
    select department_id d, month m, active_users active, hours_sum hs, hours_respondents hn, attempts at, attempts_passed ap,
      score_sum ss, rating_sum rs, rating_count rc
    from kpi_department_months where month between ${from} and ${to}`)) {
    const f = of(row.d === 0 ? null : row.d);
    if (row.active) f.activeByMonth[row.m] = (f.activeByMonth[row.m] ?? 0) + row.active;
    if (row.hn) f.hoursByMonth[row.m] = { sum: row.hs, respondents: row.hn };
    if (row.at) {
      f.quiz.byMonth[row.m] = { attempts: row.at, passed: row.ap, scoreSum: row.ss };
      f.quiz.attempts += row.at;
      f.quiz.scoreSum += row.ss;
    }
    if (row.rc) {
      f.ratings.byMonth[row.m] = { sum: row.rs, count: row.rc };
      f.ratings.sum += row.rs;
      f.ratings.count += row.rc;
    }
  }

  for (const row of db.all<{ d: Key; m: string; n: number }>(sql`
    select department_id d, month m, sum(count) n from helpdesk_inquiries
    where month between ${from} and ${to} group by department_id, month`)) {
    of(row.d).inquiriesByMonth[row.m] = row.n;
  }

  // Per tier, each active user assigned it, in one grouped pass (a few index look-ups per person):
  // where their newest certificate stands at the moment (now, or the period's end if earlier),
  // and when they first completed the tier (their first cycle's certificate, if issued by the
  // period's end; later cycles are issued later), for the trend. Several cycles never count a
  // person twice.
  const asOf = Math.min(at, endMs);
  for (const row of db.all<{ d: Key; t: string; firsts: string | null; n: number; ever: number; certified: number; expiring: number; expired: number }>(sql`
    select u.department_id d, p.tier_id t, group_concat(f.issued_at) firsts, count(*) n, count(c.id) ever,
      coalesce(sum(c.id is not null and (c.valid_until is null or c.valid_until > ${asOf})), 0) certified,
      coalesce(sum(c.valid_until > ${asOf} and c.valid_until <= ${asOf + EXPIRING_WITHIN_MS}), 0) expiring,
      coalesce(sum(c.valid_until <= ${asOf}), 0) expired
    from (select distinct e.user_id, a.tier_id from assignment_enrolments e join assignments a on a.id = e.assignment_id) p
    join users u on u.id = p.user_id and u.active = 1
    left join certificates f on f.user_id = p.user_id and f.tier_id = p.tier_id and f.issued_at <= ${endMs}
      and f.cycle = (select min(m.cycle) from certificates m where m.user_id = p.user_id and m.tier_id = p.tier_id)
    left join certificates c on c.user_id = p.user_id and c.tier_id = p.tier_id
      and c.cycle = (select max(m.cycle) from certificates m where m.user_id = p.user_id and m.tier_id = p.tier_id and m.issued_at <= ${asOf})
    group by u.department_id, p.tier_id`)) {
    const tier = (of(row.d).tiers[row.t] ??= emptyTierFacts());
    tier.assigned += row.n;
    if (row.firsts !== null) for (const first of row.firsts.split(',')) tier.completedAt.push(Number(first));
    tier.ever += row.ever;
    tier.certified += row.certified;
    tier.expiring += row.expiring;
    tier.expired += row.expired;
  }

  if (!withQuestions) return facts;
  // Per question, from the roll-ups: answers, correct ones, and the options wrong answers chose.
  for (const row of db.all<{ d: number; quiz: string; question: string; answers: number; correct: number }>(sql`
    select department_id d, quiz_id quiz, question_id question, sum(answers) answers, sum(correct) correct
    from kpi_question_months where month between ${from} and ${to} group by department_id, quiz_id, question_id`)) {
    of(row.d === 0 ? null : row.d).questions[`${row.quiz}/${row.question}`] = { answers: row.answers, correct: row.correct, wrongOptions: {} };
  }
  for (const row of db.all<{ d: number; quiz: string; question: string; option: string; n: number }>(sql`
    select department_id d, quiz_id quiz, question_id question, option_id option, sum(count) n
    from kpi_wrong_options where month between ${from} and ${to} group by department_id, quiz_id, question_id, option_id`)) {
    const stat = of(row.d === 0 ? null : row.d).questions[`${row.quiz}/${row.question}`];
    if (stat) stat.wrongOptions[row.option] = row.n;
  }
  return facts;
}
