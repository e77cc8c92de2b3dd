/**
 * The shipped curriculum in the built app: every lesson renders in both languages with its
 * components, and a term from each tier's lessons finds that lesson through search.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonCompletions, quizAttempts } from '../../db/schema/index.ts';
import { generateSecureRandomString } from '../../src/features/auth/session.server.ts';
import { shippedCatalog } from '../helpers/catalog.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { get, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';

const catalog = shippedCatalog();
const PASSWORD = 'curriculum reader';
let t: TempDb;
let server: RunningServer;
let cookie: string;

beforeAll(async () => {
  t = tempDb();
  const userId = await addUser(t.db, { email: 'reader@example.com', password: PASSWORD });
  // Everything complete, so no lesson is locked for this reader.
  const now = new Date();
  for (const lesson of catalog.allLessons()) await rawDrizzle(t.db).insert(lessonCompletions).values({ userId, lessonId: lesson.id, completedAt: now });
  for (const course of catalog.tiers.flatMap((tier) => tier.courses)) {
    for (const quiz of course.quizzes) {
      await rawDrizzle(t.db)
        .insert(quizAttempts)
        .values({ id: generateSecureRandomString(), userId, quizId: quiz.id, startedAt: now, submittedAt: now, score: 1, maxScore: 1, passed: true });
    }
  }
  void t.db.close();
  server = await startServer({ databasePath: t.file });
  cookie = (await signIn(server.url, 'reader@example.com', PASSWORD)).cookie!;
});

afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

describe('every lesson renders', () => {
  const pages = catalog.allLessons().flatMap((lesson) => (['ja', 'en'] as const).map((locale) => [`${locale} ${lesson.id}`, locale, lesson] as const));

  it.each(pages)('%s', async (_name, locale, lesson) => {
    const path = `${locale === 'en' ? '/en' : ''}/learn/${lesson.courseId}/${lesson.id}`;
    const response = await get(server.url, path, cookie);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`<html lang="${locale}"`);
    // The title as Astro escapes it in HTML (an apostrophe becomes &#39;).
    const escaped = lesson.title[locale]!.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    expect(html).toMatch(new RegExp(`<h1[^>]*>${escaped.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</h1>`));
    expect(html).toContain('class="takeaways');
    expect(html).not.toMatch(/\bundefined\b|\[object Object\]|Expected component/);
    expect(html).not.toContain('class="fallback-mark');
  });

  it('uses the authoring components somewhere in both languages', async () => {
    const found = new Set<string>();
    for (const lesson of catalog.allLessons()) {
      for (const prefix of ['', '/en']) {
        const html = await (await get(server.url, `${prefix}/learn/${lesson.courseId}/${lesson.id}`, cookie)).text();
        for (const marker of ['prompt-example', 'callout', 'do-dont', 'takeaways', 'term-definition']) {
          if (html.includes(`class="${marker}`)) found.add(`${prefix || 'ja'}:${marker}`);
        }
      }
    }
    expect([...found].sort()).toEqual(['callout', 'do-dont', 'prompt-example', 'takeaways', 'term-definition'].flatMap((m) => [`/en:${m}`, `ja:${m}`]).sort());
  });
});

describe('search finds each tier’s lessons', () => {
  it.each(catalog.tiers.map((tier) => [tier.id, tier] as const))('%s', async (_id, tier) => {
    const lesson = tier.courses[0]!.lessons[0]!;
    for (const locale of ['ja', 'en'] as const) {
      const prefix = locale === 'en' ? '/en' : '';
      const html = await (await get(server.url, `${prefix}/search?q=${encodeURIComponent(lesson.title[locale]!)}`, cookie)).text();
      expect(html, `${locale}: ${lesson.title[locale]}`).toContain(`href="${prefix}/learn/${lesson.courseId}/${lesson.id}"`);
    }
  });
});
