/**
 * Shared pieces of the reliability suite: seeding many users quickly, and a learner client
 * that drives the lesson and quiz forms over real HTTP exactly as a browser's plain POST
 * forms do, and tells an acknowledged write (the success answer the code gives) from a
 * refused one and from no answer at all (connection lost).
 *
 * What "success" is, read from the pages (src/pages/[...locale]/…) and the post/redirect/get
 * middleware (src/platform/http/post-redirect-get.server.ts): every form post answers `303` to the page
 * that shows its answer once, `#post-result`; that page's status says taken (200) or refused
 * (4xx). A post the database cannot take is answered at once with 503.
 * - lesson.complete, posted to the lesson page: `303` to `/learn/<course>/<lesson>#post-result`,
 *   and that page answers 200. Nothing else counts as success.
 * - quiz.start, posted to the quiz page: `303` to `/quiz/<quiz>#post-result`, and that page
 *   answers 200 with the attempt id in its hidden `attemptId` field.
 * - quiz.submit, posted to the quiz page: `303` to `/quiz/<quiz>/attempts/<attemptId>#post-result`
 *   (graded and stored, or stored before by the same attempt); an incomplete or refused
 *   submission comes back to `/quiz/<quiz>#post-result` (400, 404 on that page).
 */
import { randomInt } from 'node:crypto';
import type { Catalog, QuizNode } from '../../src/features/curriculum/catalog.ts';
import { computeProgress, firstCycleRecord, type LearnerRecord, type QuizRecord } from '../../src/features/progress/progress.ts';
import { gradeAnswers } from '../../src/features/quiz/quiz.ts';
import { inArray } from 'drizzle-orm';
import { attemptAnswers, quizAttempts } from '../../db/schema/index.ts';
import type { Db } from '../../src/platform/db.server.ts';
import { hashPassword } from '../../src/features/auth/password.server.ts';
import { createUser, ensureDepartment } from '../../src/features/users/users.server.ts';
import type { Role } from '../../db/schema/index.ts';

export const PASSWORD = 'reliability password 1';

export interface SeededUser {
  id: number;
  email: string;
  name: string;
}

let sharedHash: Promise<string> | null = null;

