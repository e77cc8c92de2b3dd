/**
 * What each section of a digest says, in the reader's language, as plain strings and links:
 * the e-mail's text and HTML are two layouts of the same content.
 */
import type { Locale } from './external.ts';
import { formatDay, formatMonth } from './external.ts';
import { pages, siteLink } from './links.ts';
import type { DepartmentWeek, EventData, KpiFigure, KpiSummary, NotificationKind } from './model.ts';
import type { DigestSection } from './plan.ts';
import type { NotificationMessageKey, NotificationText } from './strings.ts';
import { formatList, formatPercent, notificationText } from './strings.ts';

export interface Link {
  label: string;
  url: string;
}

export interface ContentItem {
  text: string;
  /** A second line: the names behind a count. */
  detail: string | null;
  link: Link | null;
}

export interface SectionContent {
  kind: NotificationKind;
  heading: string;
  items: ContentItem[];
}

/** At most this many names per line; the rest are counted. */
export const MAX_NAMES = 10;

const HEADINGS: Record<Exclude<NotificationKind, 'champion-weekly' | 'admin-monthly'>, NotificationMessageKey> = {
  overdue: 'overdue.heading',
  policy: 'policy.heading',
  'due-soon': 'dueSoon.heading',
  'certificate-expiring': 'expiring.heading',
  'renewal-opened': 'renewal.heading',
  'assignment-new': 'assignment.heading',
  'check-in': 'checkIn.heading',
};

function heading(section: DigestSection, locale: Locale, t: NotificationText): string {
  const data = section.events[0]!.data;
  if (data.kind === 'champion-weekly') return t('champion.heading', { department: data.digest.department.name });
  if (data.kind === 'admin-monthly') return t('admin.heading', { month: formatMonth(data.kpi.month, locale) });
  return t(HEADINGS[data.kind as keyof typeof HEADINGS]);
}

function names(list: readonly string[], locale: Locale, t: NotificationText): string | null {
  if (list.length === 0) return null;
  const shown = list.slice(0, MAX_NAMES);
  const rest = list.length - shown.length;
  return formatList(rest > 0 ? [...shown, t('champion.others', { count: rest })] : shown, locale);
}

/** A label and its value: a FactSet row in Teams, a field in Slack, a line in an e-mail. */
export interface Fact {
  label: string;
  value: string;
  /** The names behind a count: only in the e-mail to the champion, never in a channel. */
  names: string | null;
}

/** The weekly digest's figures; the names only with `withNames`. */
export function departmentFacts(week: DepartmentWeek, locale: Locale, withNames: boolean): Fact[] {
  const t = notificationText(locale);
  const lists: [NotificationMessageKey, readonly string[]][] = [
    ['champion.newOverdue', week.newOverdue],
    ['champion.expiringSoon', week.expiringSoon],
    ['champion.expired', week.expired],
    ['champion.policyMissing', week.policyMissing],
  ];
  const facts: Fact[] = lists
    .filter(([, list]) => list.length > 0)
    .map(([key, list]) => ({ label: t(key), value: t('champion.people', { count: list.length }), names: withNames ? names(list, locale, t) : null }));
  if (week.newComments > 0) facts.push({ label: t('champion.newComments'), value: t('champion.comments', { count: week.newComments }), names: null });
  return facts;
}

function figure(label: string, value: KpiFigure, show: (n: number) => string, t: NotificationText): Fact {
  const shown = value.value === null ? t('admin.noData') : show(value.value);
  const text = value.baseline === null ? t('admin.valueNoBaseline', { value: shown }) : t('admin.value', { value: shown, baseline: show(value.baseline) });
  return { label, value: text, names: null };
}

/** The monthly summary's figures, each KPI against its baseline. */
export function kpiFacts(kpi: KpiSummary, locale: Locale): Fact[] {
  const t = notificationText(locale);
  const percent = (n: number): string => formatPercent(n, locale);
  return [
    figure(t('admin.usageRate'), kpi.usageRate, percent, t),
    figure(t('admin.completionRate'), kpi.completionRate, percent, t),
    figure(t('admin.certifiedNow'), kpi.certifiedNow, percent, t),
    figure(t('admin.hoursSaved'), kpi.hoursSaved, (n) => t('admin.hours', { hours: n }), t),
    figure(t('admin.inquiries'), kpi.inquiries, (n) => t('admin.count', { count: n }), t),
  ];
}

const factItem = (fact: Fact, t: NotificationText): ContentItem => ({ text: t('mail.fact', { label: fact.label, value: fact.value }), detail: fact.names, link: null });

function items(data: EventData, locale: Locale, siteUrl: string, t: NotificationText): ContentItem[] {
  const link = (label: NotificationMessageKey, path: string): Link => ({ label: t(label), url: siteLink(siteUrl, path) });
  const day = (value: string): string => formatDay(value, locale);
  const one = (text: string, target: Link): ContentItem[] => [{ text, detail: null, link: target }];
  switch (data.kind) {
    case 'overdue':
      return one(t('overdue.item', { tier: data.tier.title[locale], due: day(data.dueOn), days: data.daysOverdue }), link('link.training', pages.tier(locale, data.tier.id)));
    case 'policy':
      return one(t('policy.item', { title: data.title[locale], version: data.version }), link('link.policy', pages.policy(locale, data.policyId)));
    case 'due-soon': {
      const params = { tier: data.tier.title[locale], due: day(data.dueOn), days: data.daysLeft };
      return one(t(data.daysLeft === 0 ? 'dueSoon.today' : 'dueSoon.item', params), link('link.training', pages.tier(locale, data.tier.id)));
    }
    case 'certificate-expiring': {
      const params = { tier: data.tier.title[locale], date: day(data.validUntil), days: data.daysLeft };
      return one(t(data.daysLeft === 0 ? 'expiring.today' : 'expiring.item', params), link('link.renew', pages.tier(locale, data.tier.id)));
    }
    case 'renewal-opened':
      return one(t('renewal.item', { tier: data.tier.title[locale], renewBy: day(data.renewBy) }), link('link.renew', pages.tier(locale, data.tier.id)));
    case 'assignment-new': {
      const tier = data.tier.title[locale];
      const text = data.dueOn === null ? t('assignment.itemNoDue', { tier }) : t('assignment.item', { tier, due: day(data.dueOn) });
      return one(text, link('link.training', pages.tier(locale, data.tier.id)));
    }
    case 'check-in':
      return one(t('checkIn.item', { month: formatMonth(data.month, locale) }), link('link.checkIn', pages.checkIn(locale)));
    case 'champion-weekly': {
      const lines = departmentFacts(data.digest, locale, true).map((fact) => factItem(fact, t));
      lines.push({ text: '', detail: null, link: link('link.champion', pages.champion(locale)) });
      return lines;
    }
    case 'admin-monthly': {
      const lines = kpiFacts(data.kpi, locale).map((fact) => factItem(fact, t));
      lines.push({ text: '', detail: null, link: link('link.admin', pages.admin(locale)) });
      return lines;
    }
  }
}

export function sectionContent(section: DigestSection, locale: Locale, siteUrl: string): SectionContent {
  const t = notificationText(locale);
  return {
    kind: section.kind,
    heading: heading(section, locale, t),
    items: section.events.flatMap((event) => items(event.data, locale, siteUrl, t)),
  };
}
