/**
 * Every notification trigger end to end on a real SQLite file with the real migrations: users,
 * assignments, certificates, policy acknowledgements, check-ins, comments and opt-outs written by
 * the app's own functions, the clock walked day by day from 2026-12-01 to 2027-01-20 (09:00 in
 * Asia/Tokyo), and each day `planDigests(await loadNotificationSnapshot(db, day), day, …)` against
 * an outbox kept as a set of event keys (what its unique index amounts to).
 *
 * The cast: Lea (sales) is assigned basic, due Wednesday 2026-12-23; Cara (HR, English) holds a
 * basic certificate whose last valid day is Friday 2027-01-15; Pia (HR) has not acknowledged the
 * HR policy, whose version 2 takes effect on 2026-12-10; Kai has not done the check-in, Olive
 * neither but opted out of it; Cham and Hana are the sales and HR champions, Ada the admin. Dee
 * (deactivated) and Eve (erased) are enrolled in the sales assignment and must never appear.
 */
import { rebuildCertificateRollupsIn } from '../../src/features/kpi/certificate-rollups.server.ts';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, notificationOptOuts, policyAcknowledgements } from '../../db/schema/index.ts';
import { learnerEvents } from '../../src/features/notifications/learner-triggers.ts';
import type { NotificationEvent } from '../../src/features/notifications/model.ts';
import { planDigests, type Digest } from '../../src/features/notifications/plan.ts';
import { loadCalendarUser, loadNotificationSnapshot, type LoadedNotificationSnapshot, type SnapshotSources } from '../../src/features/notifications/snapshot.server.ts';
import { addDays, isWorkingDay, sendInstant } from '../../src/features/notifications/working-days.ts';
import { saveFeedback } from '../../src/features/feedback/feedback.server.ts';
import type { Policy } from '../../src/features/policies/policies.ts';
import { createAssignment } from '../../src/features/programme/assignments.server.ts';
import { saveCheckin } from '../../src/features/programme/checkins.server.ts';
import { eraseUserPersonalData } from '../../src/features/users/erasure.server.ts';
import { changeUserActive } from '../../src/features/users/user-changes.server.ts';
import { setPreferredLocale } from '../../src/features/users/users-profile.server.ts';
import { findDepartmentId } from '../../src/features/users/users.server.ts';
import { fixedClock, setClock } from '../../src/platform/clock.ts';
import { getConfig } from '../../src/platform/config.server.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';

const TZ = getConfig().timeZone;
const at = (day: string): Date => sendInstant(day, { timeZone: TZ, hour: 9 });
const startOf = (day: string): Date => sendInstant(day, { timeZone: TZ, hour: 0 });

const hrPolicy = (version: number, effective: string): Policy => ({
  id: 'hr-rules',
  version,
  effective,
  audience: { roles: [], departments: ['HR'] },
  required: true,
  text: { ja: { title: '人事規程', summary: '', changes: '', entryId: 'hr-rules/ja' }, en: { title: 'HR rules', summary: '', changes: '', entryId: 'hr-rules/en' } },
});
const optional: Policy = { ...hrPolicy(1, '2026-11-01'), id: 'reading', audience: 'all', required: false };
const sourcesWith = (policies: Policy[]): SnapshotSources => ({ catalog: fixtureCatalog(), policies: { policies, policy: (id) => policies.find((p) => p.id === id) ?? null } });
const BEFORE_V2 = sourcesWith([hrPolicy(1, '2026-12-01'), optional]);
const AFTER_V2 = sourcesWith([hrPolicy(2, '2026-12-10'), optional]);
const sourcesOn = (day: string): SnapshotSources => (day < '2026-12-10' ? BEFORE_V2 : AFTER_V2);

let t: TempDb;
const ids: Record<string, number> = {};
const names = new Map<string, string>();
/** Every day of the walk: the snapshot and what was planned. */
const walk = new Map<string, { snapshot: LoadedNotificationSnapshot; digests: Digest[] }>();

/** `day name kind/step…` for every planned e-mail, in day and name order. */
function lines(): string[] {
  const step = (e: NotificationEvent): string => {
    const d = e.data;
    if (d.kind === 'due-soon' || d.kind === 'overdue' || d.kind === 'certificate-expiring') return `${d.kind}/${d.step}`;
    if (d.kind === 'policy') return `policy/v${d.version}`;
    if (d.kind === 'admin-monthly') return `admin-monthly/${d.kpi.month}`;
    return d.kind;
  };
  return [...walk.entries()]
    .flatMap(([day, { digests }]) => digests.map((d) => `${day} ${names.get(d.recipient.userId)} ${d.sections.flatMap((s) => s.events.map(step)).join(' ')}`))
    .sort();
}

