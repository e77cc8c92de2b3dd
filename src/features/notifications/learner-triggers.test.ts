import { describe, expect, it } from 'vitest';
import { BASIC, learner, sentLines, simulate, snapshot } from './fixtures/snapshots.ts';
import type { AssignmentSnapshot, LearnerSnapshot, NotificationSnapshot, PolicySnapshot } from './model.ts';

const between =
  (from: string, to: string) =>
  (day: string): boolean =>
    day >= from && day <= to;

function withAssignment(fields: Partial<AssignmentSnapshot> = {}, learnerFields: Partial<LearnerSnapshot> = {}): NotificationSnapshot {
  const assignment: AssignmentSnapshot = { id: 'a1', tier: BASIC, assignedOn: '2026-11-30', dueOn: '2026-12-20', completed: false, ...fields };
  return snapshot({ learners: [learner({ userId: '1', assignments: [assignment], ...learnerFields })] });
}

describe('assignment triggers', () => {
  it('due Sunday 2026-12-20: 7 and 1 days before move back to Friday 12-11 and 12-18; overdue on the 21st, then weekly, 4 times', () => {
    const sent = simulate(withAssignment(), '2026-11-25', '2027-02-28');
    expect(sentLines(sent)).toEqual([
      '2026-11-30 assignment-new',
      '2026-12-11 due-soon/7',
      '2026-12-18 due-soon/1',
      '2026-12-21 overdue/1',
      '2026-12-28 overdue/2',
      '2027-01-04 overdue/3',
      // Monday 2027-01-11 is Coming of Age Day: the 4th follow-up moves to Tuesday.
      '2027-01-12 overdue/4',
    ]);
    const days = sent.map((digest) => digest.day);
    expect(days).not.toContain('2026-12-13');
    expect(days).not.toContain('2026-12-19');
    const daysLeft = sent.flatMap((d) => d.sections.flatMap((s) => s.events)).map((e) => ('daysLeft' in e.data ? e.data.daysLeft : null));
    expect(daysLeft.filter((n) => n !== null)).toEqual([9, 2]);
  });

  it('on a weekday due date: exactly 7 and 1 days before, overdue the day after', () => {
    const sent = simulate(withAssignment({ assignedOn: '2026-12-01', dueOn: '2026-12-23' }), '2026-12-01', '2027-02-28');
    expect(sentLines(sent).filter((line) => !line.endsWith('assignment-new'))).toEqual([
      '2026-12-16 due-soon/7',
      '2026-12-22 due-soon/1',
      '2026-12-24 overdue/1',
      '2026-12-31 overdue/2',
      '2027-01-07 overdue/3',
      '2027-01-14 overdue/4',
    ]);
  });

  it('catches up a missed 7-day notice as "due in 6 days" on the next run', () => {
    const sent = simulate(withAssignment(), '2026-11-30', '2026-12-20', { down: between('2026-12-11', '2026-12-13') });
    const soon = sent.flatMap((d) => d.sections.flatMap((s) => s.events.map((e) => ({ day: d.day, data: e.data })))).filter((e) => e.data.kind === 'due-soon');
    expect(soon.map((e) => [e.day, e.data.kind === 'due-soon' ? [e.data.step, e.data.daysLeft] : null])).toEqual([
      ['2026-12-14', [7, 6]],
      ['2026-12-18', [1, 2]],
    ]);
  });

  it('drops a 7-day notice that the 1-day notice has superseded', () => {
    const sent = simulate(withAssignment(), '2026-11-30', '2026-12-20', { down: between('2026-12-11', '2026-12-17') });
    expect(sentLines(sent)).toEqual(['2026-11-30 assignment-new', '2026-12-18 due-soon/1']);
  });

  it('after downtime sends only the current overdue follow-up, never more than 4', () => {
    const sent = simulate(withAssignment(), '2026-12-21', '2027-03-31', { down: between('2026-12-21', '2027-01-05') });
    expect(sentLines(sent)).toEqual(['2027-01-06 overdue/3', '2027-01-12 overdue/4']);
  });

  it('moves a follow-up off a holiday, and then catches it up for a week of its own', () => {
    // The 4th follow-up's day, Monday 2027-01-11, is a holiday: it is due from Tuesday the 12th to Monday the 18th.
    const sent = simulate(withAssignment(), '2027-01-04', '2027-01-31', { down: between('2027-01-05', '2027-01-17') });
    expect(sentLines(sent)).toEqual(['2027-01-04 overdue/3', '2027-01-18 overdue/4']);
  });

  it('stops once the assignment is completed', () => {
    const sent = simulate((day) => withAssignment({ completed: day >= '2026-12-15' }), '2026-11-30', '2027-02-28');
    expect(sentLines(sent)).toEqual(['2026-11-30 assignment-new', '2026-12-11 due-soon/7']);
  });

  it('sends nothing new when the same day runs twice', () => {
    const once = simulate(withAssignment(), '2026-11-30', '2027-01-31');
    const twice = simulate(withAssignment(), '2026-11-30', '2027-01-31', { runsPerDay: 2 });
    expect(sentLines(twice)).toEqual(sentLines(once));
  });

  it('a new assignment on a 7-day notice day says the due date itself: no 7-day notice that day', () => {
    const sent = simulate(withAssignment({ assignedOn: '2026-12-11' }), '2026-12-01', '2026-12-20');
    expect(sentLines(sent)).toEqual(['2026-12-11 assignment-new', '2026-12-18 due-soon/1']);
  });

  it('a new assignment on a Saturday is announced on Monday; without a due date nothing follows', () => {
    const sent = simulate(withAssignment({ assignedOn: '2026-12-12', dueOn: null }), '2026-12-01', '2027-03-31');
    expect(sentLines(sent)).toEqual(['2026-12-14 assignment-new']);
  });

  it('catches up a new assignment for 14 days, then it is stale', () => {
    const fields = { assignedOn: '2026-12-01', dueOn: null };
    expect(sentLines(simulate(withAssignment(fields), '2026-12-01', '2026-12-31', { down: between('2026-12-01', '2026-12-13') }))).toEqual(['2026-12-14 assignment-new']);
    expect(sentLines(simulate(withAssignment(fields), '2026-12-01', '2026-12-31', { down: between('2026-12-01', '2026-12-14') }))).toEqual([]);
  });
});