/** Creates users that all share one password (hashed once: argon2 per user would dominate the setup). */
export async function seedUsers(db: Db, count: number, options: { prefix: string; role?: Role; department?: string; password?: string }): Promise<SeededUser[]> {
  const passwordHash = options.password ? await hashPassword(options.password) : await (sharedHash ??= hashPassword(PASSWORD));
  // One write for all (either database), before any server opens the database.
  return db.write(async (tx) => {
    const departmentId = await ensureDepartment(tx, options.department ?? '営業部');
    const users: SeededUser[] = [];
    for (let i = 0; i < count; i++) {
      const name = `${options.prefix}${i}`;
      const email = `${name}@example.com`;
      users.push({ id: await createUser(tx, { email, displayName: name, role: options.role ?? 'learner', departmentId, passwordHash }), email, name });
    }
    return users;
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function pickOne<T>(items: readonly T[]): T {
  return items[randomInt(items.length)]!;
}

/** Status tallies of every request a client made (page loads included). */
export class Tally {
  requests = 0;
  ok = 0; // 2xx and 3xx
  client = 0; // 4xx
  server = 0; // 5xx
  noAnswer = 0; // connection refused or reset, timeout
  serverErrors: string[] = [];
  clientErrors: string[] = [];

  count(what: string, status: number): void {
    this.requests++;
    if (status >= 500) {
      this.server++;
      if (this.serverErrors.length < 20) this.serverErrors.push(`${status} ${what}`);
    } else if (status >= 400) {
      this.client++;
      if (this.clientErrors.length < 20) this.clientErrors.push(`${status} ${what}`);
    } else this.ok++;
  }
}

export type Outcome = { kind: 'ack' } | { kind: 'refused'; status: number } | { kind: 'no-answer'; error: string };

/** One quiz answer sheet: question id → chosen option ids. */
export type Answers = Map<string, string[]>;

/** All-correct, or per question a wrong choice (single: another option; multiple: a subset that is not the key). */
export function answerSheet(quiz: QuizNode, correct: boolean | 'random'): Answers {
  const answers: Answers = new Map();
  for (const question of quiz.questions) {
    const right = correct === true || (correct === 'random' && randomInt(3) > 0);
    if (right) {
      answers.set(question.id, [...question.correctOptionIds]);
      continue;
    }
    const wrong = question.optionIds.filter((o) => !question.correctOptionIds.includes(o));
    if (question.correctOptionIds.length === 1 || wrong.length === 0) {
      answers.set(question.id, [pickOne(wrong.length > 0 ? wrong : question.optionIds)]);
    } else {
      // multiple choice: one wrong option plus some of the right ones
      answers.set(question.id, [pickOne(wrong), ...question.correctOptionIds.filter(() => randomInt(2) === 0)]);
    }
  }
  return answers;
}

export function answerFields(quizId: string, attemptId: string, answers: Answers): [string, string][] {
  const fields: [string, string][] = [
    ['quizId', quizId],
    ['attemptId', attemptId],
  ];
  for (const [questionId, chosen] of answers) for (const option of chosen) fields.push([`answer.${questionId}`, option]);
  return fields;
}

/**
 * A signed-in learner driving the forms. It keeps its own record of what the server
 * acknowledged, so it only tries steps the learning path allows (locks, attempt limits).
 */
export class LearnerClient {
  readonly completed = new Set<string>();
  /** quiz id → acknowledged submitted attempt ids, and whether one of them passed. */
  readonly submitted = new Map<string, Set<string>>();
  readonly passed = new Set<string>();

  readonly user: SeededUser;
  cookie: string;
  private readonly catalog: Catalog;
  private readonly tally: Tally;
  private readonly timeoutMs: number;

  constructor(user: SeededUser, cookie: string, catalog: Catalog, tally: Tally, timeoutMs = 15_000) {
    this.user = user;
    this.cookie = cookie;
    this.catalog = catalog;
    this.tally = tally;
    this.timeoutMs = timeoutMs;
  }

  record(): LearnerRecord {
    const quizzes = new Map<string, QuizRecord>();
    for (const [quizId, attempts] of this.submitted) {
      quizzes.set(quizId, { attempts: attempts.size, bestPercent: null, passed: this.passed.has(quizId) });
    }
    return firstCycleRecord(this.completed, quizzes);
  }

  /** Lessons and quizzes this learner may use now, by its own record of acknowledged writes. */
  openSteps(): { lessons: { courseId: string; lessonId: string }[]; quizzes: QuizNode[] } {
    // The suite's server runs on the real clock, in its first cycle: no certificate expires during it.
    const progress = computeProgress(this.catalog, this.record(), { now: new Date(), timeZone: 'Asia/Tokyo' });
    const lessons: { courseId: string; lessonId: string }[] = [];
    const quizzes: QuizNode[] = [];
    for (const tier of progress.tiers) {
      for (const course of tier.courses) {
        if (course.lock) continue;
        for (const lesson of course.course.lessons) lessons.push({ courseId: course.course.id, lessonId: lesson.id });
        for (const { quiz, record } of course.quizzes) {
          if (quiz.maxAttempts === null || record.attempts < quiz.maxAttempts) quizzes.push(quiz);
        }
      }
    }
    return { lessons, quizzes };
  }

  private async request(base: string, method: 'GET' | 'POST', path: string, fields?: [string, string][]): Promise<Response | { error: string }> {
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        redirect: 'manual',
        headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded', origin: base, cookie: this.cookie } : { cookie: this.cookie },
        body: fields ? new URLSearchParams(fields) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      this.tally.count(`${method} ${path}`, response.status);
      return response;
    } catch (error) {
      this.tally.requests++;
      this.tally.noAnswer++;
      return { error: String((error as Error).cause ?? error) };
    }
  }

  /** Reads the body to its end (the answer is complete only then); a reset mid-body is "no answer". */
  private async finish(response: Response): Promise<string | null> {
    try {
      return await response.text();
    } catch {
      return null;
    }
  }

  /**
   * The page a post's 303 leads to, fetched with the one-time cookie that carries the post's
   * answer (post/redirect/get): its status says whether the post was taken (200) or refused.
   */
  private async shown(base: string, response: Response): Promise<Response | { error: string }> {
    const result = response.headers
      .getSetCookie()
      .find((c) => /^(__Host-)?manabi_result=[^;]/.test(c))
      ?.split(';')[0];
    const location = new URL(response.headers.get('location')!, base);
    try {
      const page = await fetch(`${base}${location.pathname}${location.search}`, {
        redirect: 'manual',
        headers: { cookie: [this.cookie, result].filter(Boolean).join('; ') },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      this.tally.count(`GET ${location.pathname}`, page.status);
      return page;
    } catch (error) {
      this.tally.requests++;
      this.tally.noAnswer++;
      return { error: String((error as Error).cause ?? error) };
    }
  }

  async complete(base: string, courseId: string, lessonId: string): Promise<Outcome> {
    const path = `/learn/${courseId}/${lessonId}`;
    const response = await this.request(base, 'POST', `${path}?_action=lesson.complete`, [['lessonId', lessonId]]);
    if ('error' in response) return { kind: 'no-answer', error: response.error };
    const body = await this.finish(response);
    if (response.status === 303 && response.headers.get('location') === `${path}#post-result`) {
      // Taken or refused, the post comes back to the lesson: the page it leads to says which.
      const page = await this.shown(base, response);
      if ('error' in page) return { kind: 'no-answer', error: page.error };
      if ((await this.finish(page)) === null) return { kind: 'no-answer', error: 'body cut off' };
      if (page.status !== 200) return { kind: 'refused', status: page.status };
      this.completed.add(lessonId);
      return { kind: 'ack' };
    }
    if (body === null) return { kind: 'no-answer', error: 'body cut off' };
    return { kind: 'refused', status: response.status };
  }

  /** Starts (or resumes) an attempt; the attempt id as the quiz page then shows it, or the outcome that stopped it. */
  async start(base: string, quizId: string): Promise<{ outcome: Outcome; attemptId: string | null }> {
    const path = `/quiz/${quizId}`;
    const response = await this.request(base, 'POST', `${path}?_action=quiz.start`, [['quizId', quizId]]);
    if ('error' in response) return { outcome: { kind: 'no-answer', error: response.error }, attemptId: null };
    await this.finish(response);
    if (response.status !== 303 || response.headers.get('location') !== `${path}#post-result`) {
      return { outcome: { kind: 'refused', status: response.status }, attemptId: null };
    }
    // Taken or refused, the post comes back to the quiz page: the page it leads to says which.
    const page = await this.shown(base, response);
    if ('error' in page) return { outcome: { kind: 'no-answer', error: page.error }, attemptId: null };
    const html = await this.finish(page);
    if (page.status !== 200) return { outcome: { kind: 'refused', status: page.status }, attemptId: null };
    const attemptId = html ? (/name="attemptId" value="([a-z2-9]{24})"/.exec(html)?.[1] ?? null) : null;
    return { outcome: { kind: 'ack' }, attemptId };
  }

  async submit(base: string, quizId: string, attemptId: string, answers: Answers): Promise<Outcome> {
    const path = `/quiz/${quizId}`;
    const response = await this.request(base, 'POST', `${path}?_action=quiz.submit`, answerFields(quizId, attemptId, answers));
    if ('error' in response) return { kind: 'no-answer', error: response.error };
    const body = await this.finish(response);
    // A graded submission goes on to its result page; a refused one comes back to the quiz page.
    if (response.status === 303 && response.headers.get('location') === `${path}/attempts/${attemptId}#post-result`) {
      const quiz = this.catalog.quiz(quizId)!;
      if (!this.submitted.has(quizId)) this.submitted.set(quizId, new Set());
      this.submitted.get(quizId)!.add(attemptId);
      if (gradeAnswers(quiz, null, answers).passed) this.passed.add(quizId);
      return { kind: 'ack' };
    }
    if (body === null) return { kind: 'no-answer', error: 'body cut off' };
    return { kind: 'refused', status: response.status };
  }
}

export interface AcknowledgedSubmission {
  userId: number;
  quizId: string;
  /**
   * The answer sheets acknowledged for this attempt: one, or for a double submission with
   * different choices, each of them; exactly one must be stored, whole (not a mix of two).
   */
  answers: Answers[];
}

/** An attempt as stored: its row (null when missing) and its answers in the database's order of question ids. */
export interface StoredAttempt {
  row: { userId: number; quizId: string; submitted: boolean; score: number | null; maxScore: number | null; passed: boolean | null } | null;
  answers: { questionId: string; chosenOptionIds: string[]; correct: boolean }[];
}

/**
 * Checks each acknowledged submission against what is stored: the attempt is the user's, of that
 * quiz, submitted, graded as the answers grade, and every answer stored as sent. Returns the
 * problems (empty when every one is there).
 */
export function submissionProblems(catalog: Catalog, submissions: ReadonlyMap<string, AcknowledgedSubmission>, stored: (attemptId: string) => StoredAttempt): string[] {
  const problems: string[] = [];
  for (const [attemptId, { userId, quizId, answers }] of submissions) {
    const { row, answers: kept } = stored(attemptId);
    const candidates = answers.map((sheet) => {
      const grade = gradeAnswers(catalog.quiz(quizId)!, null, sheet);
      return { grade, expected: [...grade.answers].sort((a, b) => (a.questionId < b.questionId ? -1 : 1)) }; // binary order, as both databases sort here
    });
    const ok = candidates.some(
      ({ grade, expected }) =>
        row !== null &&
        row.userId === userId &&
        row.quizId === quizId &&
        row.submitted &&
        row.score === grade.score &&
        row.maxScore === grade.maxScore &&
        Boolean(row.passed) === grade.passed &&
        JSON.stringify(kept) === JSON.stringify(expected),
    );
    if (!ok) problems.push(`submission ${attemptId} of user ${userId}: stored ${JSON.stringify({ row, kept })}, acknowledged ${JSON.stringify(candidates.map((c) => c.expected))}`);
  }
  return problems;
}

/** submissionProblems read from a SQLite file (after the server stopped). */
export function missingSubmissions(sqlite: import('better-sqlite3').Database, catalog: Catalog, submissions: ReadonlyMap<string, AcknowledgedSubmission>): string[] {
  const attempt = sqlite.prepare<
    [string],
    { user_id: number; quiz_id: string; submitted_at: number | null; score: number | null; max_score: number | null; passed: number | null }
  >('select user_id, quiz_id, submitted_at, score, max_score, passed from quiz_attempts where id = ?');
  const answerRows = sqlite.prepare<[string], { question_id: string; chosen_option_ids: string; correct: number }>(
    'select question_id, chosen_option_ids, correct from attempt_answers where attempt_id = ? order by question_id',
  );
  return submissionProblems(catalog, submissions, (attemptId) => {
    const row = attempt.get(attemptId);
    return {
      row: row
        ? {
            userId: row.user_id,
            quizId: row.quiz_id,
            submitted: row.submitted_at !== null,
            score: row.score,
            maxScore: row.max_score,
            passed: row.passed === null ? null : row.passed === 1,
          }
        : null,
      answers: answerRows.all(attemptId).map((a) => ({ questionId: a.question_id, chosenOptionIds: JSON.parse(a.chosen_option_ids) as string[], correct: a.correct === 1 })),
    };
  });
}

/** submissionProblems read through a `Db` (PostgreSQL as well as SQLite). */
export async function missingSubmissionsIn(db: Db, catalog: Catalog, submissions: ReadonlyMap<string, AcknowledgedSubmission>): Promise<string[]> {
  const ids = [...submissions.keys()];
  const { attempts, answers } = await db.read(async (q) => ({
    attempts: ids.length === 0 ? [] : await q.select().from(quizAttempts).where(inArray(quizAttempts.id, ids)),
    answers: ids.length === 0 ? [] : await q.select().from(attemptAnswers).where(inArray(attemptAnswers.attemptId, ids)),
  }));
  const byId = new Map(attempts.map((a) => [a.id, a]));
  return submissionProblems(catalog, submissions, (attemptId) => {
    const a = byId.get(attemptId);
    return {
      row: a ? { userId: a.userId, quizId: a.quizId, submitted: a.submittedAt !== null, score: a.score, maxScore: a.maxScore, passed: a.passed } : null,
      answers: answers
        .filter((x) => x.attemptId === attemptId)
        .sort((x, y) => (x.questionId < y.questionId ? -1 : 1))
        .map((x) => ({ questionId: x.questionId, chosenOptionIds: x.chosenOptionIds, correct: x.correct })),
    };
  });
}
