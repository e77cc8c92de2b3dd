/**
 * The day's plan made in a worker thread (what the server does, plan-worker.server.ts) is the
 * plan made on this thread, part by part and whole; a failure comes back as an error.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDay } from '../../src/features/notifications/outbox.server.ts';
import { planDayInWorker } from '../../src/features/notifications/plan-worker.server.ts';
import { loadNotificationSnapshot } from '../../src/features/notifications/snapshot.server.ts';
import { createAssignment } from '../../src/features/programme/assignments.server.ts';
import { findDepartmentId } from '../../src/features/users/users.server.ts';
import { fixedClock, setClock } from '../../src/platform/clock.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';

const DAY = '2027-01-05';
let t: TempDb;

beforeAll(async () => {
  setClock(fixedClock(Date.parse('2027-01-05T00:05:00Z')));
  t = tempDb();
  const admin = await addUser(t.db, { email: 'admin@example.com', role: 'admin', department: 'IT' });
  // More learners than one part (250), so the plan crosses parts.
  for (let i = 0; i < 260; i++) await addUser(t.db, { email: `learner${i}@example.com`, name: `Learner ${i}` });
  const sales = (await t.db.read(async (q) => await findDepartmentId(q, '営業部')))!;
  await createAssignment(t.db, { tierId: 'basic', target: { kind: 'department', departmentId: sales }, due: { kind: 'date', date: '2027-01-13' }, createdBy: admin });
});

afterAll(() => {
  setClock(null);
  t?.cleanup();
});

describe('the plan in a worker thread', () => {
  it('is the plan made on this thread', async () => {
    const here = await planDay(t.db, await loadNotificationSnapshot(t.db, DAY), DAY, { emailEnabled: true });
    expect(here.digests.length).toBeGreaterThan(250);
    const there = await planDayInWorker({ databasePath: t.file, day: DAY, emailEnabled: true });
    expect(there).toEqual(here);
  }, 60_000);

  it('answers a failure with its message', async () => {
    await expect(planDayInWorker({ databasePath: path.join(t.dir, 'missing', 'none.db'), day: DAY, emailEnabled: true })).rejects.toThrow(/unable to open database/i);
  }, 30_000);
});
