/** A practice answer from the lesson page: refused for an unknown lesson or task and for a locked course. */
import { getCatalog } from '../curriculum/catalog.server.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import { courseLocked } from '../progress/progress.server.ts';
import { saveAnswer, type AnswerInput } from './practice.server.ts';

export type SubmitAnswerResult = { status: 'not_found' } | { status: 'locked' } | { status: 'saved'; created: boolean };

export async function submitPracticeAnswer(db: Db, input: AnswerInput): Promise<SubmitAnswerResult> {
  const catalog = await getCatalog();
  const lesson = catalog.lesson(input.lessonId);
  if (!lesson) return { status: 'not_found' };
  // The same rule as completing the lesson: a locked course takes no work.
  if (await courseLocked(db, catalog, input.userId, lesson.courseId)) return { status: 'locked' };
  if (!lesson.tryItIds.includes(input.taskId)) return { status: 'not_found' };
  const { created } = await saveAnswer(db, input, getConfig().timeZone);
  return { status: 'saved', created };
}
