import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APPLIED, BASIC, champion, kpiSummary, learner, sentLines, simulate, snapshot } from './fixtures/snapshots.ts';
import type { LearnerSnapshot, NotificationSnapshot, OptionalKind } from './model.ts';
import { OPTIONAL_KINDS } from './model.ts';
import { collectEvents, planDigests } from './plan.ts';
import { addDays, daysBetween, isWorkingDay } from './working-days.ts';

/** One person who is learner, champion and admin, with something of every kind due on Monday 2027-01-04. */
function busy(fields: Partial<LearnerSnapshot> = {}): NotificationSnapshot {
  const person = { userId: '1', name: '佐藤 花子', email: 'hanako@example.com', locale: 'ja' as const, optOut: [] };
  return snapshot({
    learners: [
      learner({
        ...person,
        assignments: [
          { id: 'a1', tier: BASIC, assignedOn: '2026-11-01', dueOn: '2026-12-20', completed: false },
          { id: 'a2', tier: APPLIED, assignedOn: '2026-12-01', dueOn: '2027-01-11', completed: false },
        ],
        policies: [
          { id: 'ai-use', title: { ja: 'AI利用方針', en: 'AI use policy' }, version: 2, effectiveOn: '2027-01-01', required: true, applies: true, acknowledgedVersion: 1 },
        ],
        ...fields,
      }),
    ],
    checkIn: { month: '2027-01', opensOn: '2027-01-01' },
    champions: [champion({ ...person })],
    admins: [{ ...person, kpi: kpiSummary('2026-12') }],
  });
}

describe('one e-mail per person per day', () => {
  it('combines everything due for one person into one digest, most urgent first', () => {
    const digests = planDigests(busy(), '2027-01-04');
    expect(digests).toHaveLength(1);
    expect(digests[0]!.sections.map((s) => s.kind)).toEqual(['overdue', 'policy', 'due-soon', 'check-in', 'champion-weekly', 'admin-monthly']);
    expect(digests[0]!.eventKeys).toHaveLength(6);
    expect(digests[0]!.optionalKinds).toEqual(['check-in', 'champion-weekly', 'admin-monthly']);
    expect(digests[0]!.key).toBe('1:digest:email:2027-01-04');
  });

  it('sends nothing on a Saturday, a Sunday or New Year’s Day', () => {
    for (const day of ['2027-01-01', '2027-01-02', '2027-01-03', '2026-12-19']) expect(planDigests(busy(), day)).toEqual([]);
  });

  it('holds what comes up after the day’s e-mail until the next working day', () => {
    const mailed = new Set<string>();
    for (const digest of planDigests(busy(), '2027-01-04')) mailed.add(digest.recipient.userId);
    const later = busy({ assignments: [{ id: 'a3', tier: BASIC, assignedOn: '2027-01-04', dueOn: null, completed: false }] });
    expect(planDigests(later, '2027-01-04', { mailedToday: (id) => mailed.has(id) })).toEqual([]);
    const next = planDigests(later, '2027-01-05');
    expect(next.flatMap((d) => d.sections.map((s) => s.kind))).toContain('assignment-new');
  });
});

describe('opt-outs and the admin’s switches', () => {
  it('never shows an optional kind the person opted out of, in any role', () => {
    const sent = simulate(busy({ optOut: ['check-in', 'champion-weekly'] }), '2026-12-01', '2027-02-28');
    const kinds = new Set(sentLines(sent).map((line) => line.split(' ')[1]!.split('/')[0]));
    expect(kinds.has('check-in')).toBe(false);
    expect(kinds.has('champion-weekly')).toBe(false);
    expect(kinds.has('admin-monthly')).toBe(true);
    expect(kinds.has('overdue')).toBe(true);
  });

  it('ignores a mandatory kind in a user’s opt-outs; only the admin can switch it off', () => {
    const forged = busy({ optOut: ['overdue', 'policy'] as unknown as OptionalKind[] });
    expect(collectEvents(forged, '2027-01-04').map((e) => e.data.kind)).toEqual(expect.arrayContaining(['overdue', 'policy']));
    const switchedOff = collectEvents(busy(), '2027-01-04', { disabledKinds: ['overdue', 'check-in'] }).map((e) => e.data.kind);
    expect(switchedOff).not.toContain('overdue');
    expect(switchedOff).not.toContain('check-in');
    expect(switchedOff).toContain('policy');
  });
});

