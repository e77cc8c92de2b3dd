/**
 * A user's deadlines as iCalendar (RFC 5545) with the `ics` library: the private feed that
 * Outlook and Google Calendar subscribe to, and a single event to add one assignment. Deadlines
 * are all-day events on the local day (DTSTART;VALUE=DATE, DTEND the day after), so no time
 * zone can move them to another day. Each UID is stable (it names the user and the thing, not
 * the date), so a changed due date moves the event instead of adding one, and the single event
 * and the feed's copy are the same event. `ics` folds long lines at 75 characters rather than
 * RFC 5545's 75 octets (a SHOULD; calendar clients read both), never inside a character.
 */
import type { EventAttributes } from 'ics';
import { createEvents } from 'ics';
import type { Locale } from './external.ts';
import { pages, siteBase, siteLink } from './links.ts';
import type { LearnerSnapshot } from './model.ts';
import { notificationText } from './strings.ts';
import { addDays } from './working-days.ts';

export const PRODUCT_ID = '-//Manabi//Deadlines//EN';

export type CalendarUser = Pick<LearnerSnapshot, 'userId' | 'locale' | 'assignments' | 'renewals' | 'certificates'>;

export interface CalendarOptions {
  siteUrl: string;
  /** DTSTAMP: when this copy was made (the clock's now). */
  now: Date;
}

/** `ics` writes DTSTAMP from `timestamp`, which its types leave out. */
type Event = EventAttributes & { timestamp: number };

export function calendarUid(kind: 'due' | 'renewal' | 'certificate', userId: string, subject: string, siteUrl: string): string {
  return `manabi-${kind}-${encodeURIComponent(userId)}-${encodeURIComponent(subject)}@${siteBase(siteUrl).hostname}`;
}

function dateArray(day: string): [number, number, number] {
  return day.split('-').map(Number) as [number, number, number];
}

function allDay(day: string, fields: { uid: string; title: string; description: string; url: string }, now: Date): Event {
  return { ...fields, start: dateArray(day), end: dateArray(addDays(day, 1)), timestamp: now.getTime(), busyStatus: 'FREE', transp: 'TRANSPARENT' };
}

function dueEvent(user: CalendarUser, assignment: CalendarUser['assignments'][number], options: CalendarOptions): Event | null {
  if (assignment.completed || assignment.dueOn === null) return null;
  const t = notificationText(user.locale);
  const tier = assignment.tier.title[user.locale];
  return allDay(
    assignment.dueOn,
    {
      uid: calendarUid('due', user.userId, assignment.id, options.siteUrl),
      title: t('calendar.due', { tier }),
      description: t('calendar.dueDescription', { tier }),
      url: siteLink(options.siteUrl, pages.tier(user.locale, assignment.tier.id)),
    },
    options.now,
  );
}

/** The user's open due dates, open renewal deadlines and current certificates' last valid days. */
export function calendarEvents(user: CalendarUser, options: CalendarOptions): Event[] {
  const t = notificationText(user.locale);
  const locale: Locale = user.locale;
  const events: Event[] = user.assignments.map((assignment) => dueEvent(user, assignment, options)).filter((e): e is Event => e !== null);
  for (const renewal of user.renewals) {
    if (renewal.completed) continue;
    const tier = renewal.tier.title[locale];
    events.push(
      allDay(
        renewal.renewBy,
        {
          uid: calendarUid('renewal', user.userId, `${renewal.tier.id}-${renewal.cycle}`, options.siteUrl),
          title: t('calendar.renewBy', { tier }),
          description: t('calendar.renewDescription', { tier }),
          url: siteLink(options.siteUrl, pages.tier(locale, renewal.tier.id)),
        },
        options.now,
      ),
    );
  }
  const newest = new Map<string, CalendarUser['certificates'][number]>();
  for (const certificate of user.certificates) {
    const current = newest.get(certificate.tier.id);
    if (!current || certificate.validUntil > current.validUntil) newest.set(certificate.tier.id, certificate);
  }
  for (const certificate of newest.values()) {
    const tier = certificate.tier.title[locale];
    events.push(
      allDay(
        certificate.validUntil,
        {
          uid: calendarUid('certificate', user.userId, certificate.id, options.siteUrl),
          title: t('calendar.validUntil', { tier }),
          description: t('calendar.validDescription', { tier }),
          url: siteLink(options.siteUrl, pages.tier(locale, certificate.tier.id)),
        },
        options.now,
      ),
    );
  }
  const day = (event: Event): string => (event.start as number[]).map((n) => String(n).padStart(2, '0')).join('-');
  return events.sort((a, b) => day(a).localeCompare(day(b)) || a.uid!.localeCompare(b.uid!));
}

function write(events: Event[], calName: string | null): string {
  const { error, value } = createEvents(events, { productId: PRODUCT_ID, method: 'PUBLISH', ...(calName ? { calName } : {}) });
  if (error || value === null) throw new Error(`Could not write the calendar: ${error?.message ?? 'no output'}`);
  return value;
}

/** The private feed (METHOD:PUBLISH, X-WR-CALNAME in the user's language). */
export function calendarFeed(user: CalendarUser, options: CalendarOptions): string {
  return write(calendarEvents(user, options), notificationText(user.locale)('calendar.name'));
}

/** "Add to calendar" for one assignment: the feed's event on its own, or null when it has no open due date. */
export function assignmentCalendar(user: CalendarUser, assignmentId: string, options: CalendarOptions): string | null {
  const assignment = user.assignments.find((a) => a.id === assignmentId);
  const event = assignment ? dueEvent(user, assignment, options) : null;
  return event ? write([event], null) : null;
}
