/**
 * The benchmark's database: a generated organisation of 20,000 users, plus fresh writers (each
 * with a session and open quiz attempts) so every write request creates one new row, and the
 * sessions and requests the scenarios send. Raw SQL only here: the scenarios get ready requests.
 */
import fs from 'node:fs';
import { quizAttempts } from '../db/schema/index.ts';
import { buildCatalog, type Catalog } from '../src/features/curriculum/catalog.ts';
import { readCorpus } from '../src/features/curriculum/read-corpus.ts';
import { attemptLayout } from '../src/features/quiz/draw.ts';
import { openDatabase, rawSqlite, type Db } from '../src/platform/db.server.ts';
import { prepareProgramme } from '../src/features/programme/prepare.server.ts';
import { hashPassword } from '../src/features/auth/password.server.ts';
import { createSession, generateSecureRandomString } from '../src/features/auth/session.server.ts';
import { createUser, ensureDepartment } from '../src/features/users/users.server.ts';
import { ROOT, SESSION_COOKIE, SESSION_LIFETIME, TZ } from './config.ts';
import { generateOrganisation } from './organisation.ts';

/** One form POST from a signed-in user. */
export interface FormPost {
  path: string;
  cookie: string;
  body: string;
}

export interface OrganisationFigures {
  users: number;
  departments: number;
  lessons: number;
  seconds: number;
  rows: Record<string, number>;
}

export interface Population {
  databasePath: string;
  catalog: Catalog;
  organisation: OrganisationFigures;
  /** The lesson, home and quiz pages the scenarios read. */
  lessonPath: string;
  quizPath: string;
  /** Session cookies of 500 generated learners. */
  readerCookies: string[];
  adminCookie: string;
  championCookie: string;
  /** Each a new (writer, lesson) completion. */
  completions: FormPost[];
  /** Each a distinct open attempt, answered correctly. */
  submissions: FormPost[];
}

const WRITERS = 3000;
const ATTEMPTS_PER_QUIZ = 5;

/** Generates the database at `databasePath` (replacing it) for the curriculum in `corpusDir`. */
export async function populate(databasePath: string, corpusDir: string, log: (message: string) => void): Promise<Population> {
  const catalog: Catalog = buildCatalog(readCorpus(corpusDir, ROOT).corpus);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${databasePath}${suffix}`, { force: true });
  const db: Db = openDatabase(databasePath);
  log('generating 20,000 users in 40 departments');
  const generation = performance.now();
  const people = await generateOrganisation(db, catalog, { users: 20_000, departments: 40, attemptsPerUser: 3 }, 'bench password 1', TZ);
  const organisation: OrganisationFigures = {
    users: 20_000,
    departments: 40,
    lessons: catalog.allLessons().length,
    seconds: Math.round((performance.now() - generation) / 100) / 10,
    rows: Object.fromEntries(
      ['lesson_completions', 'quiz_attempts', 'attempt_answers', 'lesson_views', 'checkins', 'certificates'].map((table) => [
        table,
        (rawSqlite(db).prepare(`select count(*) n from ${table}`).get() as { n: number }).n,
      ]),
    ),
  };

  // Writers: fresh users for the write benchmarks, each with a session and open quiz attempts.
  const passwordHash = await hashPassword('bench password 1');
  const writers: { id: number; cookie: string }[] = [];
  const basicLessons = catalog.tier('basic')!.courses.flatMap((c) => c.lessons);
  const basicQuizzes = catalog.tier('basic')!.courses.flatMap((c) => c.quizzes);
  const openAttempts: { attemptId: string; quizId: string; cookie: string }[] = [];
  await db.write((tx) => {
    const department = ensureDepartment(tx, '部門01');
    for (let i = 0; i < WRITERS; i++) {
      const id = createUser(tx, { email: `writer${i}@bench.example`, displayName: `writer ${i}`, role: 'learner', departmentId: department, passwordHash });
      writers.push({ id, cookie: '' });
    }
  });
  await prepareProgramme(db);
  for (const writer of writers) writer.cookie = `${SESSION_COOKIE}=${(await createSession(db, writer.id, SESSION_LIFETIME)).token}`;
  await db.write((tx) => {
    for (const writer of writers) {
      for (const quiz of basicQuizzes) {
        for (let k = 0; k < ATTEMPTS_PER_QUIZ; k++) {
          const attemptId = generateSecureRandomString();
          tx.insert(quizAttempts)
            .values({ id: attemptId, userId: writer.id, quizId: quiz.id, startedAt: new Date(), layout: attemptLayout(quiz) })
            .run();
          openAttempts.push({ attemptId, quizId: quiz.id, cookie: writer.cookie });
        }
      }
    }
  });
  const readers = rawSqlite(db).prepare("select id from users where email like 'user%@bench.example' limit 500").all() as { id: number }[];
  const readerCookies = await Promise.all(readers.map(async (r) => `${SESSION_COOKIE}=${(await createSession(db, r.id, SESSION_LIFETIME)).token}`));
  const userId = (email: string): number => (rawSqlite(db).prepare('select id from users where email = ?').get(email) as { id: number }).id;
  const adminCookie = `${SESSION_COOKIE}=${(await createSession(db, userId(people.adminEmail), SESSION_LIFETIME)).token}`;
  const championCookie = `${SESSION_COOKIE}=${(await createSession(db, userId(people.championEmail), SESSION_LIFETIME)).token}`;
  rawSqlite(db).pragma('wal_checkpoint(TRUNCATE)');
  rawSqlite(db).close();

  const answersFor = new Map(basicQuizzes.map((q) => [q.id, q.questions.flatMap((question) => question.correctOptionIds.map((o) => `answer.${question.id}=${o}`)).join('&')]));
  const lesson = basicLessons[0]!;
  return {
    databasePath,
    catalog,
    organisation,
    lessonPath: `/learn/${lesson.courseId}/${lesson.id}`,
    quizPath: `/quiz/${basicQuizzes[0]!.id}`,
    readerCookies,
    adminCookie,
    championCookie,
    completions: writers.flatMap((w) => basicLessons.map((l) => ({ path: `/learn/${l.courseId}/${l.id}?_action=lesson.complete`, cookie: w.cookie, body: `lessonId=${l.id}` }))),
    submissions: openAttempts.map((a) => ({
      path: `/quiz/${a.quizId}?_action=quiz.submit`,
      cookie: a.cookie,
      body: `quizId=${a.quizId}&attemptId=${a.attemptId}&${answersFor.get(a.quizId)}`,
    })),
  };
}

/** Rows the write scenarios create: all completions, and the writers' submitted attempts. */
export function countWrites(databasePath: string): { completions: number; submittedByWriters: number } {
  const check = openDatabase(databasePath, { readonly: true });
  const completions = (rawSqlite(check).prepare('select count(*) n from lesson_completions').get() as { n: number }).n;
  const submittedByWriters = (
    rawSqlite(check).prepare("select count(*) n from quiz_attempts where submitted_at is not null and user_id in (select id from users where email like 'writer%')").get() as {
      n: number;
    }
  ).n;
  rawSqlite(check).close();
  return { completions, submittedByWriters };
}
