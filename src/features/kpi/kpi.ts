/**
 * The programme's KPIs, computed from per-department facts (loaded by src/features/kpi/facts.server.ts)
 * for any scope: the company, a rollout wave (its departments) or one department.
 * Definitions (../shared/BRIEF.md):
 * - usage rate = monthly active users ÷ target users (the scope's headcount of active accounts);
 * - completion rate per tier = users who completed the tier ÷ users assigned it;
 * - quiz pass rate = learner–quiz pairs passed ÷ pairs attempted; first-attempt pass rate =
 *   pairs whose first attempt passed ÷ pairs attempted; mean score over all submitted attempts;
 * - satisfaction = mean lesson rating (1–5);
 * - hours saved = Σ self-reported hours per month; per person = that ÷ headcount;
 * - help-desk inquiries per month;
 * - certified now per tier = users assigned the tier whose newest certificate is valid ÷ users
 *   assigned it, with expiring within 30 days, expired and ever completed (certification.ts).
 * Each KPI has its value, its baseline (over the baseline months), the change, and a monthly trend.
 */

import { addTierFacts, certificationCounts, completedBy, emptyTierFacts, type CertificationCounts, type TierFacts } from './certification.ts';

export type { TierFacts };
export type Month = string;

/** The KPIs a rollout wave can set a target for (db/schema/programme.ts stores them; metadata in targets.ts). */
export const TARGET_KPIS = [
  'usage_rate',
  'basic_completion',
  'applied_completion',
  'specialist_completion',
  'basic_certified',
  'applied_certified',
  'specialist_certified',
  'quiz_pass_rate',
  'hours_per_person',
  'satisfaction',
  'helpdesk_inquiries',
] as const;
export type TargetKpi = (typeof TARGET_KPIS)[number];
export const COMPARATORS = ['gte', 'lte'] as const;
export type Comparator = (typeof COMPARATORS)[number];

export interface QuestionFacts {
  answers: number;
  correct: number;
  /** Wrong answers per chosen option id (the correct options of the question are excluded). */
  wrongOptions: Record<string, number>;
}

export interface DepartmentFacts {
  /** null for users without a department (and inquiries not attributed to one). */
  departmentId: number | null;
  headcount: number;
  activeByMonth: Record<Month, number>;
  hoursByMonth: Record<Month, { sum: number; respondents: number }>;
  inquiriesByMonth: Record<Month, number>;
  tiers: Record<string, TierFacts>;
  quiz: {
    /** Learner–quiz pairs with at least one submitted attempt (up to the range end). */
    pairs: number;
    pairsPassed: number;
    pairsFirstPassed: number;
    attempts: number;
    /** Sum of attempt scores in percent. */
    scoreSum: number;
    byMonth: Record<Month, { attempts: number; passed: number; scoreSum: number }>;
  };
  ratings: { sum: number; count: number; byMonth: Record<Month, { sum: number; count: number }> };
  questions: Record<string, QuestionFacts>;
}

export interface Period {
  months: Month[];
  /** End of each month (ms), same order as `months`, for cumulative values. */
  monthEnds: number[];
}

export interface KpiValue {
  value: number | null;
  baseline: number | null;
  /** value − baseline, when both exist. */
  change: number | null;
  trend: { month: Month; value: number | null }[];
  /** A baseline period is set but holds no data for this KPI: shown as "no data", never as 0. */
  baselineEmpty: boolean;
}

export interface QuestionStat {
  questionId: string;
  answers: number;
  /** Share answered correctly, 0–1. */
  correctRate: number | null;
  mostChosenWrong: { optionId: string; count: number } | null;
}

export interface KpiSet {
  headcount: number;
  usageRate: KpiValue;
  activeUsers: KpiValue;
  completion: Record<string, KpiValue & { assigned: number; completed: number }>;
  /** Per tier at the facts' moment; `certifiedNow` is the rate (no monthly trend: it is a count at one moment). */
  certification: Record<string, CertificationCounts & { certifiedNow: KpiValue }>;
  passRate: KpiValue;
  firstAttemptPassRate: KpiValue;
  meanScore: KpiValue;
  satisfaction: KpiValue & { responses: number };
  /** Hours in the last month; `total` over the whole range. */
  hoursSaved: KpiValue & { total: number };
  hoursPerPerson: KpiValue;
  /** Inquiries in the last month; `total` over the whole range. */
  inquiries: KpiValue & { total: number };
  questions: QuestionStat[];
}

