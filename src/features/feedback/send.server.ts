/** Feedback from the lesson page: refused for an unknown lesson or a locked course; counts as activity. */
import { getCatalog } from '../curriculum/catalog.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { ACTIVITY_INSERT, recordActivityWith } from '../progress/activity.server.ts';
import { lockedFor } from '../progress/progress.server.ts';
import { OWN_RECORD, ownRecordIn } from '../progress/records.server.ts';
import { FEEDBACK_STATEMENTS, saveFeedbackIn, type FeedbackInput } from './feedback.server.ts';
import { now as clockNow } from '../../platform/clock.ts';

export type SendFeedbackResult = 'not_found' | 'locked' | 'closed' | 'saved';

export async function sendLessonFeedback(db: Db, input: FeedbackInput): Promise<SendFeedbackResult> {
  const catalog = await getCatalog();
  const lesson = catalog.lesson(input.lessonId);
  if (!lesson) return 'not_found';
  const { timeZone } = getConfig();
  // One time for both: the activity month is the feedback's month, on the clock a test may move.
  const now = clockNow();
  // One short write: the lock from the learner record (read once, prepared), then the feedback.
  return db.write(async (tx): Promise<SendFeedbackResult> => {
    if (lockedFor(catalog, await ownRecordIn(tx, db.prepared(...OWN_RECORD), input.userId), lesson.courseId, now, timeZone)) return 'locked';
    const saved = await saveFeedbackIn(tx, db.prepared(...FEEDBACK_STATEMENTS), input, timeZone, now);
    // Feedback sent without the name is final: a refused one changes nothing, not even the activity.
    if (saved === 'saved') await recordActivityWith(tx, db.prepared(...ACTIVITY_INSERT), input.userId, timeZone, now);
    return saved;
  });
}
