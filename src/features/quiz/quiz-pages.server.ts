/** What the quiz pages show: the quiz (intro, history or the open attempt) and an attempt's result. */
import type { CourseNode, QuestionKey, QuizNode, TierNode } from '../curriculum/catalog.ts';
import type { Locale } from '../../platform/i18n/locales.ts';
import { getConfig } from '../../platform/config.server.ts';
import type { Db } from '../../platform/db.server.ts';
import type { Certificate } from '../progress/certificates.server.ts';
import { certificateFor, loadLearnerContext, type LearnerContext } from '../progress/learner-pages.server.ts';
import { afterCourse, courseAction, type AfterCourse } from '../progress/next-step.ts';
import type { CourseProgress } from '../progress/progress.ts';
import { findOpenAttempt, getAttemptResult, listSubmittedAttempts, type AttemptResult } from './attempts.server.ts';
import { publicQuiz, reviewedQuestions, type PublicQuiz } from './quiz.ts';

type QuizAttempt = AttemptResult['attempt'];

export interface QuizPage extends LearnerContext {
  quiz: QuizNode;
  course: CourseNode;
  tier: TierNode;
  courseProgress: CourseProgress;
  /** The open attempt (none while the course is locked) and its questions, without the answer key. */
  open: QuizAttempt | null;
  view: PublicQuiz | null;
  history: QuizAttempt[];
  /** Null: no limit. */
  attemptsLeft: number | null;
  timeZone: string;
}

/** Null: no such quiz (404). */
export async function loadQuizPage(db: Db, userId: number, quizId: string, locale: Locale): Promise<QuizPage | null> {
  const context = await loadLearnerContext(db, userId);
  const { catalog, progress } = context;
  const quiz = catalog.quiz(quizId);
  if (!quiz) return null;
  const course = catalog.course(quiz.courseId)!;
  const courseProgress = progress.course(course.id)!;
  const open = courseProgress.lock ? null : await findOpenAttempt(db, userId, quiz.id);
  const history = await listSubmittedAttempts(db, userId, quiz.id);
  return {
    ...context,
    quiz,
    course,
    tier: catalog.tier(course.tierId)!,
    courseProgress,
    open,
    view: open ? publicQuiz(quiz, locale, open.layout) : null,
    history,
    attemptsLeft: quiz.maxAttempts === null ? null : Math.max(0, quiz.maxAttempts - history.length),
    timeZone: getConfig().timeZone,
  };
}

export interface AttemptPage extends LearnerContext {
  quiz: QuizNode;
  course: CourseNode;
  tier: TierNode;
  result: AttemptResult;
  /** The questions the attempt was graded on, in the order it showed them. */
  review: QuestionKey[];
  courseProgress: CourseProgress;
  certificate: Certificate | null;
  /** After a pass: the next course or the tier's results. */
  after: AfterCourse | null;
  nextCourse: CourseNode | null;
  /** A pass taken before every lesson was done: the lesson to resume. */
  resumeLesson: { lessonId: string; position: number } | null;
  timeZone: string;
}

/** Null: no such quiz, or no submitted attempt of this user on it (404). */
export async function loadAttemptPage(db: Db, userId: number, quizId: string, attemptId: string): Promise<AttemptPage | null> {
  const context = await loadLearnerContext(db, userId);
  const { catalog, progress } = context;
  const quiz = catalog.quiz(quizId);
  if (!quiz) return null;
  const result = await getAttemptResult(db, userId, attemptId);
  if (!result || result.attempt.quizId !== quiz.id) return null;
  const course = catalog.course(quiz.courseId)!;
  const courseProgress = progress.course(course.id)!;
  const passed = result.attempt.passed;
  const after = passed ? afterCourse(progress, course.id) : null;
  const resume = passed && !courseProgress.complete ? courseAction(courseProgress) : null;
  return {
    ...context,
    quiz,
    course,
    tier: catalog.tier(course.tierId)!,
    result,
    review: reviewedQuestions(
      quiz,
      result.attempt.layout,
      result.answers.map((a) => a.questionId),
    ),
    courseProgress,
    certificate: await certificateFor(db, userId, course.tierId),
    after,
    nextCourse: after?.kind === 'course' ? catalog.course(after.courseId) : null,
    resumeLesson: resume && (resume.kind === 'start' || resume.kind === 'resume') ? resume : null,
    timeZone: getConfig().timeZone,
  };
}
