/**
 * WIP (issue 17, /work/wt/SHELLS.md): a lesson shell cut from the Astro page of one state, filled
 * with another state's progress box rendered by the same component through the Container API
 * (from the built server bundle), is byte-identical to the Astro page of that other state.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonCompletions } from '../../db/schema/index.ts';
import type { LessonFragments, ProgressBoxProps } from '../../src/features/progress/lesson-fragments.server.ts';
import { cutShell, fillShell } from '../../src/features/progress/lesson-shell.ts';
import { openDatabase, type Db, rawSqlite } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { fixtureCatalog, ROOT } from '../helpers/fixture.ts';
import { get, postForm, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';

const PASSWORD = 'fixture password 1';
const course = fixtureCatalog().course('basic-ai-essentials')!;
const [lesson, nextLesson] = course.lessons as [(typeof course.lessons)[number], (typeof course.lessons)[number]];

let t: TempDb;
let server: RunningServer;
let db: Db;
let cookie: string;
let userId: number;
let fragments: LessonFragments;

beforeAll(async () => {
  t = tempDb();
  userId = await addUser(t.db, { email: 'shell@example.com', password: PASSWORD, name: 'Shell Learner' });
  rawSqlite(t.db).close();
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
  db = openDatabase(t.file, { migrate: false });
  cookie = (await signIn(server.url, 'shell@example.com', PASSWORD)).cookie!;
  // The components from the same build the server runs (its middleware module registers them).
  const serverDir = path.join(ROOT, FIXTURE_OUT_DIR, 'server');
  await import(/* @vite-ignore */ pathToFileURL(path.join(serverDir, 'entry.mjs')).href);
  await import(/* @vite-ignore */ pathToFileURL(path.join(serverDir, 'virtual_astro_middleware.mjs')).href);
  fragments = (globalThis as Record<symbol, unknown>)[Symbol.for('manabi.lessonFragments')] as LessonFragments;
});

afterAll(async () => {
  await server?.stop();
  if (db) rawSqlite(db).close();
  t?.cleanup();
});

const pathOf = (locale: 'ja' | 'en'): string => `${locale === 'en' ? '/en' : ''}/learn/${course.id}/${lesson.id}`;
const box = (locale: 'ja' | 'en', state: Partial<ProgressBoxProps>): Promise<string> =>
  fragments.progressBox(
    {
      courseId: course.id,
      lessonId: lesson.id,
      review: null,
      doneAt: null,
      justCompleted: false,
      nextLesson: null,
      action: null,
      nextCourse: null,
      renewal: null,
      timeZone: 'Asia/Tokyo',
      ...state,
    },
    locale,
  );

describe('lesson shells (WIP)', () => {
  it('a shell cut from the open lesson, filled with the done box, is the done page byte for byte (ja, en)', async () => {
    const open: Record<string, Response> = {};
    for (const locale of ['ja', 'en'] as const) open[locale] = await get(server.url, pathOf(locale), cookie);
    // Completed; the page is fetched again without the one-time result cookie (that case stays on Astro).
    expect((await postForm(server.url, `${pathOf('ja')}?_action=lesson.complete`, cookie, { lessonId: lesson.id })).status).toBe(303);
    const row = await db.read((q) =>
      q
        .select({ completedAt: lessonCompletions.completedAt })
        .from(lessonCompletions)
        .where(and(eq(lessonCompletions.userId, userId), eq(lessonCompletions.lessonId, lesson.id)))
        .get(),
    );
    for (const locale of ['ja', 'en'] as const) {
      const done = await get(server.url, pathOf(locale), cookie);
      expect([open[locale]!.status, done.status]).toEqual([200, 200]);
      // One CSP for the route whatever the state: the shell can carry the header it was rendered with.
      expect(done.headers.get('content-security-policy')).toBe(open[locale]!.headers.get('content-security-policy'));
      const shell = cutShell(await open[locale]!.text(), { progress: await box(locale, {}) });
      const filled = fillShell(shell, { progress: await box(locale, { doneAt: row!.completedAt, nextLesson }) });
      expect(filled).toBe(await done.text());
    }
  });
});
