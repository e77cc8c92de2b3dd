/**
 * Loads the facts behind the KPIs (src/features/kpi/kpi.ts) with a handful of grouped queries — one
 * pass per table, grouped by department and month — so the dashboard stays fast at tens of
 * thousands of users. Months are calendar months in the app's time zone.
 */
import { sql } from 'drizzle-orm';
import { addMonths, monthKey, monthRange, startOfMonth } from '../../platform/dates.ts';
import { nowMs } from '../../platform/clock.ts';
import { emptyFacts, type DepartmentFacts, type Month, type Period } from './kpi.ts';
import { emptyTierFacts } from './certification.ts';
import { certificateStanding } from './certificate-rollups.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { departmentPairsUpTo, departmentPeople, HEADCOUNT } from './dept-rollups.server.ts';
import { first, rows } from '../../platform/query.ts';

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
  const row = await db.read(async (q) =>
    first(
      await rows<{ created: number | null; active: string | null }>(q, sql`select (select min(created_at) from users) created, (select min(month) from activity_months) active`),
    ),
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
export async function loadFactsOfPeriods(
  db: Db,
  periods: Period[],
  at: number = nowMs(),
  options: { questionsOfFirstOnly?: boolean; noQuestions?: boolean; timeZone?: string } = {},
): Promise<DepartmentFacts[][]> {
  const timeZone = options.timeZone ?? getConfig().timeZone;
  return db.read(async (q) => {
    const ids = (await rows<{ id: number }>(q, sql`select id from departments`)).map((r) => r.id);
    // Headcount and people assigned each tier, per department, from their roll-up (dept-rollups.server.ts).
    const people = (await departmentPeople(q)).map((r) => ({ d: r.d === 0 ? null : r.d, tier: r.tier, n: r.n }));
    const all: FactsMap[] = [];
    for (const [i, period] of periods.entries()) all.push(await factsOf(q, period, at, ids, people, !options.noQuestions && (i === 0 || !options.questionsOfFirstOnly), timeZone));
    await pairsOf(q, periods, all);
    return all.map((facts) => [...facts.values()]);
  });
}

type FactsMap = Map<Key, DepartmentFacts>;

const factsIn = (facts: FactsMap, id: Key): DepartmentFacts => {
  let f = facts.get(id);
  if (!f) facts.set(id, (f = emptyFacts(id)));
  return f;
};

// Learner × quiz pairs up to the end of each period (its last month), from their roll-up: attempted, passed, first attempt passed.
async function pairsOf(db: Tx, periods: Period[], all: FactsMap[]): Promise<void> {
  for (const row of await departmentPairsUpTo(
    db,
    periods.map((p) => p.months.at(-1) ?? null),
  )) {
    row.counts.forEach((counts, i) => {
      if (!counts || counts.pairs === 0) return; // no pair by this period's end: the department had no row before
      const q = factsIn(all[i]!, row.d === 0 ? null : row.d).quiz;
      q.pairs = counts.pairs;
      q.pairsPassed = counts.passed;
      q.pairsFirstPassed = counts.firstPassed;
    });
  }
}

/** The moment the facts of `period` count certificates at: `at`, or the period's end if earlier. */
export function certificationMoment(period: Period, at: number = nowMs()): Date {
  return new Date(Math.min(at, period.monthEnds.at(-1) ?? at));
}

async function factsOf(
  db: Tx,
  period: Period,
  at: number,
  departmentIds: number[],
  people: { d: Key; tier: string; n: number }[],
  withQuestions: boolean,
  timeZone: string,
): Promise<FactsMap> {
  const facts: FactsMap = new Map();
  const of = (id: Key): DepartmentFacts => factsIn(facts, id);
  for (const id of departmentIds) of(id);
  of(null);
  if (period.months.length === 0) return facts;
  const from = period.months[0]!;
  const to = period.months.at(-1)!;
  const endMs = period.monthEnds.at(-1)!;

  for (const row of people) {
    if (row.tier === HEADCOUNT) of(row.d).headcount = row.n;
    else (of(row.d).tiers[row.tier] ??= emptyTierFacts()).assigned += row.n;
  }

  // Monthly measures from the roll-up kept current by every write (see rollups.ts).
  for (const row of await rows<{ d: number; m: string; active: number; hs: number; hn: number; at: number; ap: number; ss: number; rs: number; rc: number }>(
    db,
    sql`
    select department_id d, month m, active_users active, hours_sum hs, hours_respondents hn, attempts at, attempts_passed ap,
      score_sum ss, rating_sum rs, rating_count rc
    from kpi_department_months where month between ${from} and ${to}`,
  )) {
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

  for (const row of await rows<{ d: Key; m: string; n: number }>(
    db,
    sql`
    select department_id d, month m, sum(count) n from helpdesk_inquiries
    where month between ${from} and ${to} group by department_id, month`,
  )) {
    of(row.d).inquiriesByMonth[row.m] = row.n;
  }

  // Per tier, each active user assigned it who holds a certificate (the assigned ones are counted
  // above): where their newest certificate stands at the moment (now, or the period's end if
  // earlier), and when they first completed the tier, by month, for the trend. From the roll-ups
  // of certificate-rollups.server.ts: their size does not grow with the number of certificates.
  for (const row of await certificateStanding(db, to, Math.min(at, endMs), timeZone)) {
    const tier = (of(row.d === 0 ? null : row.d).tiers[row.tierId] ??= emptyTierFacts());
    for (const [month, n] of Object.entries(row.completedByMonth)) tier.completedByMonth[month] = (tier.completedByMonth[month] ?? 0) + n;
    tier.ever += row.ever;
    tier.certified += row.certified;
    tier.expiring += row.expiring;
    tier.expired += row.expired;
  }

  if (!withQuestions) return facts;
  // Per question, from the roll-ups: answers, correct ones, and the options wrong answers chose.
  for (const row of await rows<{ d: number; quiz: string; question: string; answers: number; correct: number }>(
    db,
    sql`
    select department_id d, quiz_id quiz, question_id question, sum(answers) answers, sum(correct) correct
    from kpi_question_months where month between ${from} and ${to} group by department_id, quiz_id, question_id`,
  )) {
    of(row.d === 0 ? null : row.d).questions[`${row.quiz}/${row.question}`] = { answers: row.answers, correct: row.correct, wrongOptions: {} };
  }
  for (const row of await rows<{ d: number; quiz: string; question: string; option: string; n: number }>(
    db,
    sql`
    select department_id d, quiz_id quiz, question_id question, option_id option, sum(count) n
    from kpi_wrong_options where month between ${from} and ${to} group by department_id, quiz_id, question_id, option_id`,
  )) {
    const stat = of(row.d === 0 ? null : row.d).questions[`${row.quiz}/${row.question}`];
    if (stat) stat.wrongOptions[row.option] = row.n;
  }
  return facts;
}
