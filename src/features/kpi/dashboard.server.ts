/**
 * Everything the admin dashboard shows, from one load of the facts: the selected scope's KPIs
 * with baseline, per-department and per-wave rows, target status, per-question analysis with
 * the question text, and the latest comments. The wave and question pages load only their part.
 */
import { z } from 'astro/zod';
import { departments, type Department, type WaveTarget } from '../../../db/schema/index.ts';
import { pick, type Catalog } from '../curriculum/catalog.ts';
import { TIER_IDS } from '../curriculum/schemas.ts';
import { addMonths, MONTH_PATTERN, monthKey } from '../../platform/dates.ts';
import { combineFacts, computeKpis, mostChosenWrong, type DepartmentFacts, type KpiSet, type Period, type QuestionFacts, type QuestionStat } from './kpi.ts';
import { loadScopeQuestions } from './question-facts.server.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import type { Db } from '../../platform/db.server.ts';
import { MAX_ID } from '../../platform/input/id.ts';
import { latestFeedback } from '../feedback/feedback.server.ts';
import { certificationMoment, dataStartMonth, loadFactsOfPeriods, periodOf } from './facts.server.ts';
import { getBaseline, type BaselinePeriod } from './settings.server.ts';
import { correctOptionsOf, type QuestionRow } from './questions.ts';
import { targetStatuses, type TargetStatus } from './targets.ts';
import { listWaves, type WaveDetail } from '../programme/waves.server.ts';
import { now as clockNow, nowMs } from '../../platform/clock.ts';

export interface DashboardFilter {
  departmentId: number | null;
  waveId: number | null;
  from: string;
  to: string;
}

export interface DashboardData {
  filter: DashboardFilter;
  baselinePeriod: BaselinePeriod | null;
  period: Period;
  /** The moment certificates are counted at: now, or the end of the range if earlier. */
  certificationAsOf: Date;
  scopeName: { kind: 'company' } | { kind: 'department'; name: string } | { kind: 'wave'; name: string };
  kpis: KpiSet;
  /** By name, as the filter lists them. */
  departmentOptions: Department[];
  departments: { id: number; name: string; kpis: KpiSet }[];
  waves: { wave: WaveDetail; kpis: KpiSet; targets: TargetStatus<WaveTarget>[] }[];
  questions: QuestionRow[];
  /** Named and sent without a name (`updatedAt` null: only the month is kept). */
  comments: { lessonId: string; lessonTitle: string; rating: number; comment: string; department: string | null; updatedAt: Date | null; month: string }[];
}

/** Default range: the last six months up to the current one. */
export function defaultFilter(timeZone: string, now = clockNow()): DashboardFilter {
  const to = monthKey(now, timeZone);
  return { departmentId: null, waveId: null, from: addMonths(to, -5), to };
}

const Month = z.string().regex(MONTH_PATTERN);

/** The dashboard's `?department=&wave=&from=&to=`; an invalid query falls back to the defaults. */
export function dashboardFilter(params: URLSearchParams, timeZone: string): { filter: DashboardFilter; invalid: boolean } {
  const defaults = defaultFilter(timeZone);
  const Query = z.object({
    department: z.union([z.literal(''), z.coerce.number().int().positive().max(MAX_ID)]).default(''),
    wave: z.union([z.literal(''), z.coerce.number().int().positive().max(MAX_ID)]).default(''),
    from: Month.default(defaults.from),
    to: Month.default(defaults.to),
  });
  const parsed = Query.safeParse(Object.fromEntries(params));
  if (!parsed.success || parsed.data.from > parsed.data.to) return { filter: defaults, invalid: true };
  const { department, wave, from, to } = parsed.data;
  return { filter: { departmentId: department === '' ? null : department, waveId: wave === '' ? null : wave, from, to }, invalid: false };
}

/** The KPIs of any scope (a list of department ids; null: the company) over the filter's months. */
export interface ScopeKpis {
  period: Period;
  baselinePeriod: BaselinePeriod | null;
  certificationAsOf: Date;
  /** With `questions`, the scope's per-question facts (loadScopeQuestions): the facts carry none. */
  kpisFor: (ids: (number | null)[] | null, questions?: Record<string, QuestionFacts>) => KpiSet;
}

