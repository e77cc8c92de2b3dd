/**
 * Lesson pages from prerendered shells (issue 17, src/features/lesson-shell): for the same user
 * and state, the page the fast handler answers is byte for byte the page Astro renders, with the
 * same headers (but the date and the request id). Two real built servers on copies of one
 * database: A with shells (the default), B with MANABI_LESSON_SHELLS=off. A logs at debug level,
 * so the test also knows which of A's answers came from a shell: the states the shells cover
 * must (the policy banner, feedback given, a practice task answered and a tier completed by the
 * lesson too), the others (locked, a result, a query) must not. One shell serves every role:
 * the header (section links per role, "My team" for a line manager) is a slot. On the real curriculum (dist)
 * every lesson has shells, and a learner walks it course by course (scripts/shell-progress.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, policyAcknowledgements, quizAttempts, users } from '../../db/schema/index.ts';
import { writeClockFile } from '../../src/platform/clock.server.ts';
import { openDatabase, rawDrizzle, rawSqlite } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb, reopenDb } from '../helpers/db.ts';
import { fixtureCatalog, ROOT } from '../helpers/fixture.ts';
import { FIXTURE_REVISED_OUT_DIR, MAJOR_REVISION } from '../helpers/fixture-revised.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, postForm, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { buildContentCatalog, finishCourse } from '../../scripts/shell-progress.ts';
import type { CourseNode } from '../../src/features/curriculum/catalog.ts';
import type { ShellManifest } from '../../src/features/lesson-shell/handler.server.ts';
import { first as firstRow } from '../../src/platform/query.ts';

const PASSWORD = 'shell password 1';
const DAY = 86_400_000;
const catalog = fixtureCatalog();
const course = catalog.course('basic-ai-essentials')!;
const quiz = catalog.quiz('basic-ai-essentials')!;
const [first, second] = course.lessons.map((l) => l.id) as [string, string];
const LOCKED = '/learn/applied-department-pilot/finding-use-cases';
/** Locked by the applied tier once the basic one is done. */
const LOCKED_LATER = `/learn/specialist-operations/${catalog.course('specialist-operations')!.lessons[0]!.id}`;
const policy = { policyId: 'ai-usage', version: '2' };
const championGuide = { policyId: 'champion-guide', version: '1' };

const STATES = [
  'open',
  'doneLesson',
  'doneQuiz',
  'doneTier',
  'feedback',
  'tryit',
  'banner',
  'renewal',
  'review',
  'champion',
  'admin',
  'bannerUpdated',
  'championBanner',
  // Feedback sent (named with a rating, without the name) and the tier completed by a lesson, per role.
  'feedbackAnon',
  'championFeedback',
  'adminFeedback',
  'tierHere',
  'championTierHere',
  'adminTierHere',
  // A practice task answered (the answer part in the body).
  'championTryit',
  'adminTryit',
  // Line managers (someone reports to them: "My team" in the header), per role.
  'manager',
  'championManager',
  'adminManager',
] as const;
const CHAMPIONS: readonly State[] = ['champion', 'championBanner', 'championFeedback', 'championTierHere', 'championTryit', 'championManager'];
const ADMINS: readonly State[] = ['admin', 'adminFeedback', 'adminTierHere', 'adminTryit', 'adminManager'];
/** Each manager and who reports to them. */
const REPORTS: [State, State][] = [
  ['manager', 'open'],
  ['championManager', 'doneLesson'],
  ['adminManager', 'feedback'],
];
const TIER_HERE: readonly State[] = ['tierHere', 'championTierHere', 'adminTierHere'];
type State = (typeof STATES)[number];

let t: TempDb;
let dirB: string;
let clockFile: string;
let a: RunningServer | null = null;
let b: RunningServer | null = null;
const cookies = new Map<State, string>();
const emailOf = (state: State): string => `shell-${state.toLowerCase()}@example.com`;
const lessonUrl = (locale: 'ja' | 'en', lessonId: string): string => `${locale === 'en' ? '/en' : ''}/learn/${course.id}/${lessonId}`;

