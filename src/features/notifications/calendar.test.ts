import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import type { CalendarUser } from './calendar.ts';
import { assignmentCalendar, calendarFeed } from './calendar.ts';
import { APPLIED, BASIC, learner } from './fixtures/snapshots.ts';

const SITE = 'https://manabi.example.co.jp';
const NOW = new Date('2026-12-01T00:00:00Z');

const user: CalendarUser = learner({
  userId: '42',
  assignments: [
    { id: 'a1', tier: BASIC, assignedOn: '2026-11-01', dueOn: '2026-12-20', completed: false },
    { id: 'a2', tier: APPLIED, assignedOn: '2026-11-01', dueOn: '2027-01-11', completed: true },
    { id: 'a3', tier: APPLIED, assignedOn: '2026-11-01', dueOn: null, completed: false },
  ],
  renewals: [{ tier: BASIC, cycle: 2, openedOn: '2027-01-01', renewBy: '2027-03-31', completed: false }],
  certificates: [
    { id: 'c1', tier: BASIC, validUntil: '2025-03-31' },
    { id: 'c2', tier: BASIC, validUntil: '2027-03-31' },
  ],
});

function parse(text: string): { calendar: ICAL.Component; events: ICAL.Event[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return { calendar, events: calendar.getAllSubcomponents('vevent').map((vevent) => new ICAL.Event(vevent)) };
}

describe('calendar feed', () => {
  it('parses, is published with a name, and holds the user’s open deadlines as all-day events', () => {
    const text = calendarFeed(user, { siteUrl: SITE, now: NOW });
    const { calendar, events } = parse(text);
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Manabiの期限');
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(events.map((e) => [e.uid, e.summary, e.startDate.toString(), e.endDate.toString(), e.startDate.isDate])).toEqual([
      ['manabi-due-42-a1@manabi.example.co.jp', '期限：基礎', '2026-12-20', '2026-12-21', true],
      ['manabi-certificate-42-c2@manabi.example.co.jp', '修了証の有効期限：基礎', '2027-03-31', '2027-04-01', true],
      ['manabi-renewal-42-basic-2@manabi.example.co.jp', '更新期限：基礎', '2027-03-31', '2027-04-01', true],
    ]);
    expect(events[0]!.component.getFirstPropertyValue('url')).toBe(`${SITE}/tiers/basic`);
    expect(events[0]!.description).toBe('Manabiの「基礎」をこの日までに修了してください。');
    expect(text).not.toContain('a2'); // completed
    expect(text).not.toContain('c1'); // replaced by c2
  });

  it('keeps UIDs stable across copies and follows a moved due date with the same UID', () => {
    const first = parse(calendarFeed(user, { siteUrl: SITE, now: NOW })).events.map((e) => e.uid);
    const moved: CalendarUser = { ...user, assignments: [{ ...user.assignments[0]!, dueOn: '2026-12-25' }] };
    const later = parse(calendarFeed(moved, { siteUrl: SITE, now: new Date('2026-12-10T00:00:00Z') })).events;
    expect(later.map((e) => e.uid)).toEqual(first);
    expect(later[0]!.startDate.toString()).toBe('2026-12-25');
    expect(later[0]!.component.getFirstPropertyValue('dtstamp')!.toString()).toBe('2026-12-10T00:00:00Z');
  });

  it('is in English for an English user, with /en/ links', () => {
    const { calendar, events } = parse(calendarFeed({ ...user, locale: 'en' }, { siteUrl: SITE, now: NOW }));
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Manabi deadlines');
    expect(events[0]!.summary).toBe('Due: Basic');
    expect(events[0]!.component.getFirstPropertyValue('url')).toBe(`${SITE}/en/tiers/basic`);
  });

  it('writes CRLF lines folded without splitting a character, and the parser joins them again', () => {
    // `ics` folds at 75 characters, not 75 octets: RFC 5545's SHOULD, which Japanese text exceeds
    // (3 octets a character); Outlook, Google Calendar and ical.js read such lines.
    const long = { ...user, assignments: [{ ...user.assignments[0]!, tier: { id: 'basic', title: { ja: '長い名前'.repeat(20), en: 'x' } } }] };
    const text = calendarFeed(long, { siteUrl: SITE, now: NOW });
    expect(text).toMatch(/\r\n/);
    expect(text).not.toMatch(/[^\r]\n/);
    for (const line of text.split('\r\n')) expect([...line].length, line).toBeLessThanOrEqual(75);
    expect(text).not.toContain('\uFFFD');
    expect(parse(text).events[0]!.summary).toBe(`期限：${'長い名前'.repeat(20)}`);
  });
});

describe('add to calendar', () => {
  it('is the feed’s event alone, with the same UID', () => {
    const { calendar, events } = parse(assignmentCalendar(user, 'a1', { siteUrl: SITE, now: NOW })!);
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(events.map((e) => [e.uid, e.startDate.toString()])).toEqual([['manabi-due-42-a1@manabi.example.co.jp', '2026-12-20']]);
  });

  it('is null for a completed assignment, one without a due date, or an unknown one', () => {
    for (const id of ['a2', 'a3', 'nope']) expect(assignmentCalendar(user, id, { siteUrl: SITE, now: NOW })).toBeNull();
  });
});
