/** Wave targets for people: "利用率 50%以上" / "Usage rate at least 50%", one wording everywhere. */
import type { TargetKpi } from '../../db/schema.ts';
import { formatValue, type Unit } from './format.ts';
import type { Translator } from './i18n/index.ts';
import type { Locale } from './locales.ts';

/** How each target's value is stored and shown: rates as fractions (0.5 → 50%). */
export const TARGET_UNITS: Record<TargetKpi, Unit> = {
  usage_rate: 'rate',
  basic_completion: 'rate',
  applied_completion: 'rate',
  specialist_completion: 'rate',
  quiz_pass_rate: 'rate',
  hours_per_person: 'hours',
  satisfaction: 'rating',
  helpdesk_inquiries: 'count',
};

export function targetGoal(target: { kpi: TargetKpi; comparator: 'gte' | 'lte'; value: number }, t: Translator, locale: Locale): string {
  const kpi = t(`target.name.${target.kpi}`);
  const value = formatValue(target.value, TARGET_UNITS[target.kpi], locale);
  return t(target.comparator === 'lte' ? 'target.goal.lte' : 'target.goal.gte', { kpi, value });
}
