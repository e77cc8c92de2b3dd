/**
 * The KPIs a wave can set a target for, in one table: how each is shown (unit; rates are stored
 * as fractions, 0.5 → 50 %, and entered as percentages), which way is better (comparator), and
 * where its value is in a KPI set. Wording for people: "利用率 50%以上" / "Usage rate at least 50%".
 */
import { formatValue, type Unit } from '../../platform/i18n/format.ts';
import type { Translator } from '../../platform/i18n/index.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { targetMet, type Comparator, type KpiSet, type KpiValue, type TargetKpi } from './kpi.ts';

export interface TargetKpiMeta {
  unit: Unit;
  /** What a new target asks for: more is better, except help-desk inquiries. */
  comparator: Comparator;
  of: (kpis: KpiSet) => KpiValue;
}

export const TARGET_KPI_META: Record<TargetKpi, TargetKpiMeta> = {
  usage_rate: { unit: 'rate', comparator: 'gte', of: (k) => k.usageRate },
  basic_completion: { unit: 'rate', comparator: 'gte', of: (k) => k.completion.basic! },
  applied_completion: { unit: 'rate', comparator: 'gte', of: (k) => k.completion.applied! },
  specialist_completion: { unit: 'rate', comparator: 'gte', of: (k) => k.completion.specialist! },
  // Certified now: the share of the wave's audience of the tier whose newest certificate is valid.
  basic_certified: { unit: 'rate', comparator: 'gte', of: (k) => k.certification.basic!.certifiedNow },
  applied_certified: { unit: 'rate', comparator: 'gte', of: (k) => k.certification.applied!.certifiedNow },
  specialist_certified: { unit: 'rate', comparator: 'gte', of: (k) => k.certification.specialist!.certifiedNow },
  quiz_pass_rate: { unit: 'rate', comparator: 'gte', of: (k) => k.passRate },
  hours_per_person: { unit: 'hours', comparator: 'gte', of: (k) => k.hoursPerPerson },
  satisfaction: { unit: 'rating', comparator: 'gte', of: (k) => k.satisfaction },
  helpdesk_inquiries: { unit: 'count', comparator: 'lte', of: (k) => k.inquiries },
};

export interface Target {
  kpi: TargetKpi;
  comparator: Comparator;
  value: number;
}

/** A target as typed in the wave form (rates in %), as it is stored. */
export function targetFromForm(kpi: TargetKpi, entered: number): Target {
  const meta = TARGET_KPI_META[kpi];
  return { kpi, comparator: meta.comparator, value: meta.unit === 'rate' ? entered / 100 : entered };
}

/** A stored target as the wave form shows it (rates in %, to one decimal). */
export function targetFormValue(target: Target): string {
  return TARGET_KPI_META[target.kpi].unit === 'rate' ? String(Math.round(target.value * 1000) / 10) : String(target.value);
}

export interface TargetStatus<T extends Target = Target> {
  target: T;
  current: number | null;
  baseline: number | null;
  met: boolean | null;
}

/** Each target with the scope's current value and baseline, and whether it is met. */
export function targetStatuses<T extends Target>(kpis: KpiSet, targets: T[]): TargetStatus<T>[] {
  return targets.map((target) => {
    const { value: current, baseline } = TARGET_KPI_META[target.kpi].of(kpis);
    return { target, current, baseline, met: targetMet(current, target.comparator, target.value) };
  });
}

export function targetGoal(target: Target, t: Translator, locale: Locale): string {
  const kpi = t(`target.name.${target.kpi}`);
  const value = formatValue(target.value, TARGET_KPI_META[target.kpi].unit, locale);
  return t(target.comparator === 'lte' ? 'target.goal.lte' : 'target.goal.gte', { kpi, value });
}
