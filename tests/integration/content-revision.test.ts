/**
 * A content revision end to end: a learner completes the basic lessons on the fixture build, then
 * the server is started on the revised fixture (the same content with one lesson revised `major`
 * and one `minor`, rebuilt) over the same database. The major one asks its earlier completers to
 * review it, on home and on the lesson, with the note; reviewing records a completion against
 * the new version; the minor one asks nothing. The admin's lesson page counts both versions.
 */
import path from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonCompletions } from '../../db/schema/index.ts';
import { buildCatalog } from '../../src/features/curriculum/catalog.ts';
import { readCorpus } from '../../src/features/curriculum/read-corpus.ts';
import { type Db, rawDrizzle } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb, reopenDb } from '../helpers/db.ts';
import { fixtureCatalog, ROOT } from '../helpers/fixture.ts';
import { FIXTURE_REVISED_CONTENT, FIXTURE_REVISED_OUT_DIR, MAJOR_REVISION, MINOR_REVISION } from '../helpers/fixture-revised.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, postForm, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const PASSWORD = 'revision password 1';
const before = fixtureCatalog();
const after = buildCatalog(readCorpus(path.join(ROOT, FIXTURE_REVISED_CONTENT), ROOT).corpus);
const major = MAJOR_REVISION;
const minor = MINOR_REVISION;

let t: TempDb;
let server: RunningServer | null = null;
let db: Db;
const ids: Record<string, number> = {};
const cookies: Record<string, string> = {};

async function serve(outDir: string): Promise<void> {
  await server?.stop();
  server = await startServer({ databasePath: t.file, outDir });
  for (const name of Object.keys(ids)) cookies[name] = (await signIn(server.url, `${name}@example.com`, PASSWORD)).cookie!;
}

const page = async (who: string, p: string): Promise<string> => (await get(server!.url, p, cookies[who])).text();
const complete = (who: string, lessonId: string) => postForm(server!.url, `/learn/basic-ai-essentials/${lessonId}?_action=lesson.complete`, cookies[who]!, { lessonId });
const completionsOf = async (who: string, lessonId: string) =>
  await rawDrizzle(db)
    .select({ version: lessonCompletions.contentVersion, majorRevision: lessonCompletions.majorRevision, cycle: lessonCompletions.cycle })
    .from(lessonCompletions)
    .where(and(eq(lessonCompletions.userId, ids[who]!), eq(lessonCompletions.lessonId, lessonId)))
    .orderBy(asc(lessonCompletions.id));
const row = (html: string, lessonId: string): string => new RegExp(`<tr[^>]*data-lesson="${lessonId}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
const cell = (html: string, lessonId: string, name: string): string => new RegExp(`data-${name}[^>]*>([^<]*)<`).exec(row(html, lessonId))?.[1] ?? '';

beforeAll(async () => {
  t = tempDb();
  ids.reader = await addUser(t.db, { email: 'reader@example.com', password: PASSWORD, name: '読者 一郎' });
  ids.newcomer = await addUser(t.db, { email: 'newcomer@example.com', password: PASSWORD, name: '新人 花子' });
  ids.ada = await addUser(t.db, { email: 'ada@example.com', password: PASSWORD, name: '管理 太郎', role: 'admin' });
  void t.db.close();
  db = reopenDb(t.file);
  await serve(FIXTURE_OUT_DIR);
});

afterAll(async () => {
  await server?.stop();
  if (db) void db.close();
  t?.cleanup();
});

describe('a major and a minor revision', () => {
  it('the two builds differ in exactly the two revised lessons', () => {
    expect(after.lesson(major.lessonId)!.version).not.toBe(before.lesson(major.lessonId)!.version);
    expect(after.lesson(major.lessonId)!.majorRevision?.date).toBe(major.date);
    expect(after.lesson(minor.lessonId)!.version).not.toBe(before.lesson(minor.lessonId)!.version);
    expect(after.lesson(minor.lessonId)!.majorRevision).toBeNull();
  });

  it('a completion records the version read', async () => {
    for (const lessonId of [major.lessonId, minor.lessonId]) expect((await complete('reader', lessonId)).status).toBe(303);
    expect(await completionsOf('reader', major.lessonId)).toEqual([{ version: before.lesson(major.lessonId)!.version, majorRevision: null, cycle: 1 }]);
    expect(await page('reader', '/home')).not.toContain('内容が更新されたレッスン');
  });

  it('after the rebuild, the earlier completer is asked to review the major one, on home and on the lesson, with the note', async () => {
    await serve(FIXTURE_REVISED_OUT_DIR);
    const home = await page('reader', '/home');
    expect(home).toContain('内容が更新されたレッスン');
    expect(home).toContain(major.note.ja);
    expect(home).not.toContain(minor.note.ja);
    expect(await page('reader', '/en/home')).toContain(major.note.en);
    const lesson = await page('reader', `/learn/${major.courseId}/${major.lessonId}`);
    expect(lesson).toContain('内容が大きく更新されました');
    expect(lesson).toContain('更新内容を確認しました');
    // The minor one stays completed and asks nothing.
    const minorPage = await page('reader', `/learn/${minor.courseId}/${minor.lessonId}`);
    expect(minorPage).not.toContain('内容が大きく更新されました');
    expect(minorPage).toContain('完了しました');
    // Someone who never read it is asked nothing either.
    expect(await page('newcomer', '/home')).not.toContain('内容が更新されたレッスン');
  });

  it('the admin sees one completion of an older version only, one review pending', async () => {
    const html = await page('ada', '/admin/lessons');
    expect(cell(html, major.lessonId, 'current')).toBe('0');
    expect(cell(html, major.lessonId, 'older')).toBe('1');
    expect(cell(html, major.lessonId, 'to-review')).toBe('1');
    expect(cell(html, minor.lessonId, 'to-review')).toBe('—');
  });

  it('reviewing records a completion of the new version; the notice goes; history is kept', async () => {
    expect((await complete('reader', major.lessonId)).status).toBe(303);
    expect(await completionsOf('reader', major.lessonId)).toEqual([
      { version: before.lesson(major.lessonId)!.version, majorRevision: null, cycle: 1 },
      { version: after.lesson(major.lessonId)!.version, majorRevision: major.date, cycle: 1 },
    ]);
    expect(await page('reader', '/home')).not.toContain('内容が更新されたレッスン');
    expect(await page('reader', `/learn/${major.courseId}/${major.lessonId}`)).not.toContain('内容が大きく更新されました');
    // A second submission stores nothing more.
    expect((await complete('reader', major.lessonId)).status).toBe(303);
    expect(await completionsOf('reader', major.lessonId)).toHaveLength(2);
    const html = await page('ada', '/admin/lessons');
    expect(cell(html, major.lessonId, 'current')).toBe('1');
    expect(cell(html, major.lessonId, 'older')).toBe('0');
    expect(cell(html, major.lessonId, 'to-review')).toBe('0');
  });
});
