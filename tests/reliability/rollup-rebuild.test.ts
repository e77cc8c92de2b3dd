/**
 * Issue 11, item 19: roll-ups can be rebuilt in production. After a mixed workload over real
 * HTTP (lesson completions, quiz attempts passed and failed, check-ins changed, ratings changed),
 * `npm run db:rebuild-rollups` gives exactly the roll-ups the live writes kept; it refuses while
 * a server holds the database; a server that finds roll-ups of another version (a bumped
 * ROLLUP_VERSION, a restore) rebuilds them before it serves.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ROLLUP_VERSION, ROLLUP_VERSION_KEY } from '../../src/features/kpi/rollup-version.server.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { fixtureCatalog, ROOT } from '../helpers/fixture.ts';
import { postForm, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { databaseEnv, tempDb, type TempDb } from '../helpers/db.ts';
import { answerSheet, LearnerClient, PASSWORD, seedUsers, Tally } from './support.ts';

const catalog = fixtureCatalog();
const t: TempDb = tempDb();
let server: RunningServer | null = null;

afterAll(async () => {
  await server?.stop();
  t.cleanup();
});

function cli(script: string, args: string[] = []): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...databaseEnv(t.file), MANABI_CONTENT_DIR: path.join(ROOT, 'tests/fixtures/content') },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

/** Every roll-up row as sorted JSON (rows that count nothing left out: a rebuild does not make them). */
interface Rollups {
  months: string[];
  questions: string[];
  wrong: string[];
  pairs: string[];
}

function rollups(): Rollups {
  const db = new Database(t.file, { readonly: true });
  try {
    const rows = (sql: string): string[] => (db.prepare(sql).all() as object[]).map((r) => JSON.stringify(r)).sort();
    return {
      months: rows(
        'select * from kpi_department_months where active_users + hours_sum + hours_respondents + attempts + attempts_passed + score_sum + rating_sum + rating_count <> 0',
      ),
      questions: rows('select * from kpi_question_months'),
      wrong: rows('select * from kpi_wrong_options where count <> 0'),
      pairs: rows('select * from quiz_pairs'),
    };
  } finally {
    db.close();
  }
}

function storedVersion(): unknown {
  const db = new Database(t.file, { readonly: true });
  try {
    const row = db.prepare('select value from settings where key = ?').get(ROLLUP_VERSION_KEY) as { value: string } | undefined;
    return row ? JSON.parse(row.value) : null;
  } finally {
    db.close();
  }
}

function writeSql(statements: string[]): void {
  const db = new Database(t.file);
  try {
    for (const statement of statements) db.prepare(statement).run();
  } finally {
    db.close();
  }
}

describe('roll-up rebuild (issue 11, item 19)', () => {
  let live: Rollups;

  it('rebuilds, by the CLI, exactly the roll-ups the live writes kept after a mixed workload', async () => {
    const sales = await seedUsers(t.db, 3, { prefix: 'sales', department: 'Sales' });
    const hr = await seedUsers(t.db, 2, { prefix: 'hr', department: 'HR' });
    void t.db.close();
    server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
    const base = server.url;
    const tally = new Tally();
    const course = catalog.tiers[0]!.courses[0]!;
    const quiz = course.quizzes[0]!;
    for (const [i, user] of [...sales, ...hr].entries()) {
      const { cookie } = await signIn(base, user.email, PASSWORD);
      const client = new LearnerClient(user, cookie!, catalog, tally);
      for (const lesson of course.lessons.slice(0, 1 + (i % course.lessons.length))) {
        expect((await client.complete(base, course.id, lesson.id)).kind).toBe('ack');
      }
      for (const correct of i % 2 === 0 ? [false, true] : [false]) {
        const { outcome, attemptId } = await client.start(base, quiz.id);
        expect(outcome.kind).toBe('ack');
        expect((await client.submit(base, quiz.id, attemptId!, answerSheet(quiz, correct))).kind).toBe('ack');
      }
      for (const hours of ['2', String(1 + i)]) {
        expect((await postForm(base, '/home?_action=checkin.save', cookie, { hoursSaved: hours, tasks: 'mail' })).status).toBe(303);
      }
      const lesson = course.lessons[0]!;
      for (const rating of ['2', String(1 + (i % 5))]) {
        const answer = await postForm(base, `/learn/${course.id}/${lesson.id}?_action=lesson.feedback`, cookie, { lessonId: lesson.id, rating });
        expect(answer.status).toBe(303);
      }
    }
    expect(tally.server).toBe(0);
    live = rollups();
    expect(live.months.length).toBeGreaterThan(1);
    expect(live.wrong.length).toBeGreaterThan(0);

    // Beside the running server the CLI refuses and changes nothing.
    const refused = cli('src/cli/db-rebuild-rollups.ts');
    expect(refused.status).toBe(1);
    expect(refused.out).toContain('stop it first');

    await server.stop();
    server = null;
    writeSql(['delete from kpi_question_months', 'update kpi_department_months set attempts = attempts + 7']);
    const rebuilt = cli('src/cli/db-rebuild-rollups.ts');
    expect(rebuilt.status, rebuilt.out).toBe(0);
    expect(rollups()).toEqual(live);
    expect(storedVersion()).toBe(ROLLUP_VERSION);
  });

  it('rebuilds at start when the stored roll-up version is not this code’s', async () => {
    writeSql([`update settings set value = '0' where key = '${ROLLUP_VERSION_KEY}'`, 'delete from kpi_wrong_options', 'delete from quiz_pairs']);
    server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
    expect(rollups()).toEqual(live);
    expect(storedVersion()).toBe(ROLLUP_VERSION);
    await server.stop();
    server = null;
  });

  it('rebuilds after db:restore, at the next start', async () => {
    const backup = path.join(t.dir, 'backup.db');
    expect(cli('src/cli/db-backup.ts', [backup]).status).toBe(0);
    const restored = cli('src/cli/db-restore.ts', [backup]);
    expect(restored.status, restored.out).toBe(0);
    expect(storedVersion()).toBeNull();
    writeSql(['delete from kpi_department_months']);
    server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
    expect(rollups()).toEqual(live);
    expect(storedVersion()).toBe(ROLLUP_VERSION);
  });
});
