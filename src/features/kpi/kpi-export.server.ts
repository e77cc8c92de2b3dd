/**
 * The KPI export (`/admin/exports/kpis.csv`): one row per scope and month — the company, each
 * department, and users without one — with the dashboard's definitions (src/features/kpi/kpi.ts) for
 * that month and the baseline beside each value. Monthly measures (active learners, usage
 * rate, mean score, satisfaction, hours saved, inquiries) are the month's own; completion and
 * quiz pass rates are cumulative up to the month's end, as on the dashboard. Target users are
 * today's headcount of active accounts, as on the dashboard. Rates are fractions (0.25 = 25 %).
 * At the end (so older consumers keep their columns), per tier the certificates as they stood
 * at the month's end (or now, for the current month): the tier's audience, certified now (rate
 * and count), expiring within 30 days, expired, ever completed.
 */
import { departments as departmentsTable } from '../../../db/schema/index.ts';
import type { Catalog } from '../curriculum/catalog.ts';
import { TIER_IDS } from '../curriculum/schemas.ts';
import { MONTH_PATTERN, monthRange } from '../../platform/dates.ts';
import { combineFacts, computeKpis, type DepartmentFacts, type KpiSet, type KpiValue, type Period } from './kpi.ts';
import { defaultFilter } from './dashboard.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { loadFacts, periodOf } from './facts.server.ts';
import { correctOptionsOf } from './questions.ts';
import { getBaseline } from './settings.server.ts';

export const KPI_EXPORT_MAX_MONTHS = 36;

/** `?from=YYYY-MM&to=YYYY-MM`, by default the dashboard's last six months; null when not a valid range. */
export function kpiExportRange(params: URLSearchParams, timeZone: string): { from: string; to: string } | null {
  const defaults = defaultFilter(timeZone);
  const from = params.get('from') ?? defaults.from;
  const to = params.get('to') ?? defaults.to;
  if (!MONTH_PATTERN.test(from) || !MONTH_PATTERN.test(to) || from > to || monthRange(from, to).length > KPI_EXPORT_MAX_MONTHS) return null;
  return { from, to };
}

/** The measures, in column order; each also gets a `baseline_` column. */
const MEASURES: [name: string, pick: (k: KpiSet) => KpiValue, digits: number][] = [
  ['active_learners', (k) => k.activeUsers, 0],
  ['usage_rate', (k) => k.usageRate, 4],
  ...TIER_IDS.map((tier): [string, (k: KpiSet) => KpiValue, number] => [`${tier}_completion`, (k) => k.completion[tier]!, 4]),
  ['quiz_pass_rate', (k) => k.passRate, 4],
  ['first_attempt_pass_rate', (k) => k.firstAttemptPassRate, 4],
  ['mean_score_percent', (k) => k.meanScore, 1],
  ['satisfaction', (k) => k.satisfaction, 2],
  ['hours_saved', (k) => k.hoursSaved, 1],
  ['hours_saved_per_person', (k) => k.hoursPerPerson, 2],
  ['helpdesk_inquiries', (k) => k.inquiries, 0],
];

export function kpiExportHeader(): string[] {
  return [
    'scope',
    'department',
    'month',
    'target_users',
    ...MEASURES.map(([name]) => name),
    'satisfaction_responses',
    'baseline_period',
    ...MEASURES.map(([name]) => `baseline_${name}`),
    ...TIER_IDS.flatMap((tier) => CERTIFICATION_COLUMNS.map((column) => `${tier}_${column}`)),
  ];
}

/** Numbers stay numbers (the CSV writer leaves them unescaped); an unknown value is an empty cell. */
const round = (value: number | null, digits: number): number | '' => (value === null || !Number.isFinite(value) ? '' : Number(value.toFixed(digits)));

/** Per tier, after the baseline columns: the certificates at the month's end (counts of people). */
const CERTIFICATION_COLUMNS = ['audience', 'certified_now_rate', 'certified_now', 'expiring_30d', 'expired', 'ever_completed'] as const;

function certificationCells(kpis: KpiSet): (number | '')[] {
  return TIER_IDS.flatMap((tier) => {
    const c = kpis.certification[tier]!;
    return [c.audience, round(c.certifiedNow.value, 4), c.certified, c.expiring, c.expired, c.ever];
  });
}

/** The rows, in order (at most 36 months × the scopes: small enough to build before streaming). */
export async function kpiExportRows(db: Db, catalog: Catalog, range: { from: string; to: string }, timeZone: string): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  const baselinePeriod = await getBaseline(db);
  const basePeriod = baselinePeriod ? periodOf(baselinePeriod.from, baselinePeriod.to, timeZone) : null;
  const baseFacts = basePeriod ? await loadFacts(db, basePeriod) : null;
  const correct = correctOptionsOf(catalog);
  const departments = (await db.read(async (q) => await q.select().from(departmentsTable))).sort((a, b) => a.name.localeCompare(b.name, 'ja'));
  const scopes: { scope: string; department: string; ids: (number | null)[] | null }[] = [
    { scope: 'company', department: '', ids: null },
    ...departments.map((d) => ({ scope: 'department', department: d.name, ids: [d.id] })),
    { scope: 'unassigned', department: '', ids: [null] },
  ];
  const baselineLabel = baselinePeriod ? `${baselinePeriod.from}..${baselinePeriod.to}` : '';

  for (const month of periodOf(range.from, range.to, timeZone).months) {
    const period: Period = periodOf(month, month, timeZone);
    const facts = await loadFacts(db, period);
    for (const { scope, department, ids } of scopes) {
      const kpis = computeKpis(
        combineFacts(facts, ids),
        period,
        baseFacts && basePeriod ? { facts: combineFacts(baseFacts as DepartmentFacts[], ids), period: basePeriod } : null,
        correct,
        TIER_IDS,
      );
      rows.push([
        scope,
        department,
        month,
        kpis.headcount,
        ...MEASURES.map(([, pick, digits]) => round(pick(kpis).value, digits)),
        kpis.satisfaction.responses,
        baselineLabel,
        ...MEASURES.map(([, pick, digits]) => round(pick(kpis).baseline, digits)),
        ...certificationCells(kpis),
      ]);
    }
  }
  return rows;
}