async function complete(base: string, cookie: string, lessonId: string): Promise<void> {
  expect((await postForm(base, `${lessonUrl('ja', lessonId)}?_action=lesson.complete`, cookie, { lessonId })).status).toBe(303);
}

async function passQuiz(base: string, file: string, cookie: string): Promise<void> {
  expect((await postForm(base, `/quiz/${quiz.id}?_action=quiz.start`, cookie, { quizId: quiz.id })).status).toBe(303);
  const html = await (await get(base, `/quiz/${quiz.id}`, cookie)).text();
  const attemptId = /name="attemptId" value="([a-z2-9]{24})"/.exec(html)![1]!;
  const db = openDatabase(file, { migrate: false });
  const layout = firstRow(await rawDrizzle(db).select({ layout: quizAttempts.layout }).from(quizAttempts).where(eq(quizAttempts.id, attemptId)))!.layout;
  void db.close();
  const shown = layout ? layout.questions.map((q) => q.id) : quiz.questions.map((q) => q.id);
  const fields: [string, string][] = [
    ['quizId', quiz.id],
    ['attemptId', attemptId],
  ];
  for (const q of quiz.questions.filter((question) => shown.includes(question.id))) for (const option of q.correctOptionIds) fields.push([`answer.${q.id}`, option]);
  expect((await postForm(base, `/quiz/${quiz.id}?_action=quiz.submit`, cookie, fields)).status).toBe(303);
}

/** The states, written through the real server (the same forms a learner posts). */
async function writeStates(base: string): Promise<void> {
  for (const state of STATES) {
    const cookie = (await signIn(base, emailOf(state), PASSWORD)).cookie!;
    cookies.set(state, cookie);
    if (state !== 'banner' && state !== 'bannerUpdated' && state !== 'championBanner')
      expect((await postForm(base, `/policies/ai-usage?_action=policy.acknowledge`, cookie, policy)).status).toBe(303);
    // The fixture's guide for champions is theirs to acknowledge too.
    if (CHAMPIONS.includes(state) && state !== 'championBanner')
      expect((await postForm(base, `/policies/champion-guide?_action=policy.acknowledge`, cookie, championGuide)).status).toBe(303);
    if (state === 'doneLesson' || state === 'admin') await complete(base, cookie, first);
    if (state === 'doneQuiz' || state === 'doneTier' || state === 'review') {
      await complete(base, cookie, first);
      await complete(base, cookie, second);
    }
    if (state === 'doneTier') await passQuiz(base, t.file, cookie);
    // The quiz first, then the last lesson: the lesson is the step that completes the tier.
    if (TIER_HERE.includes(state)) {
      await complete(base, cookie, first);
      await passQuiz(base, t.file, cookie);
      await complete(base, cookie, second);
    }
    const feedback: Partial<Record<State, Record<string, string>>> = {
      feedback: { rating: '4', comment: `<よい> & "ok" 'x'` },
      feedbackAnon: { rating: '5', comment: 'anonymous', anonymous: 'on' },
      championFeedback: { rating: '1', comment: '' },
      adminFeedback: { rating: '2', comment: 'admin & co', anonymous: 'on' },
    };
    const fields = feedback[state];
    if (fields) expect((await postForm(base, `${lessonUrl('ja', first)}?_action=lesson.feedback`, cookie, { lessonId: first, ...fields })).status).toBe(303);
    if (state === 'tryit' || state === 'championTryit' || state === 'adminTryit') {
      const fields = { lessonId: first, taskId: 'first-draft', answer: state === 'tryit' ? '下書きを <お願い> & "します"' : `${state}\n2行目 & 'x'` };
      expect((await postForm(base, `${lessonUrl('ja', first)}?_action=practice.save`, cookie, fields)).status).toBe(303);
    }
  }
}

/** A's debug lines for answers from a shell, for this address. */
const fromShell = (server: RunningServer, pathname: string): number =>
  server
    .output()
    .split('\n')
    .filter((line) => line.includes('lesson page from its shell') && line.includes(`"route":"${pathname}"`)).length;