describe('certificate and renewal triggers', () => {
  const certified = (validUntil: string, extra: Partial<LearnerSnapshot> = {}): NotificationSnapshot =>
    snapshot({ learners: [learner({ userId: '1', certificates: [{ id: 'c1', tier: BASIC, validUntil }], ...extra })] });

  it('warns 30 and 7 days before the last valid day', () => {
    expect(sentLines(simulate(certified('2027-03-31'), '2027-02-01', '2027-04-30'))).toEqual(['2027-03-01 certificate-expiring/30', '2027-03-24 certificate-expiring/7']);
  });

  it('moves a warning that falls on a holiday or weekend to the working day before', () => {
    // Valid until Sunday 2027-01-31: 30 days before is New Year's Day, 7 days before a Sunday.
    expect(sentLines(simulate(certified('2027-01-31'), '2026-12-01', '2027-02-28'))).toEqual(['2026-12-31 certificate-expiring/30', '2027-01-22 certificate-expiring/7']);
  });

  it('says nothing about a certificate that a newer one of the same tier replaced', () => {
    const renewed = certified('2027-03-31', {
      certificates: [
        { id: 'c1', tier: BASIC, validUntil: '2027-03-31' },
        { id: 'c2', tier: BASIC, validUntil: '2029-03-31' },
      ],
    });
    expect(sentLines(simulate(renewed, '2027-02-01', '2027-04-30'))).toEqual([]);
  });

  it('announces an opened renewal window once, on the first working day, until done', () => {
    const renewal = (completed: boolean): NotificationSnapshot =>
      snapshot({ learners: [learner({ userId: '1', renewals: [{ tier: BASIC, cycle: 2, openedOn: '2027-01-02', renewBy: '2027-03-31', completed }] })] });
    expect(sentLines(simulate(renewal(false), '2026-12-25', '2027-04-30'))).toEqual(['2027-01-04 renewal-opened']);
    expect(sentLines(simulate(renewal(true), '2026-12-25', '2027-04-30'))).toEqual([]);
  });
});

describe('policy and check-in triggers', () => {
  const policy = (fields: Partial<PolicySnapshot>): NotificationSnapshot =>
    snapshot({
      learners: [
        learner({
          userId: '1',
          policies: [
            {
              id: 'ai-use',
              title: { ja: 'AI利用方針', en: 'AI use policy' },
              version: 3,
              effectiveOn: '2027-01-01',
              required: true,
              applies: true,
              acknowledgedVersion: 2,
              ...fields,
            },
          ],
        }),
      ],
    });

  it('asks for a required policy version not yet acknowledged, once, however long ago it took effect', () => {
    expect(sentLines(simulate(policy({}), '2026-12-25', '2027-03-31'))).toEqual(['2027-01-04 policy']);
    expect(sentLines(simulate(policy({}), '2026-12-25', '2027-03-31', { down: between('2027-01-01', '2027-02-28') }))).toEqual(['2027-03-01 policy']);
    expect(sentLines(simulate(policy({ acknowledgedVersion: 3 }), '2026-12-25', '2027-03-31'))).toEqual([]);
    expect(sentLines(simulate(policy({ applies: false }), '2026-12-25', '2027-03-31'))).toEqual([]);
    expect(sentLines(simulate(policy({ required: false }), '2026-12-25', '2027-03-31'))).toEqual([]);
    expect(sentLines(simulate(policy({ acknowledgedVersion: null }), '2026-12-25', '2027-03-31'))).toEqual(['2027-01-04 policy']);
  });

  it('tells about the monthly check-in on its first working day, unless submitted', () => {
    const checkIn =
      (submitted: boolean) =>
      (day: string): NotificationSnapshot =>
        snapshot({ learners: [learner({ userId: '1', checkInSubmitted: submitted })], checkIn: { month: day.slice(0, 7), opensOn: `${day.slice(0, 7)}-01` } });
    expect(sentLines(simulate(checkIn(false), '2026-12-01', '2027-02-28'))).toEqual(['2026-12-01 check-in', '2027-01-04 check-in', '2027-02-01 check-in']);
    expect(sentLines(simulate(checkIn(true), '2026-12-01', '2027-02-28'))).toEqual([]);
  });
});