export async function loadScopeKpis(db: Db, catalog: Catalog, filter: Pick<DashboardFilter, 'from' | 'to'>, timeZone: string): Promise<ScopeKpis> {
  const period = periodOf(filter.from, filter.to, timeZone);
  const at = nowMs();
  const baselinePeriod = await getBaseline(db);
  const basePeriod = baselinePeriod ? periodOf(baselinePeriod.from, baselinePeriod.to, timeZone) : null;
  // One read for both periods: what does not depend on the period is queried once, and no
  // per-question facts (the dashboard reads its scope's alone; the other callers use none).
  const [facts, baselineFacts = null] = await loadFactsOfPeriods(db, basePeriod ? [period, basePeriod] : [period], at, { noQuestions: true, timeZone });
  const correct = correctOptionsOf(catalog);
  const dataStart = await dataStartMonth(db, timeZone);
  const kpisFor = (ids: (number | null)[] | null, questions?: Record<string, QuestionFacts>): KpiSet =>
    computeKpis(
      { ...combineFacts(facts!, ids), ...(questions ? { questions } : {}) },
      period,
      baselineFacts && basePeriod ? { facts: combineFacts(baselineFacts as DepartmentFacts[], ids), period: basePeriod } : null,
      correct,
      TIER_IDS,
      dataStart,
    );
  return { period, baselinePeriod, certificationAsOf: certificationMoment(period, at), kpisFor };
}

/** The order of `order by name` (listDepartments): SQLite compares text as UTF-8 bytes. */
const byNameBytes = (a: Department, b: Department): number => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));

export async function loadDashboard(db: Db, catalog: Catalog, filter: DashboardFilter, timeZone: string, locale: Locale): Promise<DashboardData> {
  const { period, baselinePeriod, certificationAsOf, kpisFor } = await loadScopeKpis(db, catalog, filter, timeZone);
  const rows = await db.read(async (q) => await q.select().from(departments));
  const departmentOptions = [...rows].sort(byNameBytes);
  const allDepartments = [...rows].sort((a, b) => a.name.localeCompare(b.name, 'ja'));
  const waves = await listWaves(db);
  const wave = filter.waveId !== null ? (waves.find((w) => w.id === filter.waveId) ?? null) : null;
  const department = filter.departmentId !== null ? (allDepartments.find((d) => d.id === filter.departmentId) ?? null) : null;
  const scopeIds = department ? [department.id] : wave ? wave.departmentIds : null;
  const kpis = kpisFor(scopeIds, await loadScopeQuestions(db, period, scopeIds));

  const questionText = new Map<string, { quizId: string; questionId: string; quizTitle: string; prompt: string; options: Map<string, string> }>();
  for (const course of catalog.tiers.flatMap((t) => t.courses)) {
    for (const quiz of course.quizzes) {
      const text = pick(quiz.text, locale).value;
      for (const q of text.questions) {
        questionText.set(`${quiz.id}/${q.id}`, {
          quizId: quiz.id,
          questionId: q.id,
          quizTitle: text.title,
          prompt: q.prompt,
          options: new Map(q.options.map((o) => [o.id, o.text])),
        });
      }
    }
  }
  const questions = kpis.questions.flatMap((q): QuestionRow[] => {
    const text = questionText.get(q.questionId);
    if (!text) return [];
    const wrong = q.mostChosenWrong;
    return [
      {
        quizId: text.quizId,
        questionId: text.questionId,
        quizTitle: text.quizTitle,
        prompt: text.prompt,
        answers: q.answers,
        correctRate: q.correctRate,
        mostChosenWrong: wrong ? { text: text.options.get(wrong.optionId) ?? wrong.optionId, count: wrong.count } : null,
      },
    ];
  });

  const commentRows = await db.read(async (q) => await latestFeedback(q, { departmentIds: scopeIds, withCommentOnly: true, limit: 10 }, timeZone));

  return {
    filter,
    baselinePeriod,
    period,
    certificationAsOf,
    scopeName: department ? { kind: 'department', name: department.name } : wave ? { kind: 'wave', name: wave.name } : { kind: 'company' },
    kpis,
    departmentOptions,
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

/** How the company has answered one question since the programme began (the question page); null before any answer. */
export async function loadQuestionStat(db: Db, catalog: Catalog, quizId: string, questionId: string, timeZone: string): Promise<QuestionStat | null> {
  const key = `${quizId}/${questionId}`;
  const period = periodOf('2000-01', defaultFilter(timeZone).to, timeZone);
  const q = (await loadScopeQuestions(db, period, null))[key];
  if (!q) return null;
  return {
    questionId: key,
    answers: q.answers,
    correctRate: q.answers === 0 ? null : q.correct / q.answers,
    mostChosenWrong: mostChosenWrong(q.wrongOptions, correctOptionsOf(catalog)[key] ?? []),
  };
}