const VARYING = new Set(['date', 'x-request-id']);
const headersOf = (response: Response): [string, string][] => [...response.headers.entries()].filter(([name]) => !VARYING.has(name));

/** GETs the page from both servers: same status, headers and bytes. Returns whether A's answer came from a shell, and the page. */
async function exchange(pathname: string, cookieA: string, cookieB = cookieA): Promise<{ shell: boolean; body: string }> {
  const before = fromShell(a!, pathname);
  const fast = await get(a!.url, pathname, cookieA);
  const astro = await get(b!.url, pathname, cookieB);
  const [fastBody, astroBody] = [await fast.text(), await astro.text()];
  expect(fast.status, pathname).toBe(astro.status);
  expect(headersOf(fast), pathname).toEqual(headersOf(astro));
  expect(fastBody, pathname).toBe(astroBody);
  // A's log line may come a little after its answer (a loaded machine): wait up to a second for it.
  for (let i = 0; i < 20 && fromShell(a!, pathname) === before; i++) await new Promise((r) => setTimeout(r, 50));
  return { shell: fromShell(a!, pathname) > before, body: astroBody };
}

const compare = async (pathname: string, cookieA: string, cookieB = cookieA): Promise<boolean> => (await exchange(pathname, cookieA, cookieB)).shell;

async function startPair(outDir: string, fileA: string, fileB: string): Promise<void> {
  await Promise.all([a?.stop(), b?.stop()]);
  [a, b] = await Promise.all([
    startServer({ databasePath: fileA, outDir, clockFile, env: { LOG_LEVEL: 'debug' }, timeoutMs: 60_000 }),
    startServer({ databasePath: fileB, outDir, clockFile, env: { MANABI_LESSON_SHELLS: 'off' }, timeoutMs: 60_000 }),
  ]);
}

beforeAll(async () => {
  t = tempDb();
  clockFile = path.join(t.dir, 'clock.json');
  writeClockFile(clockFile, 0);
  for (const state of STATES) {
    const role = CHAMPIONS.includes(state) ? 'champion' : ADMINS.includes(state) ? 'admin' : 'learner';
    const id = await addUser(t.db, { email: emailOf(state), password: PASSWORD, role, name: state === 'open' ? `Shell <&> "学習者"` : `Shell ${state}` });
    // Acknowledged the policy's first version: the banner calls version 2 an update.
    if (state === 'bannerUpdated')
      await rawDrizzle(t.db).insert(policyAcknowledgements).values({ userId: id, policyId: 'ai-usage', version: 1, locale: 'ja', acknowledgedAt: new Date() });
    // Certified 340 days ago (as an import would record it): the renewal window is open, and the
    // revised build's major revision (2026-11-16) came after it, so the renewal asks for that lesson.
    if (state === 'renewal') {
      const issuedAt = new Date(Date.now() - 340 * DAY);
      await rawDrizzle(t.db)
        .insert(certificates)
        .values({ code: 'SHELLRENEWAL01', userId: id, tierId: 'basic', cycle: 1, holderName: 'Shell renewal', issuedAt, validUntil: new Date(Date.now() + 25 * DAY) });
    }
  }
  for (const [manager, report] of REPORTS) {
    const id = async (email: string): Promise<number> => firstRow(await rawDrizzle(t.db).select({ id: users.id }).from(users).where(eq(users.email, email)))!.id;
    await rawDrizzle(t.db)
      .update(users)
      .set({ managerId: await id(emailOf(manager)) })
      .where(eq(users.id, await id(emailOf(report))));
  }
  void t.db.close();
  const writer = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR, clockFile });
  await writeStates(writer.url);
  await writer.stop();
  dirB = fs.mkdtempSync(path.join(t.dir, 'b-'));
  // A consistent copy (the writer's last commits may still be in the WAL file).
  const source = reopenDb(t.file);
  rawSqlite(source).exec(`VACUUM INTO '${path.join(dirB, 'manabi.db')}'`);
  void source.close();
  await startPair(FIXTURE_OUT_DIR, t.file, path.join(dirB, 'manabi.db'));
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  t?.cleanup();
});