/** Facts with nothing counted yet, for one department (null: no department, or a sum). */
export function emptyFacts(departmentId: number | null): DepartmentFacts {
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

/** Adds up the facts of the departments in scope (null scope: all of them). */
export function combineFacts(all: DepartmentFacts[], departmentIds: readonly (number | null)[] | null): DepartmentFacts {
  const scope = departmentIds === null ? all : all.filter((f) => departmentIds.includes(f.departmentId));
  const out = emptyFacts(null);
  const add = (target: Record<string, number>, source: Record<string, number>): void => {
    for (const [k, v] of Object.entries(source)) target[k] = (target[k] ?? 0) + v;
  };
  for (const f of scope) {
    out.headcount += f.headcount;
    add(out.activeByMonth, f.activeByMonth);
    add(out.inquiriesByMonth, f.inquiriesByMonth);
    for (const [month, h] of Object.entries(f.hoursByMonth)) {
      const t = (out.hoursByMonth[month] ??= { sum: 0, respondents: 0 });
      t.sum += h.sum;
      t.respondents += h.respondents;
    }
    for (const [tier, t] of Object.entries(f.tiers)) {
      addTierFacts((out.tiers[tier] ??= emptyTierFacts()), t);
    }
    out.quiz.pairs += f.quiz.pairs;
    out.quiz.pairsPassed += f.quiz.pairsPassed;
    out.quiz.pairsFirstPassed += f.quiz.pairsFirstPassed;
    out.quiz.attempts += f.quiz.attempts;
    out.quiz.scoreSum += f.quiz.scoreSum;
    for (const [month, q] of Object.entries(f.quiz.byMonth)) {
      const o = (out.quiz.byMonth[month] ??= { attempts: 0, passed: 0, scoreSum: 0 });
      o.attempts += q.attempts;
      o.passed += q.passed;
      o.scoreSum += q.scoreSum;
    }
    out.ratings.sum += f.ratings.sum;
    out.ratings.count += f.ratings.count;
    for (const [month, r] of Object.entries(f.ratings.byMonth)) {
      const o = (out.ratings.byMonth[month] ??= { sum: 0, count: 0 });
      o.sum += r.sum;
      o.count += r.count;
    }
    for (const [id, q] of Object.entries(f.questions)) {
      const o = (out.questions[id] ??= { answers: 0, correct: 0, wrongOptions: {} });
      o.answers += q.answers;
      o.correct += q.correct;
      add(o.wrongOptions, q.wrongOptions);
    }
  }
  return out;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

function mean(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((s, v) => s + v, 0) / known.length;
}

/** A monthly measure over a period: its trend and its value in the last month. */
function series(period: Period, monthly: (month: Month, index: number) => number | null): Pick<KpiValue, 'value' | 'trend'> {
  const trend = period.months.map((month, i) => ({ month, value: monthly(month, i) }));
  return { value: trend.at(-1)?.value ?? null, trend };
}

/**
 * KPIs of one scope. `baselineFacts` are the same scope's facts over the baseline months (null: no baseline set).
 * `dataStart` is the first month the programme had a user or any activity: measures that would read 0
 * before it (usage, completion) have no data there instead, so a chart never rises from a fake 0 %.
 */
export function computeKpis(
  facts: DepartmentFacts,
  period: Period,
  baseline: { facts: DepartmentFacts; period: Period } | null,
  correctOptions: Record<string, string[]>,
  tierIds: readonly string[],
  dataStart: Month | null = null,
): KpiSet {
  const live = (m: Month): boolean => dataStart === null || m >= dataStart;
  /** Monthly measures: the value is the last month's; the baseline is the average month of the baseline period. */
  const build = (fn: (f: DepartmentFacts, p: Period) => (m: Month, i: number) => number | null, fromStart = true): KpiValue => {
    const masked = (f: DepartmentFacts, p: Period) => (m: Month, i: number) => (fromStart && !live(m) ? null : fn(f, p)(m, i));
    const main = series(period, masked(facts, period));
    if (!baseline) return { ...main, baseline: null, change: null, baselineEmpty: false };
    const base = mean(series(baseline.period, masked(baseline.facts, baseline.period)).trend.map((t) => t.value));
    return { ...main, baseline: base, change: main.value !== null && base !== null ? main.value - base : null, baselineEmpty: base === null };
  };

  const usageRate = build((f) => (m) => ratio(f.activeByMonth[m] ?? 0, f.headcount));
  const activeUsers = build((f) => (m) => f.activeByMonth[m] ?? 0);
  // A month nobody answered the check-in has no data, not "0 hours saved".
  const hoursSaved = build((f) => (m) => f.hoursByMonth[m]?.sum ?? null);
  const hoursPerPerson = build((f) => (m) => (f.hoursByMonth[m] ? ratio(f.hoursByMonth[m].sum, f.headcount) : null));
  // Inquiries are entered per month, also for months before the programme (the usual baseline).
  const inquiries = build((f) => (m) => f.inquiriesByMonth[m] ?? null, false);
  const ratingTrend = series(period, (m) => ratio(facts.ratings.byMonth[m]?.sum ?? 0, facts.ratings.byMonth[m]?.count ?? 0));
  // Quiz rates are cumulative up to the end of the range; their monthly trend is per month's attempts.
  const passTrend = series(period, (m) => ratio(facts.quiz.byMonth[m]?.passed ?? 0, facts.quiz.byMonth[m]?.attempts ?? 0));
  const scoreTrend = series(period, (m) => ratio(facts.quiz.byMonth[m]?.scoreSum ?? 0, facts.quiz.byMonth[m]?.attempts ?? 0));
  const cumulative = (current: number | null, base: number | null, trend: KpiValue['trend']): KpiValue => ({
    value: current,
    baseline: base,
    change: current !== null && base !== null ? current - base : null,
    trend,
    baselineEmpty: baseline !== null && base === null,
  });

  const completion: KpiSet['completion'] = {};
  const certification: KpiSet['certification'] = {};
  const baselineLive = baseline !== null && live(baseline.period.months.at(-1) ?? '');
  for (const tier of tierIds) {
    const t = facts.tiers[tier] ?? emptyTierFacts();
    const completed = completedBy(t, period.months.at(-1) ?? null);
    const trend = period.months.map((month) => ({
      month,
      value: live(month) ? ratio(completedBy(t, month), t.assigned) : null,
    }));
    let base: number | null = null;
    const bt = baseline && baselineLive ? (baseline.facts.tiers[tier] ?? emptyTierFacts()) : null;
    if (baseline && bt) {
      base = baseline.period.months.length === 0 ? ratio(0, bt.assigned) : ratio(completedBy(bt, baseline.period.months.at(-1)!), bt.assigned);
    }
    completion[tier] = { ...cumulative(ratio(completed, t.assigned), base, trend), assigned: t.assigned, completed };
    certification[tier] = { ...certificationCounts(t), certifiedNow: cumulative(ratio(t.certified, t.assigned), bt ? ratio(bt.certified, bt.assigned) : null, []) };
  }

  const questions: QuestionStat[] = Object.entries(facts.questions)
    .map(([questionId, q]) => ({
      questionId,
      answers: q.answers,
      correctRate: ratio(q.correct, q.answers),
      mostChosenWrong: mostChosenWrong(q.wrongOptions, correctOptions[questionId] ?? []),
    }))
    // Ties in the ids' order, whatever order the database grouped them in (PostgreSQL's group by keeps none).
    .sort((a, b) => (a.correctRate ?? 1) - (b.correctRate ?? 1) || b.answers - a.answers || (a.questionId < b.questionId ? -1 : a.questionId > b.questionId ? 1 : 0));

  return {
    headcount: facts.headcount,
    usageRate,
    activeUsers,
    completion,
    certification,
    passRate: cumulative(ratio(facts.quiz.pairsPassed, facts.quiz.pairs), baseline ? ratio(baseline.facts.quiz.pairsPassed, baseline.facts.quiz.pairs) : null, passTrend.trend),
    firstAttemptPassRate: cumulative(
      ratio(facts.quiz.pairsFirstPassed, facts.quiz.pairs),
      baseline ? ratio(baseline.facts.quiz.pairsFirstPassed, baseline.facts.quiz.pairs) : null,
      passTrend.trend,
    ),
    meanScore: cumulative(ratio(facts.quiz.scoreSum, facts.quiz.attempts), baseline ? ratio(baseline.facts.quiz.scoreSum, baseline.facts.quiz.attempts) : null, scoreTrend.trend),
    satisfaction: {
      ...cumulative(ratio(facts.ratings.sum, facts.ratings.count), baseline ? ratio(baseline.facts.ratings.sum, baseline.facts.ratings.count) : null, ratingTrend.trend),
      responses: facts.ratings.count,
    },
    hoursSaved: { ...hoursSaved, total: period.months.reduce((s, m) => s + (facts.hoursByMonth[m]?.sum ?? 0), 0) },
    hoursPerPerson,
    inquiries: { ...inquiries, total: period.months.reduce((s, m) => s + (facts.inquiriesByMonth[m] ?? 0), 0) },
    questions,
  };
}

/** The wrong option chosen most often (ties: the lower id), ignoring `correct` ones; null when none was. */
export function mostChosenWrong(wrongOptions: Record<string, number>, correct: readonly string[] = []): { optionId: string; count: number } | null {
  const right = new Set(correct);
  const top = Object.entries(wrongOptions)
    .filter(([option]) => !right.has(option))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return top ? { optionId: top[0], count: top[1] } : null;
}

/** Whether a target is met: rates as fractions (0.6), hours per person per month, counts. */
export function targetMet(value: number | null, comparator: Comparator, target: number): boolean | null {
  if (value === null) return null;
  return comparator === 'gte' ? value >= target : value <= target;
}
