/**
 * The admin's lesson versions page (`/admin/lessons`): per lesson its current version and newest
 * revision, how many active people completed the current version and how many only an older
 * one, and (after a major revision) how many of those still have to review it. One grouped read.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../platform/db.server.ts';
import type { CourseNode, LessonNode, TierNode } from './catalog.ts';
import { getCatalog } from './catalog.server.ts';
import { jsonObjects, rows } from '../../platform/query.ts';

export interface LessonVersionRow {
  tier: TierNode;
  course: CourseNode;
  lesson: LessonNode;
  /** Active people with a completion of the current version. */
  current: number;
  /** Active people who completed it, but only older versions. */
  older: number;
  /** Of those who completed it, how many have not read it since its newest major revision; null without one. */
  toReview: number | null;
}

interface Counted {
  lessonId: string;
  total: number;
  current: number;
  reviewed: number;
}

export async function loadLessonVersionsPage(db: Db): Promise<LessonVersionRow[]> {
  const catalog = await getCatalog();
  const lessons = catalog.allLessons();
  const current = JSON.stringify(lessons.map((l) => ({ id: l.id, version: l.version, major: l.majorRevision?.date ?? null })));
  const counted = await db.read(
    async (q) =>
      await rows<Counted>(
        q,
        sql`
      with cur as (${jsonObjects(q, current, ['id', 'version', 'major'])})
      select c.lesson_id as "lessonId",
        count(distinct c.user_id) as total,
        count(distinct case when c.content_version = cur.version then c.user_id end) as "current",
        count(distinct case when cur.major is null or c.major_revision >= cur.major then c.user_id end) as reviewed
      from lesson_completions c
      join cur on cur.id = c.lesson_id
      join users u on u.id = c.user_id and u.active
      group by c.lesson_id`,
      ),
  );
  const byLesson = new Map(counted.map((c) => [c.lessonId, c]));
  return lessons.map((lesson) => {
    const course = catalog.course(lesson.courseId)!;
    const c = byLesson.get(lesson.id);
    const total = c?.total ?? 0;
    return {
      tier: catalog.tier(course.tierId)!,
      course,
      lesson,
      current: c?.current ?? 0,
      older: total - (c?.current ?? 0),
      toReview: lesson.majorRevision ? total - (c?.reviewed ?? 0) : null,
    };
  });
}
