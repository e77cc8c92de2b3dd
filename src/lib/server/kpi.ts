/**
 * Loads the facts behind the KPIs (src/lib/kpi.ts) with a handful of grouped queries — one
 * pass per table, grouped by department and month — so the dashboard stays fast at tens of
 * thousands of users. Months are calendar months in the app's time zone.
 */
import { sql } from 'drizzle-orm';
import type { Catalog } from '../content/catalog.ts';
import { addMonths, monthRange, startOfMonth } from '../dates.ts';
import type { DepartmentFacts, Period } from '../kpi.ts';
import type { DbExecutor } from './db.ts';

export function periodOf(from: string, to: string, timeZone: string): Period {
  const months = monthRange(from, to);
  return { months, monthEnds: months.map((m) => startOfMonth(addMonths(m, 1), timeZone).getTime() - 1) };
}

type Key = number | null;

function emptyFacts(departmentId: Key): DepartmentFacts {
  return {
    departmentId,
    headcount: 0,
    activeByMonth: {},
    hoursByMonth: {},
    inquiriesByMonth: {},
    tiers: {},
    quiz: { pairs: 0, pairsPassed: 0, pairsFirstPassed: 0, attempts: 0, scoreSum: 0, byMonth: {} },
    ratings: { sum: 0, count: 0, byMonth: {} },
    questions: {},
  };
}

/** Facts per department (plus one for users and inquiries without a department) over `period`. */
export function loadFacts(db: DbExecutor, catalog: Catalog, period: Period, timeZone: string): DepartmentFacts[] {
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
  const startMs = startOfMonth(from, timeZone).getTime();
  const endMs = period.monthEnds.at(-1)!;

  for (const row of db.all<{ d: Key; n: number }>(sql`select department_id d, count(*) n from users where active = 1 group by department_id`)) {
    of(row.d).headcount = row.n;
  }

  for (const row of db.all<{ d: Key; m: string; n: number }>(sql`
    select u.department_id d, a.month m, count(*) n from activity_months a join users u on u.id = a.user_id
    where a.month between ${from} and ${to} group by u.department_id, a.month`)) {
    of(row.d).activeByMonth[row.m] = row.n;
  }

  for (const row of db.all<{ d: Key; m: string; s: number; n: number }>(sql`
    select u.department_id d, c.month m, sum(c.hours_saved) s, count(c.hours_saved) n from checkins c join users u on u.id = c.user_id
    where c.month between ${from} and ${to} and c.hours_saved is not null group by u.department_id, c.month`)) {
    of(row.d).hoursByMonth[row.m] = { sum: row.s, respondents: row.n };
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

  // Quiz pairs (learner × quiz) up to the end of the period: attempted, passed, first attempt passed.
  for (const row of db.all<{ d: Key; pairs: number; passed: number; first: number }>(sql`
    with ranked as (
      select q.user_id, q.quiz_id, q.passed,
        row_number() over (partition by q.user_id, q.quiz_id order by q.submitted_at, q.id) rn
      from quiz_attempts q where q.submitted_at is not null and q.submitted_at <= ${endMs}
    ),
    pairs as (
      select user_id, quiz_id, max(passed) passed, max(case when rn = 1 then passed end) first from ranked group by user_id, quiz_id
    )
    select u.department_id d, count(*) pairs, sum(p.passed) passed, sum(p.first) first
    from pairs p join users u on u.id = p.user_id group by u.department_id`)) {
    const q = of(row.d).quiz;
    q.pairs = row.pairs;
    q.pairsPassed = row.passed;
    q.pairsFirstPassed = row.first;
  }

  // Timestamps to local months inside SQL, exactly at the zone's month boundaries.
  const monthOf = (column: ReturnType<typeof sql.raw>) =>
    sql.join([sql`case`, ...period.months.map((m, i) => sql`when ${column} <= ${period.monthEnds[i]!} then ${m}`), sql`end`], sql` `);

  // Attempts within the period, per month: the pass-rate and score trend, and the mean score.
  for (const row of db.all<{ d: Key; month: string; n: number; passed: number; score: number }>(sql`
    select u.department_id d, ${monthOf(sql.raw('q.submitted_at'))} month, count(*) n, sum(q.passed) passed, sum(q.score * 100.0 / q.max_score) score
    from quiz_attempts q join users u on u.id = q.user_id
    where q.submitted_at between ${startMs} and ${endMs} group by u.department_id, month`)) {
    const month = row.month;
    const q = of(row.d).quiz;
    const m = (q.byMonth[month] ??= { attempts: 0, passed: 0, scoreSum: 0 });
    m.attempts += row.n;
    m.passed += row.passed;
    m.scoreSum += row.score;
    q.attempts += row.n;
    q.scoreSum += row.score;
  }

  for (const row of db.all<{ d: Key; month: string; s: number; n: number }>(sql`
    select u.department_id d, ${monthOf(sql.raw('f.updated_at'))} month, sum(f.rating) s, count(*) n
    from lesson_feedback f join users u on u.id = f.user_id
    where f.updated_at between ${startMs} and ${endMs} group by u.department_id, month`)) {
    const month = row.month;
    const r = of(row.d).ratings;
    const m = (r.byMonth[month] ??= { sum: 0, count: 0 });
    m.sum += row.s;
    m.count += row.n;
    r.sum += row.s;
    r.count += row.n;
  }

  // Per question: answers grouped by the exact choice, then folded into option counts.
  const correctOf = new Map<string, Set<string>>();
  for (const tier of catalog.tiers) {
    for (const course of tier.courses) {
      for (const quiz of course.quizzes) for (const q of quiz.questions) correctOf.set(`${quiz.id}/${q.id}`, new Set(q.correctOptionIds));
    }
  }
  for (const row of db.all<{ d: Key; quiz: string; question: string; correct: number; chosen: string; n: number }>(sql`
    select u.department_id d, q.quiz_id quiz, a.question_id question, a.correct correct, a.chosen_option_ids chosen, count(*) n
    from attempt_answers a join quiz_attempts q on q.id = a.attempt_id join users u on u.id = q.user_id
    where q.submitted_at between ${startMs} and ${endMs}
    group by u.department_id, q.quiz_id, a.question_id, a.correct, a.chosen_option_ids`)) {
    const key = `${row.quiz}/${row.question}`;
    const stat = (of(row.d).questions[key] ??= { answers: 0, correct: 0, wrongOptions: {} });
    stat.answers += row.n;
    if (row.correct) {
      stat.correct += row.n;
      continue;
    }
    const correct = correctOf.get(key) ?? new Set<string>();
    for (const option of JSON.parse(row.chosen) as string[]) {
      if (!correct.has(option)) stat.wrongOptions[option] = (stat.wrongOptions[option] ?? 0) + row.n;
    }
  }
  return [...facts.values()];
}

/** Correct options per `quiz/question` key, for the per-question analysis. */
export function correctOptionsOf(catalog: Catalog): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const tier of catalog.tiers) {
    for (const course of tier.courses) for (const quiz of course.quizzes) for (const q of quiz.questions) out[`${quiz.id}/${q.id}`] = q.correctOptionIds;
  }
  return out;
}