beforeAll(async () => {
  t = tempDb();
  const { db } = t;
  setClock(fixedClock(at('2026-11-02')));
  const people: [string, { role?: 'champion' | 'admin'; department: string; name: string }][] = [
    ['ada', { role: 'admin', department: 'IT', name: 'Ada' }],
    ['lea', { department: '営業部', name: 'Lea' }],
    ['cham', { role: 'champion', department: '営業部', name: 'Cham' }],
    ['dee', { department: '営業部', name: 'Dee' }],
    ['eve', { department: '営業部', name: 'Eve' }],
    ['cara', { department: 'HR', name: 'Cara' }],
    ['pia', { department: 'HR', name: 'Pia' }],
    ['hana', { role: 'champion', department: 'HR', name: 'Hana' }],
    ['kai', { department: 'IT', name: 'Kai' }],
    ['olive', { department: 'IT', name: 'Olive' }],
  ];
  for (const [key, p] of people) {
    ids[key] = await addUser(db, { email: `${key}@example.com`, ...p });
    names.set(String(ids[key]), p.name);
  }
  await setPreferredLocale(db, ids.cara!, 'en');
  // HR has had basic (no due date) since November: nothing new in December.
  const department = async (name: string): Promise<number> => (await db.read(async (q) => await findDepartmentId(q, name)))!;
  await createAssignment(db, { tierId: 'basic', target: { kind: 'department', departmentId: await department('HR') }, due: { kind: 'none' }, createdBy: ids.ada! });
  await db.write(async (tx) => {
    // Cara: valid from 2026-01-16, until the end of 2027-01-15. Cham: a certificate that never expires.
    await tx.insert(certificates).values([
      { code: 'cara-basic-1', userId: ids.cara!, tierId: 'basic', cycle: 1, holderName: 'Cara', issuedAt: startOf('2026-01-16'), validUntil: startOf('2027-01-16') },
      { code: 'cham-basic-1', userId: ids.cham!, tierId: 'basic', cycle: 1, holderName: 'Cham', issuedAt: startOf('2026-10-01'), validUntil: null },
    ]);
    await tx.insert(policyAcknowledgements).values([
      { userId: ids.cara!, policyId: 'hr-rules', version: 1, locale: 'en', acknowledgedAt: at('2026-11-02') },
      { userId: ids.hana!, policyId: 'hr-rules', version: 1, locale: 'ja', acknowledgedAt: at('2026-11-02') },
      { userId: ids.hana!, policyId: 'hr-rules', version: 2, locale: 'ja', acknowledgedAt: at('2026-11-02') },
    ]);
    await tx.insert(notificationOptOuts).values({ userId: ids.olive!, kind: 'check-in' });
    // Certificates written straight into the table: derive the certificate roll-ups as a rebuild would.
    await rebuildCertificateRollupsIn(tx, TZ);
  });
  for (const month of ['2026-12-01', '2027-01-02']) {
    setClock(fixedClock(at(month)));
    for (const key of ['ada', 'lea', 'cham', 'dee', 'eve', 'cara', 'pia', 'hana']) await saveCheckin(db, { userId: ids[key]!, hoursSaved: 1, tasks: null }, TZ);
  }

  // 2026-12-01: sales is assigned basic, due Wednesday 12-23; then Dee leaves and Eve is erased.
  setClock(fixedClock(at('2026-12-01')));
  await createAssignment(db, {
    tierId: 'basic',
    target: { kind: 'department', departmentId: await department('営業部') },
    due: { kind: 'date', date: '2026-12-23' },
    createdBy: ids.ada!,
  });
  const caller = { actor: { id: ids.ada!, email: 'ada@example.com' }, ip: null };
  expect(await changeUserActive(db, caller, ids.dee!, false)).toEqual({ ok: true });
  expect((await eraseUserPersonalData(db, caller, ids.eve!, 'eve@example.com')).ok).toBe(true);

  const queued = new Set<string>();
  const mailed = new Set<string>();
  const lesson = fixtureCatalog().allLessons()[0]!.id;
  for (let day = '2026-12-01'; day <= '2027-01-20'; day = addDays(day, 1)) {
    setClock(fixedClock(at(day)));
    // A comment from Lea and one without a name (its day is not kept: it cannot count for a week).
    if (day === '2026-12-09') {
      await saveFeedback(db, { userId: ids.lea!, lessonId: lesson, rating: 4, comment: '分かりやすい', locale: 'ja' }, TZ);
      await saveFeedback(db, { userId: ids.cham!, lessonId: lesson, rating: 2, comment: '長い', locale: 'ja', anonymous: true }, TZ);
    }
    const snapshot = await loadNotificationSnapshot(db, day, sourcesOn(day));
    const digests = planDigests(snapshot, day, { alreadyQueued: (key) => queued.has(key), mailedToday: (userId) => mailed.has(`${userId}|${day}`) });
    for (const digest of digests) {
      mailed.add(`${digest.recipient.userId}|${day}`);
      for (const key of digest.eventKeys) queued.add(key);
    }
    walk.set(day, { snapshot, digests });
  }
});

