/**
 * Everything the admin dashboard and wave pages show, from one load of the facts:
 * the selected scope's KPIs with baseline, per-department and per-wave rows, target status,
 * per-question analysis with the question text, and the latest comments.
 */
import { departments, type TargetKpi, type WaveTarget } from '../../../db/schema.ts';
import { pick, type Catalog } from '../content/catalog.ts';
import { TIER_IDS } from '../content/schemas.ts';
import { addMonths, monthKey } from '../dates.ts';
import { combineFacts, computeKpis, targetMet, type DepartmentFacts, type KpiSet, type Period } from '../kpi.ts';
import type { Locale } from '../locales.ts';
import type { DbExecutor } from './db.ts';
import { latestFeedback } from './feedback.ts';
import { correctOptionsOf, dataStartMonth, loadFacts, periodOf } from './kpi.ts';
import { getBaseline, type BaselinePeriod } from './settings.ts';
import { listWaves, type WaveDetail } from './waves.ts';

export interface DashboardFilter {
  departmentId: number | null;
  waveId: number | null;
  from: string;
  to: string;
}

export interface TargetStatus {
  target: WaveTarget;
  current: number | null;
  baseline: number | null;
  met: boolean | null;
}

export interface DashboardData {
  filter: DashboardFilter;
  baselinePeriod: BaselinePeriod | null;
  period: Period;
  scopeName: { kind: 'company' } | { kind: 'department'; name: string } | { kind: 'wave'; name: string };
  kpis: KpiSet;
  departments: { id: number; name: string; kpis: KpiSet }[];
  waves: { wave: WaveDetail; kpis: KpiSet; targets: TargetStatus[] }[];
  questions: (KpiSet['questions'][number] & { quizId: string; quizTitle: string; prompt: string; wrongText: string | null })[];
  /** Named and sent without a name (`updatedAt` null: only the month is kept). */
  comments: { lessonId: string; lessonTitle: string; rating: number; comment: string; department: string | null; updatedAt: Date | null; month: string }[];
}

/** Default range: the last six months up to the current one. */
export function defaultFilter(timeZone: string, now = new Date()): DashboardFilter {
  const to = monthKey(now, timeZone);
  return { departmentId: null, waveId: null, from: addMonths(to, -5), to };
}

export function kpiValueFor(kpis: KpiSet, kpi: TargetKpi): { current: number | null; baseline: number | null } {
  const pickValue = (v: { value: number | null; baseline: number | null }) => ({ current: v.value, baseline: v.baseline });
  switch (kpi) {
    case 'usage_rate':
      return pickValue(kpis.usageRate);
    case 'basic_completion':
      return pickValue(kpis.completion.basic!);
    case 'applied_completion':
      return pickValue(kpis.completion.applied!);
    case 'specialist_completion':
      return pickValue(kpis.completion.specialist!);
    case 'quiz_pass_rate':
      return pickValue(kpis.passRate);
    case 'hours_per_person':
      return pickValue(kpis.hoursPerPerson);
    case 'satisfaction':
      return pickValue(kpis.satisfaction);
    case 'helpdesk_inquiries':
      return pickValue(kpis.inquiries);
  }
}

export function targetStatuses(kpis: KpiSet, targets: WaveTarget[]): TargetStatus[] {
  return targets.map((target) => {
    const { current, baseline } = kpiValueFor(kpis, target.kpi);
    return { target, current, baseline, met: targetMet(current, target.comparator, target.value) };
  });
}

export function loadDashboard(db: DbExecutor, catalog: Catalog, filter: DashboardFilter, timeZone: string, locale: Locale): DashboardData {
  const period = periodOf(filter.from, filter.to, timeZone);
  const baselinePeriod = getBaseline(db);
  const facts = loadFacts(db, period);
  const basePeriod = baselinePeriod ? periodOf(baselinePeriod.from, baselinePeriod.to, timeZone) : null;
  const baselineFacts = basePeriod ? loadFacts(db, basePeriod) : null;
  const correct = correctOptionsOf(catalog);
  const dataStart = dataStartMonth(db, timeZone);
  const kpisFor = (ids: (number | null)[] | null): KpiSet =>
    computeKpis(
      combineFacts(facts, ids),
      period,
      baselineFacts && basePeriod ? { facts: combineFacts(baselineFacts as DepartmentFacts[], ids), period: basePeriod } : null,
      correct,
      TIER_IDS,
      dataStart,
    );

  const allDepartments = db.select().from(departments).all().sort((a, b) => a.name.localeCompare(b.name, 'ja'));
  const waves = listWaves(db);
  const wave = filter.waveId !== null ? waves.find((w) => w.id === filter.waveId) ?? null : null;
  const department = filter.departmentId !== null ? allDepartments.find((d) => d.id === filter.departmentId) ?? null : null;
  const scopeIds = department ? [department.id] : wave ? wave.departmentIds : null;
  const kpis = kpisFor(scopeIds);

  const questionText = new Map<string, { quizId: string; quizTitle: string; prompt: string; options: Map<string, string> }>();
  for (const course of catalog.tiers.flatMap((t) => t.courses)) {
    for (const quiz of course.quizzes) {
      const text = pick(quiz.text, locale).value;
      for (const q of text.questions) {
        questionText.set(`${quiz.id}/${q.id}`, { quizId: quiz.id, quizTitle: text.title, prompt: q.prompt, options: new Map(q.options.map((o) => [o.id, o.text])) });
      }
    }
  }
  const questions = kpis.questions.flatMap((q) => {
    const text = questionText.get(q.questionId);
    if (!text) return [];
    return [{ ...q, quizId: text.quizId, quizTitle: text.quizTitle, prompt: text.prompt, wrongText: q.mostChosenWrong ? text.options.get(q.mostChosenWrong.optionId) ?? q.mostChosenWrong.optionId : null }];
  });

  const commentRows = latestFeedback(db, { departmentIds: scopeIds, withCommentOnly: true, limit: 10 }, timeZone);

  return {
    filter,
    baselinePeriod,
    period,
    scopeName: department ? { kind: 'department', name: department.name } : wave ? { kind: 'wave', name: wave.name } : { kind: 'company' },
    kpis,
    departments: allDepartments.map((d) => ({ id: d.id, name: d.name, kpis: kpisFor([d.id]) })),
    waves: waves.map((w) => {
      const waveKpis = kpisFor(w.departmentIds);
      return { wave: w, kpis: waveKpis, targets: targetStatuses(waveKpis, w.targets) };
    }),
    questions,
    comments: commentRows.map((c) => ({
      lessonId: c.lessonId,
      lessonTitle: catalog.lesson(c.lessonId) ? pick(catalog.lesson(c.lessonId)!.title, locale).value : c.lessonId,
      rating: c.rating,
      comment: c.comment!,
      department: c.department,
      updatedAt: c.updatedAt,
      month: c.month,
    })),
  };
}
