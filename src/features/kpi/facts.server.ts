/**
 * Loads the facts behind the KPIs (src/features/kpi/kpi.ts) with a handful of grouped queries — one
 * pass per table, grouped by department and month — so the dashboard stays fast at tens of
 * thousands of users. Months are calendar months in the app's time zone.
 */
import { sql } from 'drizzle-orm';
import { addMonths, monthKey, monthRange, startOfMonth } from '../../platform/dates.ts';
import { emptyFacts, type DepartmentFacts, type Month, type Period } from './kpi.ts';
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

/** Facts per department (plus one for users and inquiries without a department) over `period`. */
export async function loadFacts(db: Db, period: Period): Promise<DepartmentFacts[]> {
  return db.read((q) => factsOf(q, period));
}

function factsOf(db: Tx, period: Period): DepartmentFacts[] {
  const facts = new Map<Key, DepartmentFacts>();
  const of = (id: Key): DepartmentFacts => {
    let f = facts.get(id);
    if (!f) facts.set(id, (f = emptyFacts(id)));
    return f;
  };
  for (const row of db.all<{ id: number }>(sql`select id from departments`)) of(row.id);
  of(null);
  if (period.months.length === 0) return [...facts.values()];
  const from = period.months[0]!;
  const to = period.months.at(-1)!;
  const endMs = period.monthEnds.at(-1)!;

  for (const row of db.all<{ d: Key; n: number }>(sql`select department_id d, count(*) n from users where active = 1 group by department_id`)) {
    of(row.d).headcount = row.n;
  }

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

  // Completion: each active user assigned a tier, and when (if ever) they completed it.
  for (const row of db.all<{ d: Key; t: string; at: number | null }>(sql`
    select u.department_id d, a.tier_id t, c.issued_at at
    from (select distinct e.user_id, a.tier_id from assignment_enrolments e join assignments a on a.id = e.assignment_id) a
    join users u on u.id = a.user_id and u.active = 1
    left join certificates c on c.user_id = a.user_id and c.tier_id = a.tier_id`)) {
    const tier = (of(row.d).tiers[row.t] ??= { assigned: 0, completedAt: [] });
    tier.assigned++;
    if (row.at !== null) tier.completedAt.push(row.at);
  }

  // Learner × quiz pairs up to the end of the period: attempted, passed, first attempt passed.
  for (const row of db.all<{ d: Key; pairs: number; passed: number; first: number }>(sql`
    select u.department_id d, count(*) pairs, sum(p.passed_at is not null and p.passed_at <= ${endMs}) passed, sum(p.first_passed) first
    from quiz_pairs p join users u on u.id = p.user_id where p.first_at <= ${endMs} group by u.department_id`)) {
    const q = of(row.d).quiz;
    q.pairs = row.pairs;
    q.pairsPassed = row.passed;
    q.pairsFirstPassed = row.first;
  }

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
  return [...facts.values()];
}
