/**
 * What champions and admins are told, and what goes to the channels (Teams or Slack), as pure
 * functions of "today" (a local working day). The catch-up rule is the one in
 * learner-triggers.ts: a window of days and a key that does not depend on the day of sending.
 *
 * - Champions' weekly digest: on the digest day of the week (the configured weekday, or the
 *   first working day after it that week when it is a holiday); caught up until the week's
 *   Sunday. A week with nothing to report sends nothing.
 * - Admins' monthly KPI summary of the previous month: on the first working day of the month,
 *   caught up for CATCH_UP_DAYS within that month.
 */
import { CATCH_UP_DAYS } from './learner-triggers.ts';
import type { AdminSnapshot, ChampionSnapshot, DepartmentWeek, KpiSummary, NotificationEvent } from './model.ts';
import { idempotencyKey, makeEvent } from './model.ts';
import { addDays, firstWorkingDayOfMonth, isoWeekKey, isWorkingDay, lastDayOfMonth, monthOf, previousMonth, weeklyDigestDay } from './working-days.ts';

export const DEFAULT_DIGEST_WEEKDAY = 1;

/** Whether today is in the weekly digest's window: the ISO week key when it is, else null. */
export function weeklyDigestPeriod(today: string, weekday: number = DEFAULT_DIGEST_WEEKDAY): string | null {
  const day = weeklyDigestDay(today, weekday);
  if (day === null || today < day) return null;
  return isoWeekKey(today);
}

/** Whether today is in the monthly summary's window: the month summarised when it is, else null. */
export function monthlySummaryPeriod(today: string): string | null {
  const month = monthOf(today);
  const from = firstWorkingDayOfMonth(month);
  const until = addDays(from, CATCH_UP_DAYS - 1);
  if (today < from || today > until || today > lastDayOfMonth(month)) return null;
  return previousMonth(month);
}

export function isEmptyWeek(week: DepartmentWeek): boolean {
  const lists = [week.newOverdue, week.expiringSoon, week.expired, week.policyMissing];
  return week.newComments === 0 && lists.every((list) => list.length === 0);
}

export function championEvents(champion: ChampionSnapshot, today: string, weekday: number = DEFAULT_DIGEST_WEEKDAY): NotificationEvent[] {
  const week = weeklyDigestPeriod(today, weekday);
  if (week === null || isEmptyWeek(champion.week)) return [];
  return [makeEvent(champion, champion.week.department.id, week, { kind: 'champion-weekly', week, digest: champion.week })];
}

/** A summary for another month than the one just ended is not sent (the loader got the wrong month). */
export function adminEvents(admin: AdminSnapshot, today: string): NotificationEvent[] {
  const month = monthlySummaryPeriod(today);
  if (month === null || admin.kpi.month !== month) return [];
  return [makeEvent(admin, 'kpi', month, { kind: 'admin-monthly', kpi: admin.kpi })];
}

/** A message for a channel: a department's champions' channel or the programme team's. */
export type ChannelPost =
  | { key: string; target: { kind: 'department'; departmentId: string }; data: { kind: 'champion-weekly'; week: string; digest: DepartmentWeek } }
  | { key: string; target: { kind: 'programme' }; data: { kind: 'admin-monthly'; kpi: KpiSummary } };

/**
 * The channel posts due today, on the same days and with the same windows as the e-mails; the
 * key's recipient is the channel, so the e-mail to a champion and the post to their channel
 * are separate messages, each sent once.
 */
export function channelPosts(
  input: { departments: readonly DepartmentWeek[]; programme: KpiSummary | null },
  today: string,
  weekday: number = DEFAULT_DIGEST_WEEKDAY,
): ChannelPost[] {
  const posts: ChannelPost[] = [];
  if (!isWorkingDay(today)) return posts;
  const week = weeklyDigestPeriod(today, weekday);
  if (week !== null) {
    for (const digest of input.departments) {
      if (isEmptyWeek(digest)) continue;
      const key = idempotencyKey(`channel-department-${digest.department.id}`, 'champion-weekly', digest.department.id, week);
      posts.push({ key, target: { kind: 'department', departmentId: digest.department.id }, data: { kind: 'champion-weekly', week, digest } });
    }
  }
  const month = monthlySummaryPeriod(today);
  if (month !== null && input.programme !== null && input.programme.month === month) {
    const key = idempotencyKey('channel-programme', 'admin-monthly', 'kpi', month);
    posts.push({ key, target: { kind: 'programme' }, data: { kind: 'admin-monthly', kpi: input.programme } });
  }
  return posts;
}
