/**
 * The running app a fuzz file sends to: one built server (fixture curriculum) on its own temp
 * database with the real migrations, seeded with the users, departments, waves, assignments,
 * attempts and sign-in link the specs refer to, and signed-in cookies for each role.
 */
import { expect } from 'vitest';
import { createAssignment } from '../../../src/features/programme/assignments.server.ts';
import { createLoginToken } from '../../../src/features/auth/login-links.server.ts';
import { ensureDepartment } from '../../../src/features/users/users.server.ts';
import { setActive } from '../../../src/features/users/users-admin.server.ts';
import { createScimToken } from '../../../src/features/scim/tokens.server.ts';
import { rawSqlite } from '../../../src/platform/db.server.ts';
import { saveWave } from '../../../src/features/programme/waves.server.ts';
import { tempDb, type TempDb } from '../../helpers/db.ts';
import { fixtureCatalog, ROOT } from '../../helpers/fixture.ts';
import { FIXTURE_OUT_DIR } from '../../helpers/global-build.ts';
import { get, signIn } from '../../helpers/http.ts';
import { startServer, type RunningServer } from '../../helpers/server.ts';
import { answerSheet, LearnerClient, PASSWORD, seedUsers, Tally, type SeededUser } from '../support.ts';
import { Snapshots } from './snapshots.ts';

export const catalog = fixtureCatalog();
export const basicCourse = catalog.course('basic-ai-essentials')!;
export const appliedCourse = catalog.course('applied-department-pilot')!;
export const specialistCourse = catalog.course('specialist-operations')!;
export const basicQuiz = catalog.quiz('basic-ai-essentials')!;
export const appliedQuiz = catalog.quiz('applied-department-pilot')!;
export const specialistQuiz = catalog.quiz('specialist-operations')!;

export type Who = 'admin' | 'learner' | 'champion' | 'password' | 'logout' | 'anonymous';

export interface Context {
  base: string;
  cookies: Record<Exclude<Who, 'anonymous'>, string>;
  users: Record<'admin' | 'learner' | 'other' | 'champion' | 'password' | 'logout' | 'login' | 'inactive', SeededUser>;
  /** The password of the password-change user, as it is now. */
  password: string;
  victims: number[];
  departments: { mine: number; other: number; names: string[] };
  waves: { permanent: number; pool: number[] };
  assignments: number[];
  attempts: { learnerOpen: string; otherOpen: string };
  linkToken: string;
  /** A live SCIM bearer token (issue 19), and the public ids of a user and a group SCIM can see. */
  scim: { token: string; userId: string; groupId: string };
}

export interface App {
  ctx: Context;
  snapshots: Snapshots;
  /** Paths no answer may show (the project folder, the database file). */
  privatePaths: string[];
  stop(): Promise<void>;
}

/**
 * Seeds the database, starts the server and brings the learner to a known state: basic tier
 * done, the applied quiz failed twice (no attempts left), so the specialist course is locked;
 * an open attempt at the basic quiz, and another learner's open attempt too; every open lesson
 * viewed today, so a lesson page shown again records nothing new.
 */
