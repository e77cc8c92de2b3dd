/**
 * The audit log for people: a translated name per action and its details as labelled values
 * ("役割：学習者 → 管理者") instead of `user.updated` and raw JSON. The details hold no
 * secrets (src/features/audit/audit.server.ts drops them); unknown actions, keys and values are shown as
 * they are, so a new kind of entry is never hidden.
 */
import { formatDay, formatMonth } from '../../platform/dates.ts';
import { type MessageKey, messages, type Translator } from '../../platform/i18n/index.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { TARGET_KPI_META, targetGoal as goalText } from '../kpi/targets.ts';

export interface AuditFormatContext {
  t: Translator;
  locale: Locale;
  /** A department's name by id, or null when it no longer exists. */
  departmentName: (id: number) => string | null;
  /** A tier's title by id. */
  tierTitle: (id: string) => string;
}

export interface AuditDetail {
  label: string;
  value: string;
}

function isKey(key: string): key is MessageKey {
  return key in messages.ja;
}

/** `t(key)` when the key exists, otherwise the fallback. */
function maybe(t: Translator, key: string, fallback: string): string {
  return isKey(key) ? t(key) : fallback;
}

export function auditActionLabel(action: string, t: Translator): string {
  return maybe(t, `audit.action.${action}`, action);
}

export function auditTargetLabel(type: string | null, id: string | null, ctx: AuditFormatContext): string {
  if (!type) return '—';
  const kind = maybe(ctx.t, `audit.targetType.${type}`, type);
  if (type === 'export' && id) return pair(ctx, kind, maybe(ctx.t, `exports.${id}`, id));
  if (type === 'department' && id && /^\d+$/.test(id)) return pair(ctx, kind, ctx.departmentName(Number(id)) ?? `#${id}`);
  if (type === 'route') return pair(ctx, kind, id ?? '');
  return id ? `${kind} #${id}` : kind;
}

function pair(ctx: AuditFormatContext, label: string, value: string): string {
  return ctx.t('common.labelValue', { label, value });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One value for people, by the key it is stored under. */
function valueText(key: string, value: unknown, ctx: AuditFormatContext): string {
  const { t, locale } = ctx;
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? t('audit.yes') : t('audit.no');
  if (typeof value === 'number') {
    if (key === 'departmentId') return ctx.departmentName(value) ?? `#${value}`;
    if (key === 'validForMonths') return t('assign.renewsEvery', { months: value });
    return new Intl.NumberFormat(locale === 'ja' ? 'ja-JP' : 'en-GB').format(value);
  }
  if (typeof value === 'string') {
    if (key === 'role') return maybe(t, `role.${value}`, value);
    if (key === 'tierId') return ctx.tierTitle(value);
    if (key === 'method' || key === 'via') return maybe(t, `audit.method.${value}`, value);
    if (key === 'reason') return maybe(t, `audit.reason.${value}`, maybe(t, `login.ssoError.${value}`, value));
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDay(value, locale);
    if (/^\d{4}-\d{2}$/.test(value)) return formatMonth(value, locale);
    return value;
  }
  if (Array.isArray(value)) {
    if (key === 'targets') return value.map((target) => targetGoal(target, ctx)).join(locale === 'ja' ? '、' : ', ') || '—';
    return value.map((item) => valueText(key, item, ctx)).join(locale === 'ja' ? '、' : ', ');
  }
  if (isRecord(value)) {
    if (key === 'target' && typeof value.kind === 'string') return assignmentTarget(value, ctx);
    if (key === 'due' && typeof value.kind === 'string') return assignmentDue(value, ctx);
    if ('from' in value && 'to' in value && Object.keys(value).length === 2) {
      return `${valueText(key, value.from, ctx)} → ${valueText(key, value.to, ctx)}`;
    }
    return Object.entries(value)
      .map(([inner, innerValue]) => pair(ctx, keyLabel(inner, ctx), valueText(inner, innerValue, ctx)))
      .join(locale === 'ja' ? '、' : ', ');
  }
  return String(value);
}

function keyLabel(key: string, ctx: AuditFormatContext): string {
  return maybe(ctx.t, `audit.key.${key}`, key);
}

function targetGoal(target: unknown, ctx: AuditFormatContext): string {
  if (!isRecord(target) || typeof target.kpi !== 'string' || !(target.kpi in TARGET_KPI_META) || typeof target.value !== 'number') {
    return valueText('', target, ctx);
  }
  const kpi = target.kpi as keyof typeof TARGET_KPI_META;
  return goalText({ kpi, comparator: target.comparator === 'lte' ? 'lte' : 'gte', value: target.value }, ctx.t, ctx.locale);
}

function assignmentTarget(target: Record<string, unknown>, ctx: AuditFormatContext): string {
  const { t } = ctx;
  switch (target.kind) {
    case 'everyone':
      return t('assign.targetEveryone');
    case 'role':
      return pair(ctx, t('assign.targetRole'), valueText('role', target.role, ctx));
    case 'department':
      return pair(ctx, t('assign.targetDepartment'), valueText('departmentId', target.departmentId, ctx));
    case 'wave':
      return pair(ctx, t('assign.targetWave'), `#${String(target.waveId)}`);
    default:
      return String(target.kind);
  }
}

function assignmentDue(due: Record<string, unknown>, ctx: AuditFormatContext): string {
  const { t } = ctx;
  if (due.kind === 'date' && typeof due.date === 'string') return t('assign.dueOn', { date: formatDay(due.date, ctx.locale) });
  if (due.kind === 'days' && typeof due.days === 'number') return t('assign.dueAfter', { days: due.days });
  return t('assign.noDue');
}

/** The details of one entry as labelled values, in the order they were recorded. */
export function auditDetails(details: Record<string, unknown> | null, ctx: AuditFormatContext): AuditDetail[] {
  if (!details) return [];
  const rows: AuditDetail[] = [];
  // A change is recorded as before/after objects: one line per field that changed.
  if (isRecord(details.before) && isRecord(details.after)) {
    const before = details.before;
    const after = details.after;
    for (const field of Object.keys(after)) {
      if (before[field] === after[field]) continue;
      rows.push({ label: keyLabel(field, ctx), value: `${valueText(field, before[field], ctx)} → ${valueText(field, after[field], ctx)}` });
    }
  }
  for (const [key, value] of Object.entries(details)) {
    if (key === 'before' || key === 'after') continue;
    if (key === 'changes' && isRecord(value)) {
      for (const [field, change] of Object.entries(value)) rows.push({ label: keyLabel(field, ctx), value: valueText(field, change, ctx) });
      continue;
    }
    rows.push({ label: keyLabel(key, ctx), value: valueText(key, value, ctx) });
  }
  return rows;
}
