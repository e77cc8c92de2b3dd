/**
 * A learner's own form answer kept in the result cookie (src/platform/http/form-results.server.ts):
 * nothing is written for it, its page shows it once to its session, another session (another
 * user, or the same user signed in elsewhere) reads nothing from a copy of the cookie, and
 * answers too big for a cookie, or from signed-out posts, still go to the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlRows } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { resultCookieOf, signIn } from '../helpers/http.ts';
import { PASSWORD, post, startApp, type App } from './support.ts';

const catalog = fixtureCatalog();
const course = catalog.course('basic-ai-essentials')!;
const [first, second] = course.lessons.map((l) => l.id) as [string, string];
const SHOWN = 'id="post-result"';
let app: App;

beforeAll(async () => {
  app = await startApp({ users: { dora: {}, eli: {} } });
});

afterAll(async () => {
  await app?.stop();
});

const pendingRows = async (): Promise<number> => (await sqlRows<{ n: number }>(app.db, 'select cast(count(*) as integer) n from form_results'))[0]!.n;
const lessonPath = (lesson: string): string => `/learn/${course.id}/${lesson}`;

/** The page a 303 leads to, fetched with these cookies. */
async function follow(response: Response, cookies: (string | null)[]): Promise<{ html: string; setCookies: string[] }> {
  const location = new URL(response.headers.get('location')!, app.url);
  location.hash = '';
  const page = await fetch(location, { redirect: 'manual', headers: { cookie: cookies.filter(Boolean).join('; ') } });
  expect(page.status).toBe(200);
  return { html: await page.text(), setCookies: page.headers.getSetCookie() };
}

describe('a learner form answer kept in the cookie', () => {
  it('writes no row, is shown once on its page, and the page clears the cookie', async () => {
    const before = await pendingRows();
    const response = await post(app.url, `${lessonPath(first)}?_action=lesson.complete`, app.cookies.dora, { lessonId: first });
    expect(response.status).toBe(303);
    const result = resultCookieOf(response);
    expect(result).toMatch(/^manabi_result=c1\.[A-Za-z0-9_-]+$/);
    expect(await pendingRows()).toBe(before);
    const shown = await follow(response, [app.cookies.dora!, result]);
    expect(shown.html).toContain(SHOWN);
    expect(shown.setCookies.some((c) => /^manabi_result=;/.test(c))).toBe(true);
    // A reload (the browser dropped the cookie) shows the page afresh.
    expect((await follow(response, [app.cookies.dora!])).html).not.toContain(SHOWN);
  });

  it('is nothing to another user, or to the same user in another session', async () => {
    const response = await post(app.url, `${lessonPath(second)}?_action=lesson.complete`, app.cookies.dora, { lessonId: second });
    const result = resultCookieOf(response);
    expect(result).toMatch(/^manabi_result=c1\./);
    expect((await follow(response, [app.cookies.eli!, result])).html).not.toContain(SHOWN);
    const { cookie: elsewhere } = await signIn(app.url, app.emailOf('dora'), PASSWORD);
    expect(elsewhere).not.toBe(app.cookies.dora);
    expect((await follow(response, [elsewhere, result])).html).not.toContain(SHOWN);
    // Its own session still reads it: the two above were refused for whose they are, not for being late.
    expect((await follow(response, [app.cookies.dora!, result])).html).toContain(SHOWN);
  });

  it('a changed cookie shows nothing and breaks nothing', async () => {
    const response = await post(app.url, `${lessonPath(first)}?_action=lesson.complete`, app.cookies.dora, { lessonId: first });
    const result = resultCookieOf(response)!;
    const middle = Math.floor(result.length / 2);
    const flipped = `${result.slice(0, middle)}${result[middle] === 'A' ? 'B' : 'A'}${result.slice(middle + 1)}`;
    // The last: the same bytes in another spelling (a spare character), refused too.
    for (const cookie of [flipped, 'manabi_result=c1.', 'manabi_result=c1.%%%', `${result}x`]) {
      expect((await follow(response, [app.cookies.dora!, cookie])).html).not.toContain(SHOWN);
    }
  });

  it('an answer too big for a cookie, and a signed-out post, are kept in the table', async () => {
    const before = await pendingRows();
    const feedback = await post(app.url, `${lessonPath(first)}?_action=lesson.feedback`, app.cookies.dora, {
      lessonId: first,
      rating: '4',
      comment: '丁寧な説明でした。'.repeat(100),
    });
    expect(resultCookieOf(feedback)).toMatch(/^manabi_result=[a-z2-9]{24}\./);
    expect(await pendingRows()).toBe(before + 1);
    const shown = await follow(feedback, [app.cookies.dora!, resultCookieOf(feedback)]);
    expect(shown.html).toContain(SHOWN);
    const refused = await post(app.url, '/login?_action=auth.login', null, { email: app.emailOf('eli'), password: 'not the password' });
    expect(resultCookieOf(refused)).toMatch(/^manabi_result=[a-z2-9]{24}\./);
  });
});