export async function startApp(): Promise<App> {
  let t: TempDb | null = tempDb();
  let server: RunningServer | null = null;
  try {
    const db = t.db;
    const [mine, other] = await db.write(async (tx) => [await ensureDepartment(tx, '営業部'), await ensureDepartment(tx, '開発部')]);
    const one = async (prefix: string, role: 'learner' | 'champion' | 'admin' = 'learner', department = '営業部') => (await seedUsers(db, 1, { prefix, role, department }))[0]!;
    const users = {
      admin: await one('fuzz-admin', 'admin'),
      learner: await one('fuzz-learner'),
      other: await one('fuzz-other', 'learner', '開発部'),
      champion: await one('fuzz-champion', 'champion'),
      password: await one('fuzz-password'),
      logout: await one('fuzz-logout'),
      login: await one('fuzz-login'),
      inactive: await one('fuzz-inactive'),
    };
    await db.write(async (tx) => await setActive(tx, users.inactive.id, false));
    const victims = (await seedUsers(db, 6, { prefix: 'fuzz-victim', department: '開発部' })).map((u) => u.id);
    const link = await one('fuzz-link');
    const linkToken = await createLoginToken(db, link.id, users.admin.id, 'reset');
    const scim = await seedScim(db, users.learner.id);
    const wave = (name: string) =>
      saveWave(db, {
        name,
        position: 0,
        startDate: '2025-04-01',
        endDate: '2025-09-30',
        description: null,
        departmentIds: [other],
        targets: [{ kpi: 'usage_rate', comparator: 'gte', value: 0.5 }],
      });
    const permanent = await wave('permanent');
    const pool = [await wave('pool 1'), await wave('pool 2'), await wave('pool 3')];
    const assignments = await Promise.all(
      [1, 2, 3].map((days) =>
        createAssignment(db, { tierId: 'applied', target: { kind: 'department', departmentId: other }, due: { kind: 'days', days }, createdBy: users.admin.id }),
      ),
    );
    await db.close();

    // No notification scheduler: a background send would change the outbox between a refused body's snapshots.
    server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR, env: { NOTIFY_SCHEDULER: 'false', SCIM_REQUESTS_PER_MINUTE: '1000000' } });
    const base = server.url;
    expect(process.env.XAPI_ENDPOINT, 'admin.pushXapi is fuzzed as "not configured"').toBeUndefined();
    const cookie = async (user: SeededUser): Promise<string> => {
      const { cookie: value } = await signIn(base, user.email, PASSWORD);
      expect(value, `sign-in of ${user.email}`).toBeTruthy();
      return value!;
    };
    const cookies = {
      admin: await cookie(users.admin),
      learner: await cookie(users.learner),
      champion: await cookie(users.champion),
      password: await cookie(users.password),
      logout: await cookie(users.logout),
    };

    const tally = new Tally();
    const learner = new LearnerClient(users.learner, cookies.learner, catalog, tally);
    for (const lesson of basicCourse.lessons) expect((await learner.complete(base, basicCourse.id, lesson.id)).kind).toBe('ack');
    const first = await learner.start(base, basicQuiz.id);
    expect((await learner.submit(base, basicQuiz.id, first.attemptId!, answerSheet(basicQuiz, true))).kind).toBe('ack');
    for (let i = 0; i < appliedQuiz.maxAttempts!; i++) {
      const { attemptId } = await learner.start(base, appliedQuiz.id);
      expect((await learner.submit(base, appliedQuiz.id, attemptId!, answerSheet(appliedQuiz, false))).kind).toBe('ack');
    }
    expect((await learner.start(base, appliedQuiz.id)).outcome).toEqual({ kind: 'refused', status: 403 });
    const learnerOpen = (await learner.start(base, basicQuiz.id)).attemptId!;
    const otherClient = new LearnerClient(users.other, await cookie(users.other), catalog, tally);
    const otherOpen = (await otherClient.start(base, basicQuiz.id)).attemptId!;
    expect(learnerOpen).toBeTruthy();
    expect(otherOpen).toBeTruthy();
    for (const course of [basicCourse, appliedCourse, specialistCourse]) {
      for (const lesson of course.lessons) expect((await get(base, `/learn/${course.id}/${lesson.id}`, cookies.learner)).status).toBe(200);
    }
    expect(tally.server + tally.client).toBe(1); // the refused third applied attempt

    const ctx: Context = {
      base,
      cookies,
      users,
      password: PASSWORD,
      victims,
      departments: { mine, other, names: ['営業部', '開発部'] },
      waves: { permanent, pool },
      assignments,
      attempts: { learnerOpen, otherOpen },
      linkToken,
      scim,
    };
    const snapshots = new Snapshots(t.file);
    expect(snapshots.tableNames).toContain('users');
    const running = server;
    const temp = t;
    server = null;
    t = null;
    return {
      ctx,
      snapshots,
      privatePaths: [ROOT, temp.dir],
      stop: async () => {
        snapshots.close();
        await running.stop();
        temp.cleanup();
      },
    };
  } finally {
    // A failed setup leaves nothing running.
    await server?.stop();
    t?.cleanup();
  }
}

/** A SCIM token, and a group (with the learner in it) for the SCIM endpoint's cases to read and aim at. */
async function seedScim(db: TempDb['db'], learnerId: number): Promise<Context['scim']> {
  const { token } = await createScimToken(db, 'fuzz', { actorLabel: 'fuzz' });
  const sqlite = rawSqlite(db);
  const userId = (sqlite.prepare('select public_id as id from users where id = ?').get(learnerId) as { id: string }).id;
  const groupId = 'fuzzgroup00000000000000000';
  const group = sqlite.prepare("insert into scim_groups (public_id, display_name) values (?, 'Fuzz group') returning id").get(groupId) as { id: number };
  sqlite.prepare('insert into scim_group_members (group_id, user_id) values (?, ?)').run(group.id, learnerId);
  return { token, userId, groupId };
}
