/**
 * The KPIs start in the month of the first user's creation, and that creation time is the clock's
 * (src/platform/clock.ts), not SQLite's own: a test that moves the clock moves the start too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dataStartMonth } from './facts.server.ts';
import { fixedClock, setClock } from '../../platform/clock.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';

let t: TempDb | null = null;

afterEach(() => {
  setClock(null);
  t?.cleanup();
  t = null;
});

describe('dataStartMonth', () => {
  it('is null without users or activity', async () => {
    t = tempDb();
    expect(await dataStartMonth(t.db, 'Asia/Tokyo')).toBeNull();
  });

  it('is the month the clock said when the first user was created, in the app time zone', async () => {
    t = tempDb();
    setClock(fixedClock(new Date('2021-03-31T14:30:00Z')));
    await addUser(t.db, { email: 'first@example.com' });
    setClock(null);
    await addUser(t.db, { email: 'later@example.com' });
    expect(await dataStartMonth(t.db, 'Asia/Tokyo')).toBe('2021-03');
  });
});