afterAll(() => {
  setClock(null);
  t?.cleanup();
});

describe('the triggers over seven weeks, from the database', () => {
  it('sends each notice once, on the right working day, to the right person', () => {
    expect(lines()).toEqual([
      '2026-12-01 Ada admin-monthly/2026-11',
      '2026-12-01 Kai check-in',
      '2026-12-01 Lea assignment-new',
      '2026-12-01 Pia policy/v1',
      '2026-12-07 Hana champion-weekly',
      '2026-12-10 Cara policy/v2',
      '2026-12-10 Pia policy/v2',
      '2026-12-14 Cham champion-weekly',
      '2026-12-14 Hana champion-weekly',
      '2026-12-16 Cara certificate-expiring/30',
      '2026-12-16 Lea due-soon/7',
      '2026-12-17 Cara renewal-opened',
      '2026-12-21 Hana champion-weekly',
      '2026-12-22 Lea due-soon/1',
      '2026-12-24 Lea overdue/1',
      '2026-12-28 Cham champion-weekly',
      '2026-12-28 Hana champion-weekly',
      '2026-12-31 Lea overdue/2',
      '2027-01-04 Ada admin-monthly/2026-12',
      '2027-01-04 Hana champion-weekly',
      '2027-01-04 Kai check-in',
      '2027-01-07 Lea overdue/3',
      '2027-01-08 Cara certificate-expiring/7',
      // Monday 01-11 is Coming of Age Day: the weekly digest moves to Tuesday.
      '2027-01-12 Hana champion-weekly',
      '2027-01-14 Lea overdue/4',
      '2027-01-18 Hana champion-weekly',
    ]);
  });

  it('sends nothing on a Saturday or on 2027-01-01, though Lea’s overdue notice is due then', () => {
    const lea = (day: string) => walk.get(day)!.snapshot.learners.find((l) => l.userId === String(ids.lea))!;
    for (const day of ['2026-12-05', '2026-12-26', '2027-01-01']) {
      expect(isWorkingDay(day)).toBe(false);
      expect(walk.get(day)!.digests).toEqual([]);
    }
    expect(learnerEvents(lea('2026-12-26'), null, '2026-12-26').map((e) => e.period)).toEqual(['2026-12-23/o1']);
    expect(learnerEvents(lea('2027-01-01'), null, '2027-01-01').map((e) => e.period)).toEqual(['2026-12-23/o2']);
  });

  it('leaves deactivated and erased users out of everything: recipients, calendars, department weeks', async () => {
    const gone = [String(ids.dee), String(ids.eve)];
    for (const { snapshot } of walk.values()) {
      const everyone = [...snapshot.learners, ...snapshot.champions, ...snapshot.admins].map((p) => p.userId);
      expect(everyone.filter((id) => gone.includes(id))).toEqual([]);
      for (const week of snapshot.departments)
        expect([...week.newOverdue, ...week.expiringSoon, ...week.expired, ...week.policyMissing].filter((n) => n === 'Dee' || n.startsWith('削除済み'))).toEqual([]);
    }
    expect(await loadCalendarUser(t.db, ids.dee!, '2027-01-20', fixtureCatalog())).toBeNull();
    expect(await loadCalendarUser(t.db, ids.eve!, '2027-01-20', fixtureCatalog())).toBeNull();
    expect(await loadCalendarUser(t.db, 999_999, '2027-01-20', fixtureCatalog())).toBeNull();
  });

  it('tells each champion about their own department’s week', () => {
    const week = (day: string, champion: string) => walk.get(day)!.digests.find((d) => d.recipient.userId === String(ids[champion]))?.sections[0]?.events[0]?.data;
    expect(week('2026-12-07', 'hana')).toMatchObject({ kind: 'champion-weekly', week: '2026-W50', digest: { department: { name: 'HR' }, policyMissing: ['Pia'], newComments: 0 } });
    // Lea's named comment of 12-09 counts; the one sent without a name does not.
    expect(week('2026-12-14', 'cham')).toMatchObject({ digest: { department: { name: '営業部' }, newOverdue: [], expiringSoon: [], policyMissing: [], newComments: 1 } });
    expect(week('2026-12-14', 'hana')).toMatchObject({ digest: { policyMissing: ['Cara', 'Pia'], expiringSoon: [] } });
    expect(week('2026-12-21', 'hana')).toMatchObject({ digest: { expiringSoon: ['Cara'], expired: [] } });
    expect(week('2026-12-28', 'cham')).toMatchObject({ digest: { newOverdue: ['Lea'], newComments: 0 } });
    expect(week('2027-01-18', 'hana')).toMatchObject({ digest: { expiringSoon: [], expired: ['Cara'] } });
    // Cham's own basic never expires and is complete: nothing about him.
    expect(walk.get('2027-01-20')!.snapshot.learners.find((l) => l.userId === String(ids.cham))).toMatchObject({
      assignments: [{ completed: true }],
      certificates: [],
      renewals: [],
    });
  });

  it('gives the admin the summary of the month before, and the channels every department’s week', () => {
    const { snapshot } = walk.get('2027-01-04')!;
    expect(snapshot.admins.map((a) => [a.userId, a.kpi.month])).toEqual([[String(ids.ada), '2026-12']]);
    expect(snapshot.programme?.month).toBe('2026-12');
    // Of the five active people assigned basic (Lea, Cham, Cara, Pia, Hana), Cara and Cham held it at the end of December.
    expect(snapshot.programme?.certifiedNow.value).toBeCloseTo(2 / 5);
    // Outside the summary's window (the first working day of the month and 13 days after) nobody is due it: no KPIs read.
    expect(walk.get('2027-01-18')).toMatchObject({ snapshot: { programme: null, admins: [] } });
    expect(walk.get('2027-01-17')!.snapshot.programme?.month).toBe('2026-12');
    expect(snapshot.departments.map((d) => d.department.name).sort()).toEqual(['HR', 'IT', '営業部']);
  });

  it('loads one user’s deadlines for the calendar: due date, open renewal, certificate', async () => {
    setClock(fixedClock(at('2026-12-20')));
    expect(await loadCalendarUser(t.db, ids.lea!, '2026-12-20', fixtureCatalog())).toMatchObject({
      userId: String(ids.lea),
      locale: 'ja',
      assignments: [{ tier: { id: 'basic' }, assignedOn: '2026-12-01', dueOn: '2026-12-23', completed: false }],
      certificates: [],
      renewals: [],
    });
    expect(await loadCalendarUser(t.db, ids.cara!, '2026-12-20', fixtureCatalog())).toMatchObject({
      locale: 'en',
      assignments: [{ completed: true, dueOn: null }],
      certificates: [{ tier: { id: 'basic', title: { en: 'Basic' } }, validUntil: '2027-01-15' }],
      renewals: [{ cycle: 2, openedOn: '2026-12-17', renewBy: '2027-01-15', completed: false }],
    });
  });
});

describe('the snapshot honours what the database says', () => {
  it('an opt-out, a check-in done, an acknowledged version', async () => {
    const { snapshot } = walk.get('2026-12-01')!;
    const person = (key: string) => snapshot.learners.find((l) => l.userId === String(ids[key]))!;
    expect(person('olive').optOut).toEqual(['check-in']);
    expect([person('kai').checkInSubmitted, person('lea').checkInSubmitted]).toEqual([false, true]);
    expect(person('cara').policies.map((p) => [p.id, p.applies, p.acknowledgedVersion])).toEqual([
      ['hr-rules', true, 1],
      ['reading', true, null],
    ]);
    expect(person('lea').policies.find((p) => p.id === 'hr-rules')!.applies).toBe(false);
    expect(await rawDrizzle(t.db).select().from(notificationOptOuts).where(eq(notificationOptOuts.userId, ids.olive!))).toHaveLength(1);
  });
});