describe('lesson shells: the fast page is the Astro page', () => {
  for (const locale of ['ja', 'en'] as const) {
    it(`${locale}: the states the shells cover come from a shell, byte for byte`, async () => {
      const covered: [State, string][] = [
        ['open', first],
        ['open', second],
        ['doneLesson', first],
        ['doneQuiz', second],
        ['doneTier', second],
        ['doneTier', first],
        // Champions and admins: their header (section links), from the same shells.
        ['champion', first],
        ['champion', second],
        ['admin', first],
        ['admin', second],
        // The policy banner: one notice, an update, two (a champion's own guide as well).
        ['banner', first],
        ['bannerUpdated', first],
        ['championBanner', first],
        // Feedback given: named (a rating, a comment to escape; none), without the name.
        ['feedback', first],
        ['feedback', second],
        ['feedbackAnon', first],
        ['championFeedback', first],
        ['adminFeedback', first],
        // The tier completed by this lesson: the results panel with the certificate.
        ['tierHere', second],
        ['tierHere', first],
        ['championTierHere', second],
        ['adminTierHere', second],
        // A practice task answered: the answer, the self-check and the form to revise it.
        ['tryit', first],
        ['tryit', second],
        ['championTryit', first],
        ['adminTryit', first],
        // Line managers: the header with "My team", from the same shells.
        ['manager', first],
        ['manager', second],
        ['championManager', first],
        ['adminManager', second],
      ];
      for (const [state, lessonId] of covered) expect(await compare(lessonUrl(locale, lessonId), cookies.get(state)!), `${state} ${lessonId}`).toBe(true);
      // Locked: the tier to finish first, for a learner with nothing done, a champion, with the
      // banner and with "My team"; and another lock once that tier is done (the specialist tier needs the applied one).
      const prefix = locale === 'en' ? '/en' : '';
      for (const state of ['open', 'champion', 'banner', 'manager'] as const) {
        const { shell, body } = await exchange(prefix + LOCKED, cookies.get(state)!);
        expect(shell, `${state} locked`).toBe(true);
        expect(body).toMatch(/class="lock notice notice--warn"[\s\S]*href="[^"]*\/tiers\/basic"/);
      }
      const later = await exchange(prefix + LOCKED_LATER, cookies.get('doneTier')!);
      expect(later.shell, 'doneTier: the specialist tier needs the applied one').toBe(true);
      expect(later.body).toMatch(/class="lock notice notice--warn"[\s\S]*href="[^"]*\/tiers\/applied"/);
      expect(await compare(prefix + LOCKED, cookies.get('doneTier')!), 'doneTier: the applied lesson opens').toBe(true);
      // Those banners are there: one notice, an update of it, and two.
      const banners = await Promise.all(
        (['banner', 'bannerUpdated', 'championBanner'] as const).map(async (state) => (await exchange(lessonUrl(locale, first), cookies.get(state)!)).body),
      );
      const bannerOf = (html: string): string => /<aside[^>]*data-policy-banner[\s\S]*?<\/aside>/.exec(html)?.[0] ?? '';
      expect(banners.map((html) => (bannerOf(html).match(/href="[^"]*\/policies\//g) ?? []).length)).toEqual([1, 1, 2]);
      expect(bannerOf(banners[1]!)).not.toBe(bannerOf(banners[0]!));
      // Those states are on the pages: the comment as sent, the note for feedback without the name, the tier's panel.
      const page = async (state: State, lessonId: string): Promise<string> => (await exchange(lessonUrl(locale, lessonId), cookies.get(state)!)).body;
      expect(await page('feedback', first)).toContain('&lt;よい&gt; &amp; &quot;ok&quot; &#39;x&#39;</textarea>');
      expect(await page('feedbackAnon', first)).not.toContain('name="rating"');
      expect(await page('championFeedback', first)).toMatch(/value="1"[^>]*checked/);
      for (const state of TIER_HERE) expect(await page(state, second), state).toMatch(/class="card tier-complete[^"]*"[\s\S]*\/certificates\/[A-Za-z0-9]+/);
      expect(await page('tierHere', first)).not.toContain('class="card tier-complete');
      expect(await page('tryit', first)).toContain('下書きを &lt;お願い&gt; &amp; &quot;します&quot;</textarea>');
      expect(await page('open', first)).not.toContain('class="tryit-check');
      const team = `href="${locale === 'en' ? '/en' : ''}/team"`;
      for (const state of ['manager', 'championManager', 'adminManager'] as const) expect(await page(state, first), state).toContain(team);
      expect(await page('open', first)).not.toContain(team);
      // HEAD: the same headers, no body.
      const head = await fetch(a!.url + lessonUrl(locale, first), { method: 'HEAD', headers: { cookie: cookies.get('open')! } });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
    });

    it(`${locale}: the other states are Astro's in both (a result, a query, no such lesson)`, async () => {
      const prefix = locale === 'en' ? '/en' : '';
      const others: [State, string][] = [
        ['open', `${prefix + LOCKED}?x=1`],
        ['open', `${lessonUrl(locale, first)}?x=1`],
        ['open', `${prefix}/learn/${course.id}/no-such-lesson`],
      ];
      for (const [state, pathname] of others) expect(await compare(pathname, cookies.get(state)!), `${state} ${pathname}`).toBe(false);
      // A forged session, and one signed out: Astro's redirect to sign in (and its cookie deletion).
      expect(await compare(lessonUrl(locale, first), 'manabi_session=x.y')).toBe(false);
      const [outA, outB] = [(await signIn(a!.url, emailOf('open'), PASSWORD)).cookie!, (await signIn(b!.url, emailOf('open'), PASSWORD)).cookie!];
      expect((await postForm(a!.url, '/logout?_action=auth.logout', outA, {})).status).toBe(303);
      expect((await postForm(b!.url, '/logout?_action=auth.logout', outB, {})).status).toBe(303);
      expect(await compare(lessonUrl(locale, first), outA, outB)).toBe(false);
      // HEAD from a shell: Astro's status and headers.
      const heads = await Promise.all([a!, b!].map((s) => fetch(s.url + lessonUrl(locale, first), { method: 'HEAD', headers: { cookie: cookies.get('open')! } })));
      expect(headersOf(heads[0]!)).toEqual(headersOf(heads[1]!));
    });
  }

  it('updated since read (the revised build): the review box, from a shell', async () => {
    const fileB = path.join(dirB, 'manabi.db');
    await startPair(FIXTURE_REVISED_OUT_DIR, t.file, fileB);
    const [cookieA, cookieB] = [(await signIn(a!.url, emailOf('review'), PASSWORD)).cookie!, (await signIn(b!.url, emailOf('review'), PASSWORD)).cookie!];
    for (const locale of ['ja', 'en'] as const) {
      const url = lessonUrl(locale, MAJOR_REVISION.lessonId);
      expect(await (await get(b!.url, url, cookieB)).text()).toContain(MAJOR_REVISION.note[locale]);
      expect(await compare(url, cookieA, cookieB)).toBe(true);
    }
  }, 60_000);
  it('renewal due (the revised build; certified 340 days ago): the revised lesson asks to be read again, from a shell', async () => {
    const [cookieA, cookieB] = [(await signIn(a!.url, emailOf('renewal'), PASSWORD)).cookie!, (await signIn(b!.url, emailOf('renewal'), PASSWORD)).cookie!];
    for (const locale of ['ja', 'en'] as const) {
      const url = lessonUrl(locale, MAJOR_REVISION.lessonId);
      expect(await (await get(b!.url, url, cookieB)).text()).toContain(locale === 'ja' ? '更新のため、このレッスンをもう一度読んで' : 'For your renewal, read this lesson again');
      expect(await compare(url, cookieA, cookieB)).toBe(true);
      expect(await compare(lessonUrl(locale, first), cookieA, cookieB)).toBe(true);
    }
  });
  it('the real curriculum (dist): every lesson has shells; course by course as a learner unlocks them, each page is the Astro page, and a still locked course is its locked shell', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'shells', 'manifest.json'), 'utf8')) as ShellManifest;
    const real = buildContentCatalog(path.join(ROOT, 'content'));
    const lessons = real.allLessons();
    const expected = lessons.flatMap((l) => [`/learn/${l.courseId}/${l.id}`, `/en/learn/${l.courseId}/${l.id}`]).sort();
    expect(Object.keys(manifest.routes).sort()).toEqual(expected);
    // One shell per page; the header per role and for managers, per language.
    for (const locale of ['ja', 'en'] as const)
      expect(Object.keys(manifest.fragments[locale].header).sort(), locale).toEqual(['admin', 'admin+team', 'champion', 'champion+team', 'learner', 'learner+team']);
    const t2 = tempDb();
    try {
      await addUser(t2.db, { email: 'real@example.com', password: PASSWORD, name: '本番 太郎' });
      void t2.db.close();
      const fileB = path.join(t2.dir, 'b.db');
      fs.copyFileSync(t2.file, fileB);
      await startPair('dist', t2.file, fileB);
      const [cookieA, cookieB] = [(await signIn(a!.url, 'real@example.com', PASSWORD)).cookie!, (await signIn(b!.url, 'real@example.com', PASSWORD)).cookie!];
      for (const [server, cookie] of [
        [a!, cookieA],
        [b!, cookieB],
      ] as const) {
        for (let i = 0; i < 10; i++) {
          const id = /href="\/policies\/([a-z0-9-]+)"/.exec(await (await get(server.url, `/learn/${lessons[0]!.courseId}/${lessons[0]!.id}`, cookie)).text())?.[1];
          if (!id) break;
          const version = /name="version" value="(\d+)"/.exec(await (await get(server.url, `/policies/${id}`, cookie)).text())![1]!;
          expect((await postForm(server.url, `/policies/${id}?_action=policy.acknowledge`, cookie, { policyId: id, version })).status).toBe(303);
        }
      }
      const courses = real.tiers.flatMap((tier) => tier.courses);
      const finished = new Set<string>();
      let lockedSeen = 0;
      for (let round = 0; round < courses.length && finished.size < courses.length; round++) {
        const opened: CourseNode[] = [];
        for (const c of courses.filter((x) => !finished.has(x.id))) {
          const firstLesson = c.lessons[0]!;
          const pages = await Promise.all([`/learn/${c.id}/${firstLesson.id}`, `/en/learn/${c.id}/${firstLesson.id}`].map((route) => exchange(route, cookieA, cookieB)));
          // Locked for this learner: the lock notice, from the locked page's shell.
          if (pages.every((p) => /class="lock notice notice--warn/.test(p.body))) {
            expect(
              pages.map((p) => p.shell),
              `${c.id} locked`,
            ).toEqual([true, true]);
            lockedSeen++;
            continue;
          }
          expect(
            pages.map((p) => p.shell),
            c.id,
          ).toEqual([true, true]);
          opened.push(c);
        }
        expect(opened.length, `round ${round}: no course opened`).toBeGreaterThan(0);
        for (const c of opened) {
          for (const l of c.lessons) for (const route of [`/learn/${c.id}/${l.id}`, `/en/learn/${c.id}/${l.id}`]) expect(await compare(route, cookieA, cookieB), route).toBe(true);
          await Promise.all([finishCourse({ base: a!.url, cookie: cookieA }, c), finishCourse({ base: b!.url, cookie: cookieB }, c)]);
          finished.add(c.id);
        }
      }
      expect(finished.size).toBe(courses.length);
      expect(lockedSeen).toBeGreaterThan(0);
      // Every course done: every page again (the done boxes), from a shell.
      for (const route of expected) expect(await compare(route, cookieA, cookieB), route).toBe(true);
    } finally {
      await Promise.all([a?.stop(), b?.stop()]);
      [a, b] = [null, null];
      t2.cleanup();
    }
  }, 300_000);
});
