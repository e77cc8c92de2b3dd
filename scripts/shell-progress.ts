/**
 * A learner working through the curriculum over HTTP, through the real forms (issue 17): used by
 * the shell build (scripts/build-shells.ts), whose seed users must see every course unlocked,
 * and by the lesson-shells test, whose learner walks the real curriculum the same way. A course
 * is finished by marking each lesson complete and passing each quiz with the right answers
 * (from the catalog), as a learner would post them.
 */
import path from 'node:path';
import { buildCatalog, type Catalog, type CourseNode, type QuizNode } from '../src/features/curriculum/catalog.ts';
import { contentDir } from '../src/features/curriculum/location.ts';
import { readCorpus } from '../src/features/curriculum/read-corpus.ts';
import { getBuildConfig } from '../src/platform/config.server.ts';
import { lessonPath } from '../src/platform/i18n/paths.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The catalog of a content folder; by default the one this build uses (MANABI_CONTENT_DIR, default `content`). */
export function buildContentCatalog(dir: string = path.resolve(ROOT, getBuildConfig().contentDir)): Catalog {
  const { corpus, problems } = readCorpus(contentDir(dir), ROOT);
  if (problems.length > 0) throw new Error(`The content has problems:\n${problems.join('\n')}`);
  return buildCatalog(corpus);
}

export interface Learner {
  base: string;
  /** `name=value` of the session cookie. */
  cookie: string;
}

async function post(learner: Learner, pathname: string, fields: [string, string][]): Promise<void> {
  const response = await fetch(learner.base + pathname, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: learner.base, cookie: learner.cookie },
    body: new URLSearchParams(fields),
  });
  await response.arrayBuffer();
  // Its answer is kept for the next page (post/redirect/get); whether it worked shows in what opens next.
  if (response.status !== 303) throw new Error(`POST ${pathname}: ${response.status}, not 303`);
}

async function passQuiz(learner: Learner, quiz: QuizNode): Promise<void> {
  const page = `/quiz/${quiz.id}`;
  await post(learner, `${page}?_action=quiz.start`, [['quizId', quiz.id]]);
  const response = await fetch(learner.base + page, { headers: { cookie: learner.cookie }, redirect: 'manual' });
  const html = await response.text();
  const attemptId = /name="attemptId" value="([a-z2-9]+)"/.exec(html)?.[1];
  if (!attemptId) throw new Error(`${page}: no open attempt after quiz.start (${response.status})`);
  const fields: [string, string][] = [
    ['quizId', quiz.id],
    ['attemptId', attemptId],
  ];
  // Only the questions this attempt shows (a quiz may draw some of its questions).
  for (const question of quiz.questions) {
    if (!html.includes(`name="answer.${question.id}"`)) continue;
    for (const option of question.correctOptionIds) fields.push([`answer.${question.id}`, option]);
  }
  await post(learner, `${page}?_action=quiz.submit`, fields);
}

/** Marks every lesson of the course complete and passes its quizzes. */
export async function finishCourse(learner: Learner, course: CourseNode): Promise<void> {
  for (const lesson of course.lessons) {
    await post(learner, `${lessonPath('ja', course.id, lesson.id)}?_action=lesson.complete`, [['lessonId', lesson.id]]);
  }
  for (const quiz of course.quizzes) await passQuiz(learner, quiz);
}