const DAY0 = '2026-11-01';
const dayArb = (max: number): fc.Arbitrary<string> => fc.integer({ min: 0, max }).map((n) => addDays(DAY0, n));

const learnerArb = (userId: string): fc.Arbitrary<LearnerSnapshot> =>
  fc
    .record({
      locale: fc.constantFrom('ja' as const, 'en' as const),
      optOut: fc.subarray([...OPTIONAL_KINDS]),
      assignments: fc.array(
        fc.record({ tier: fc.constantFrom(BASIC, APPLIED), assignedOn: dayArb(60), dueIn: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }), completed: fc.boolean() }),
        { maxLength: 3 },
      ),
      certificates: fc.array(fc.record({ tier: fc.constantFrom(BASIC, APPLIED), validUntil: dayArb(150) }), { maxLength: 2 }),
      checkInSubmitted: fc.boolean(),
      policyAck: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    })
    .map((r) =>
      learner({
        userId,
        locale: r.locale,
        optOut: r.optOut,
        assignments: r.assignments.map((a, i) => ({
          id: `a${i}`,
          tier: a.tier,
          assignedOn: a.assignedOn,
          dueOn: a.dueIn === null ? null : addDays(a.assignedOn, a.dueIn),
          completed: a.completed,
        })),
        certificates: r.certificates.map((c, i) => ({ id: `c${i}`, ...c })),
        renewals: r.certificates.map((c, i) => ({ tier: c.tier, cycle: i + 2, openedOn: addDays(c.validUntil, -60), renewBy: c.validUntil, completed: false })),
        policies: [
          {
            id: 'ai-use',
            title: { ja: 'AI利用方針', en: 'AI use policy' },
            version: 3,
            effectiveOn: '2026-12-01',
            required: true,
            applies: true,
            acknowledgedVersion: r.policyAck,
          },
        ],
        checkInSubmitted: r.checkInSubmitted,
      }),
    );

const snapshotArb = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => learnerArb(String(i + 1)))))
  .map((learners) =>
    snapshot({
      learners,
      checkIn: { month: '2026-12', opensOn: '2026-12-01' },
      champions: learners.slice(0, 2).map((l) => champion({ userId: l.userId, optOut: l.optOut })),
      admins: learners.slice(0, 1).map((l) => ({ ...l, kpi: kpiSummary('2026-11') })),
    }),
  );

describe('idempotency keys (property)', () => {
  it('are unique within a run, and a second run on the same day yields the same keys', () => {
    fc.assert(
      fc.property(snapshotArb, dayArb(120), (state, day) => {
        const first = planDigests(state, day);
        const keys = first.flatMap((d) => d.eventKeys);
        expect(new Set(keys).size).toBe(keys.length);
        expect(new Set(first.map((d) => d.recipient.userId)).size).toBe(first.length);
        expect(planDigests(state, day).map((d) => [d.key, d.eventKeys])).toEqual(first.map((d) => [d.key, d.eventKeys]));
      }),
      { numRuns: 150 },
    );
  });

  it('over weeks with random downtime: no event twice, one e-mail a day, none on days off, the step limits kept', () => {
    fc.assert(
      fc.property(snapshotArb, fc.array(fc.boolean(), { minLength: 90, maxLength: 90 }), (state, up) => {
        const sent = simulate(state, DAY0, addDays(DAY0, 89), { down: (day) => !up[daysBetween(DAY0, day)], runsPerDay: 2 });
        const keys = sent.flatMap((d) => d.eventKeys);
        expect(new Set(keys).size).toBe(keys.length);
        const perDay = sent.map((d) => `${d.recipient.userId}|${d.day}`);
        expect(new Set(perDay).size).toBe(perDay.length);
        expect(sent.every((d) => isWorkingDay(d.day))).toBe(true);
        // user:kind:subject:period → how many of one stepped kind about one subject (its steps share the subject).
        const perSubject = new Map<string, number>();
        for (const [user, kind, subject] of keys.map((key) => key.split(':'))) {
          const id = `${user}:${kind}:${subject}`;
          perSubject.set(id, (perSubject.get(id) ?? 0) + 1);
        }
        const limits: Record<string, number> = { overdue: 4, 'due-soon': 2, 'certificate-expiring': 2 };
        for (const [id, n] of perSubject) {
          const limit = limits[id.split(':')[1]!];
          if (limit !== undefined) expect(n, id).toBeLessThanOrEqual(limit);
        }
      }),
      { numRuns: 25 },
    );
  });
});
