/**
 * The benchmark's database: a generated organisation of 20,000 users, plus fresh writers (each
 * with a session and open quiz attempts) so every write request creates one new row, and the
 * sessions and requests the scenarios send. Raw SQL only here: the scenarios get ready requests.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { quizAttempts } from '../db/schema/index.ts';
import { buildCatalog, type Catalog } from '../src/features/curriculum/catalog.ts';
import { readCorpus } from '../src/features/curriculum/read-corpus.ts';
import { attemptLayout } from '../src/features/quiz/draw.ts';
import { openDatabase, rawSqlite, type Db } from '../src/platform/db.server.ts';
import { prepareProgramme } from '../src/features/programme/prepare.server.ts';
import { hashPassword } from '../src/features/auth/password.server.ts';
import { createSession, generateSecureRandomString } from '../src/features/auth/session.server.ts';
import { createUser, ensureDepartment } from '../src/features/users/users.server.ts';
import { ROOT, SESSION_COOKIE, SESSION_LIFETIME, TZ, WORK } from './config.ts';
import { generateOrganisation } from './organisation.ts';

/** One signed-in GET: a user's session and the page they read. */
export interface Visit {
  path: string;
  cookie: string;
}

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
  /**
   * The lesson-page mix: READERS distinct learners plus every champion and admin, each reading one
   * of the basic tier's lessons (spread over them), shuffled so one connection meets all kinds.
   */
  visits: Visit[];
  adminCookie: string;
  championCookie: string;
  /** Each a new (writer, lesson) completion. */
  completions: FormPost[];
  /** Each a distinct open attempt, answered correctly. */
  submissions: FormPost[];
}

const READERS = 3000;
const ATTEMPTS_PER_QUIZ = 5;

export interface PopulationSize {
  users: number;
  departments: number;
  /** Fresh users for the write benchmarks (0: none, no completions or submissions). */
  writers: number;
  /** Keep the generated organisation in .test-builds/bench-cache/ and reuse it while its inputs are unchanged. */
  cache: boolean;
}

const DEFAULT_SIZE: PopulationSize = { users: 20_000, departments: 40, writers: 3000, cache: false };
const CACHE_DIR = path.join(WORK, 'bench-cache');

/** What the generated organisation depends on: the generator, the roll-ups, the migrations, the curriculum and the size. */
function cacheKey(catalog: Catalog, size: PopulationSize): string {
  const hash = createHash('sha256');
  for (const file of ['bench/organisation.ts', 'src/features/kpi/rollups.server.ts']) hash.update(fs.readFileSync(path.join(ROOT, file)));
  hash.update(fs.readdirSync(path.join(ROOT, 'db/migrations'), { recursive: true }).map(String).sort().join('\n'));
  hash.update(JSON.stringify([catalog.allLessons().map((l) => l.id), size.users, size.departments]));
  return hash.digest('hex').slice(0, 16);
}

/** Generates the database at `databasePath` (replacing it) for the curriculum in `corpusDir`. */
export async function populate(databasePath: string, corpusDir: string, log: (message: string) => void, sizeOptions: Partial<PopulationSize> = {}): Promise<Population> {
  const size = { ...DEFAULT_SIZE, ...sizeOptions };
  const catalog: Catalog = buildCatalog(readCorpus(corpusDir, ROOT).corpus);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${databasePath}${suffix}`, { force: true });
  const cached = path.join(CACHE_DIR, `organisation-${size.users}-${cacheKey(catalog, size)}.db`);
  const generation = performance.now();
  let generated = false;
  if (size.cache && fs.existsSync(cached)) {
    log(`using the cached ${size.users.toLocaleString('en')}-user organisation (${path.relative(ROOT, cached)})`);
    fs.copyFileSync(cached, databasePath);
  } else {
    log(`generating ${size.users.toLocaleString('en')} users in ${size.departments} departments`);
    const fresh: Db = openDatabase(databasePath);
    await generateOrganisation(fresh, catalog, { users: size.users, departments: size.departments, attemptsPerUser: 3 }, 'bench password 1', TZ);
    rawSqlite(fresh).pragma('wal_checkpoint(TRUNCATE)');
    rawSqlite(fresh).close();
    generated = true;
    if (size.cache) {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      for (const old of fs.readdirSync(CACHE_DIR).filter((f) => f.startsWith(`organisation-${size.users}-`))) fs.rmSync(path.join(CACHE_DIR, old));
      fs.copyFileSync(databasePath, cached);
    }
  }
  const people = { adminEmail: 'user0@bench.example', championEmail: 'user10@bench.example' };
  const db: Db = openDatabase(databasePath);
  const organisation: OrganisationFigures & { cached?: boolean } = {
    users: size.users,
    departments: size.departments,
    lessons: catalog.allLessons().length,
    seconds: Math.round((performance.now() - generation) / 100) / 10,
    ...(generated ? {} : { cached: true }),
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
  await db.write(async (tx) => {
    const department = await ensureDepartment(tx, '部門01');
    for (let i = 0; i < size.writers; i++) {
      const id = await createUser(tx, { email: `writer${i}@bench.example`, displayName: `writer ${i}`, role: 'learner', departmentId: department, passwordHash });
      writers.push({ id, cookie: '' });
    }
  });
  if (size.writers > 0) await prepareProgramme(db);
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
  // Sessions through the real session code: READERS learners spread over the company, and every champion and admin.
  const learners = rawSqlite(db).prepare("select id from users where role = 'learner' and email like 'user%@bench.example' order by id").all() as { id: number }[];
  const step = Math.max(1, Math.floor(learners.length / READERS));
  const readers = [
    ...learners.filter((_, i) => i % step === 0).slice(0, READERS),
    ...(rawSqlite(db).prepare("select id from users where role in ('champion', 'admin') and email like 'user%@bench.example' order by id").all() as { id: number }[]),
  ];
  const readerCookies: string[] = [];
  for (const r of readers) readerCookies.push(`${SESSION_COOKIE}=${(await createSession(db, r.id, SESSION_LIFETIME)).token}`);
  const userId = (email: string): number => (rawSqlite(db).prepare('select id from users where email = ?').get(email) as { id: number }).id;
  const adminCookie = `${SESSION_COOKIE}=${(await createSession(db, userId(people.adminEmail), SESSION_LIFETIME)).token}`;
  const championCookie = `${SESSION_COOKIE}=${(await createSession(db, userId(people.championEmail), SESSION_LIFETIME)).token}`;
  rawSqlite(db).pragma('wal_checkpoint(TRUNCATE)');
  rawSqlite(db).close();

  const answersFor = new Map(basicQuizzes.map((q) => [q.id, q.questions.flatMap((question) => question.correctOptionIds.map((o) => `answer.${question.id}=${o}`)).join('&')]));
  const lesson = basicLessons[0]!;
  const lessonPaths = basicLessons.map((l) => `/learn/${l.courseId}/${l.id}`);
  // A fixed shuffle (the same every run), so each connection's share is mixed in role and lesson.
  const order = readerCookies.map((_, i) => i).sort((a, b) => ((a * 2654435761) % 4093) - ((b * 2654435761) % 4093) || a - b);
  return {
    databasePath,
    catalog,
    organisation,
    lessonPath: `/learn/${lesson.courseId}/${lesson.id}`,
    quizPath: `/quiz/${basicQuizzes[0]!.id}`,
    readerCookies: readerCookies.slice(0, 500),
    visits: order.map((i) => ({ path: lessonPaths[i % lessonPaths.length]!, cookie: readerCookies[i]! })),
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
