import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activityMonths, lessonViews } from '../../../db/schema/index.ts';
import { recordLessonView } from './progress.server.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { rawDrizzle } from '../../platform/db.server.ts';

let t: TempDb;
beforeEach(() => {
  t = tempDb();
});
afterEach(() => t.cleanup());

const TZ = 'Asia/Tokyo';

describe('recordLessonView (real SQLite)', () => {
  it('stores one view per user, lesson and local day, and still the next day and in another database', async () => {
    const user = await addUser(t.db, { email: 'views@example.com' });
    const morning = new Date('2026-11-27T00:30:00Z'); // 09:30 in Tokyo
    await recordLessonView(t.db, user, 'lesson-a', TZ, morning);
    await recordLessonView(t.db, user, 'lesson-a', TZ, new Date('2026-11-27T10:00:00Z'));
    await recordLessonView(t.db, user, 'lesson-b', TZ, morning);
    // 15:30 UTC is already the next day in Tokyo.
    const nextDay = new Date('2026-11-27T15:30:00Z');
    await recordLessonView(t.db, user, 'lesson-a', TZ, nextDay);
    const days = (await rawDrizzle(t.db).select().from(lessonViews)).map((v) => `${v.lessonId} ${v.day}`).sort();
    expect(days).toEqual(['lesson-a 2026-11-27', 'lesson-a 2026-11-28', 'lesson-b 2026-11-27']);
    expect((await rawDrizzle(t.db).select().from(activityMonths)).map((a) => a.month)).toEqual(['2026-11']);

    // The memory of views already stored is per database: the same ids elsewhere are new.
    const other = tempDb();
    try {
      const same = await addUser(other.db, { email: 'views@example.com' });
      expect(same).toBe(user);
      await recordLessonView(other.db, same, 'lesson-a', TZ, nextDay);
      expect(await rawDrizzle(other.db).select().from(lessonViews)).toHaveLength(1);
    } finally {
      other.cleanup();
    }
  });
});
