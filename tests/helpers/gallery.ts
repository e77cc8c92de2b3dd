/**
 * Every page of the product for each role, on a served organisation some months into its rollout
 * (the bench's generator, so dashboards and rosters have data). Used by `npm run screenshots` and
 * by the accessibility e2e test, so both look at the same pages.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateOrganisation } from '../../bench/organisation.ts';
import { openDatabase, rawSqlite, rawDrizzle } from '../../src/platform/db.server.ts';
import { syncEnrolments } from '../../src/features/programme/assignments.server.ts';
import { createUser } from '../../src/features/users/users.server.ts';
import { saveWave } from '../../src/features/programme/waves.server.ts';
import { issueToken } from '../../src/features/notifications/tokens.server.ts';
import { shippedCatalog } from './catalog.ts';
import { tempDir } from './db.ts';
import { addSampleOutbox } from './outbox-sample.ts';
import { signIn } from './http.ts';
import { startServer, type RunningServer } from './server.ts';

export const GALLERY_PASSWORD = 'gallery password 1';
export type GalleryRole = 'anonymous' | 'learner' | 'newcomer' | 'champion' | 'admin';
export type GalleryPage = [name: string, path: string];

export interface Gallery {
  server: RunningServer;
  /** Japanese paths; prefix `/en` for English (see `localized`). */
  pages: Record<GalleryRole, GalleryPage[]>;
  /** The `name=value` session cookie per signed-in role; null for anonymous. */
  cookie: (role: GalleryRole) => Promise<string | null>;
  stop: () => Promise<void>;
}

/** `/home` → `/en/home`; `/` → `/en/`. */
export function localized(locale: 'ja' | 'en', pagePath: string): string {
  if (locale === 'ja') return pagePath;
  return pagePath === '/' ? '/en/' : `/en${pagePath}`;
}

export async function startGallery(options: { users?: number } = {}): Promise<Gallery> {
  const catalog = shippedCatalog();
  const dir = tempDir('manabi-gallery-');
  const file = path.join(dir, 'manabi.db');
  const db = openDatabase(file);
  const people = await generateOrganisation(db, catalog, { users: options.users ?? 240, departments: 6, attemptsPerUser: 2 }, GALLERY_PASSWORD, 'Asia/Tokyo');

  // Pages that need an id from the data: a learner with a certificate and an attempt, one with nothing done.
  const row = <T>(sql: string, ...args: unknown[]): T | undefined =>
    rawSqlite(db)
      .prepare(sql)
      .get(...args) as T | undefined;
  const learner = row<{ id: number; email: string }>(
    `select u.id, u.email from users u join certificates c on c.user_id = u.id
     where u.role = 'learner' and exists (select 1 from quiz_attempts a where a.user_id = u.id) order by u.id limit 1`,
  ) ?? { id: 0, email: people.learnerEmail };
  // A learner who joined today and has done nothing yet (the generator may leave none such).
  const newcomer = 'newcomer@bench.example';
  const newcomerHash = row<{ password_hash: string }>('select password_hash from users where email = ?', people.learnerEmail)!.password_hash;
  await createUser(rawDrizzle(db), { email: newcomer, displayName: '新入 社員', role: 'learner', departmentId: 1, passwordHash: newcomerHash });
  await syncEnrolments(rawDrizzle(db));
  const certificate = row<{ code: string }>('select code from certificates where user_id = ? limit 1', learner.id)?.code ?? null;
  const attempt = row<{ id: string; quiz_id: string }>('select id, quiz_id from quiz_attempts where user_id = ? and submitted_at is not null limit 1', learner.id) ?? null;
  // A pilot wave with targets, so the wave pages have something to show.
  const firstDepartment = row<{ id: number }>('select id from departments order by id limit 1')!.id;
  const wave = await saveWave(db, {
    name: 'パイロット',
    position: 1,
    startDate: '2026-06-01',
    endDate: '2026-09-30',
    description: null,
    departmentIds: [firstDepartment],
    targets: [
      // Rates are stored as fractions: 50 % and 80 %.
      { kpi: 'usage_rate', comparator: 'gte', value: 0.5 },
      { kpi: 'basic_completion', comparator: 'gte', value: 0.8 },
    ],
  });
  // An e-mail's unsubscribe link, for the page it opens (a GET only shows it).
  const unsubscribe = await db.write(async (tx) => await issueToken(tx, 'unsubscribe', learner.id || 1));
  const someLearners = rawSqlite(db).prepare("select id from users where role = 'learner' order by id limit 6").all() as { id: number }[];
  await addSampleOutbox(
    db,
    someLearners.map((u) => u.id),
    firstDepartment,
  );
  void db.close();

  const course = catalog.tiers[0]!.courses[0]!;
  const lesson = course.lessons[0]!;
  const quiz = course.quizzes[0]!;
  const when = (condition: unknown, page: GalleryPage): GalleryPage[] => (condition ? [page] : []);
  const pages: Record<GalleryRole, GalleryPage[]> = {
    anonymous: [['landing', '/'], ['login', '/login'], ...when(certificate, ['verify', `/verify/${certificate}`]), ['unsubscribe', `/unsubscribe/${unsubscribe}?kinds=check-in`]],
    newcomer: [
      ['home', '/home'],
      ['course', `/learn/${course.id}`],
      ['transcript-empty', '/transcript'],
    ],
    learner: [
      ['home', '/home'],
      ['tier', `/tiers/${catalog.tiers[0]!.id}`],
      ['course', `/learn/${course.id}`],
      ['lesson', `/learn/${course.id}/${lesson.id}`],
      ['quiz', `/quiz/${quiz.id}`],
      ...when(attempt, ['quiz-result', `/quiz/${attempt?.quiz_id}/attempts/${attempt?.id}`]),
      ...when(certificate, ['certificate', `/certificates/${certificate}`]),
      ['search', `/search?q=${encodeURIComponent('AI')}`],
      ['account', '/account'],
      ['transcript', '/transcript'],
      ['policy', '/policies/ai-usage'],
    ],
    champion: [
      ['champion', '/champion'],
      ['account', '/account'],
    ],
    admin: [
      ['dashboard', '/admin'],
      ['users', '/admin/users'],
      ...when(learner.id, ['user', `/admin/users/${learner.id}`]),
      ...when(learner.id, ['user-transcript', `/admin/users/${learner.id}/transcript`]),
      ['assignments', '/admin/assignments'],
      ['waves', '/admin/waves'],
      ...when(wave, ['wave', `/admin/waves/${wave}`]),
      ['helpdesk', '/admin/helpdesk'],
      ['settings', '/admin/settings'],
      ['notification-settings', '/admin/settings/notifications'],
      ['notifications', '/admin/notifications'],
      ['exports', '/admin/exports'],
      ['policies', '/admin/policies'],
      ['lessons', '/admin/lessons'],
      ['audit', '/admin/audit'],
      ['question', `/admin/questions/${quiz.id}/${quiz.questions[0]!.id}`],
      ['account', '/account'],
    ],
  };
  const emails: Record<Exclude<GalleryRole, 'anonymous'>, string> = {
    learner: learner.email,
    newcomer,
    champion: people.championEmail,
    admin: people.adminEmail,
  };

  const server = await startServer({ databasePath: file });
  return {
    server,
    pages,
    cookie: async (role) => {
      if (role === 'anonymous') return null;
      const { cookie } = await signIn(server.url, emails[role], GALLERY_PASSWORD);
      if (!cookie) throw new Error(`could not sign in as ${role} (${emails[role]})`);
      return cookie;
    },
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
