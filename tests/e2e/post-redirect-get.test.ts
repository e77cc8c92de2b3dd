/**
 * Issue 12, item 10: after every kind of form post the address has no `?_action=…` and a reload
 * posts nothing again (post/redirect/get, src/platform/http/post-redirect-get.server.ts); a refused form
 * comes back with what was typed (never a password); a one-time answer (a sign-in link) is shown
 * exactly once; and a multiple-choice question left empty counts as unanswered, exactly as a
 * single-choice one. With JavaScript and without.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, checkins, lessonCompletions, practiceAnswers, quizAttempts } from '../../db/schema/index.ts';
import { countPosts, type E2eApp, focused, openCheckin, startE2eApp } from '../helpers/e2e-app.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { first } from '../../src/platform/query.ts';

let app: E2eApp;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  app = await startE2eApp();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await app?.stop();
});

async function pageFor(who: 'learner' | 'admin' | null, javaScript = true): Promise<Page> {
  const context = await app.context({ javaScript });
  contexts.push(context);
  const page = await context.newPage();
  if (who) await app.signInPage(page, who);
  return page;
}

/** After a post: the address is the page's own, with no form-action marker; a reload sends no POST. */
async function expectSettled(page: Page, path: string): Promise<void> {
  expect(page.url()).toBe(`${app.url}${path}#post-result`);
  expect(page.url()).not.toContain('_action');
  const posts = countPosts(page);
  await page.reload();
  expect(posts.count, `reload of ${path} posted again`).toBe(0);
}

const audits = async (action: string) => (await rawDrizzle(app.db).select().from(auditLog).where(eq(auditLog.action, action))).length;

for (const javaScript of [true, false]) {
  describe(`post/redirect/get, JavaScript ${javaScript ? 'on' : 'off'}`, () => {
    it('a refused sign-in keeps the email, never the password, and a reload does not sign in again', async () => {
      const page = await pageFor(null, javaScript);
      await page.goto(`${app.url}/login`);
      await page.locator('#email').fill('learner@example.com');
      await page.locator('#password').fill('a wrong password');
      const failures = await audits('auth.sign_in_failed');
      await page.locator('form[action*="auth.login"] button[type="submit"]').click();
      await page.waitForURL(/#post-result$/);
      expect(await page.locator('#email').inputValue()).toBe('learner@example.com');
      expect(await page.locator('#password').inputValue()).toBe('');
      expect(await page.content()).not.toContain('a wrong password');
      await expectSettled(page, '/login');
      expect(await audits('auth.sign_in_failed')).toBe(failures + 1);
      // the answer is shown once: after the reload the page is plain again
      expect(await page.locator('[role="alert"]').count()).toBe(0);
    });

    it('lesson completion and feedback: done once, confirmed once', async () => {
      const page = await pageFor('learner', javaScript);
      const path = javaScript ? '/learn/basic-ai-essentials/what-is-generative-ai' : '/learn/basic-ai-essentials/safe-use-basics';
      await page.goto(`${app.url}${path}`);
      await page.getByRole('button', { name: '完了にする' }).click();
      await page.waitForURL(/#post-result$/);
      expect(await page.locator('#post-result').innerText()).toContain('に完了しました');
      await expectSettled(page, path);
      expect((await rawDrizzle(app.db).select().from(lessonCompletions).where(eq(lessonCompletions.userId, app.ids.learner))).length).toBe(javaScript ? 1 : 2);

      await page.locator('form[action*="lesson.feedback"] input[name="rating"][value="5"]').check();
      await page.locator('form[action*="lesson.feedback"] textarea').fill('とても良い \u202e説明');
      await page.locator('form[action*="lesson.feedback"] button[type="submit"]').click();
      await page.waitForURL(/#post-result$/);
      // refused (a hidden character): the comment and the rating come back as typed
      expect(await page.locator('#post-result').innerText()).toContain('コメントに、見えない文字や制御文字');
      expect(await page.locator('form[action*="lesson.feedback"] textarea').inputValue()).toBe('とても良い \u202e説明');
      expect(await page.locator('form[action*="lesson.feedback"] input[name="rating"][value="5"]').isChecked()).toBe(true);
      await expectSettled(page, path);
    });

    it('a practice answer: a refused one keeps what was typed; a saved one is stored once and shown with the model answer', async () => {
      const page = await pageFor('learner', javaScript);
      const path = '/learn/basic-ai-essentials/what-is-generative-ai';
      const tryit = page.locator('section.tryit');
      // Once answered (the first round), the form is folded under "revise".
      const openForm = async (): Promise<void> => {
        if ((await tryit.locator('summary').count()) > 0) await tryit.locator('summary').click();
      };
      await page.goto(`${app.url}${path}`);
      await openForm();
      await tryit.locator('textarea').fill('下書きを\u200bお願いします');
      await tryit.locator('button[type="submit"]').click();
      await page.waitForURL(/#post-result$/);
      expect(await page.locator('#post-result').innerText()).toContain('回答は保存されていません');
      expect(await page.locator('#post-result').innerText()).toContain('回答：回答に、見えない文字や制御文字');
      expect(await tryit.locator('textarea').inputValue()).toBe('下書きを\u200bお願いします');
      if (javaScript) expect((await focused(page)).id).toBe('tryit-answer-first-draft');
      await expectSettled(page, path);

      const text = javaScript ? '社内向けのお知らせの下書きを書いてください。' : '説明会のお知らせを書いてください。';
      await openForm();
      await tryit.locator('textarea').fill(text);
      await tryit.locator('button[type="submit"]').click();
      await page.waitForURL(/#post-result$/);
      expect(await page.locator('#post-result').innerText()).toMatch(/回答を(保存|更新)しました。/);
      expect(await tryit.innerText()).toContain('解答例');
      expect(await tryit.locator('.tryit-own').innerText()).toBe(text);
      await expectSettled(page, path);
      const rows = await rawDrizzle(app.db).select().from(practiceAnswers).where(eq(practiceAnswers.userId, app.ids.learner));
      expect(rows.map((r) => r.answer)).toEqual([text]);
    });

    it('the monthly check-in: a refused answer keeps what was typed; a saved one is not saved twice', async () => {
      const page = await pageFor('learner', javaScript);
      await page.goto(`${app.url}/home`);
      // answered in the first round: the check-in is folded into one line
      await openCheckin(page);
      await page.locator('#hoursSaved').fill('3');
      await page.locator('#tasks').fill('議事録の要約\u200b');
      await page.locator('form[action*="checkin.save"] button[type="submit"]').click();
      await page.waitForURL(/#post-result$/);
      expect(await page.locator('#post-result').innerText()).toContain('見えない文字や制御文字');
      expect(await page.locator('#hoursSaved').inputValue()).toBe('3');
      expect(await page.locator('#tasks').inputValue()).toBe('議事録の要約\u200b');
      await expectSettled(page, '/home');

      await openCheckin(page);
      await page.locator('#hoursSaved').fill('2.5');
      await page.locator('form[action*="checkin.save"] button[type="submit"]').click();
      await page.waitForURL(/#post-result$/);
      const saved = first(await rawDrizzle(app.db).select().from(checkins).where(eq(checkins.userId, app.ids.learner)))!;
      expect(saved.hoursSaved).toBe(2.5);
      await expectSettled(page, '/home');
      expect(first(await rawDrizzle(app.db).select().from(checkins).where(eq(checkins.userId, app.ids.learner)))!.updatedAt).toEqual(saved.updatedAt);
    });

    it('a quiz: an empty multiple-choice question is unanswered like an empty single-choice one; choices kept', async () => {
      const page = await pageFor('learner', javaScript);
      const path = '/quiz/basic-ai-essentials';
      const graded = async () =>
        (await rawDrizzle(app.db).select().from(quizAttempts).where(eq(quizAttempts.userId, app.ids.learner))).filter((a) => a.submittedAt !== null).length;
      const gradedBefore = await graded();
      await page.goto(`${app.url}${path}`);
      await page.getByRole('button', { name: 'テストを始める' }).click();
      await page.waitForURL(/#post-result$/);
      await expectSettled(page, path);
      // one single-choice question answered; the other single and the multiple one left empty
      await page.locator('input[name="answer.how-it-writes"][value="b"]').check();
      await page.getByRole('button', { name: '解答を送信する' }).click();
      await page.waitForURL(`${app.url}${path}#post-result`);
      const summary = await page.locator('#post-result').innerText();
      expect(summary).toContain('まだ答えていない問題があります');
      expect(await page.locator('#post-result a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['#question-customer-list', '#question-check-output']);
      expect(await page.locator('.question--missing').count()).toBe(2);
      expect(await page.locator('input[name="answer.how-it-writes"][value="b"]').isChecked()).toBe(true);
      await expectSettled(page, path);

      // only the multiple-choice question empty: still unanswered, nothing graded
      await page.locator('input[name="answer.how-it-writes"][value="b"]').check();
      await page.locator('input[name="answer.customer-list"][value="b"]').check();
      await page.getByRole('button', { name: '解答を送信する' }).click();
      await page.waitForURL(`${app.url}${path}#post-result`);
      expect(await page.locator('#post-result a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['#question-check-output']);
      expect(await graded()).toBe(gradedBefore);

      await page.locator('input[name="answer.check-output"][value="facts"]').check();
      await page.getByRole('button', { name: '解答を送信する' }).click();
      await page.waitForURL(/\/attempts\/[a-z2-9]{24}#post-result$/);
      const attemptPath = new URL(page.url()).pathname;
      await expectSettled(page, attemptPath);
      expect(await graded()).toBe(gradedBefore + 1);
    });

    it('admin forms: saved once, refused with the input kept, a new sign-in link shown exactly once', async () => {
      const page = await pageFor('admin', javaScript);
      await page.goto(`${app.url}/admin/settings`);
      await page.locator('#b-from').fill('2026-01');
      await page.locator('#b-to').fill('2026-03');
      const saves = await audits('baseline.saved');
      await page.locator('form[action*="admin.saveBaseline"] button[type="submit"]').click();
      await page.waitForURL(/#post-result$/);
      expect(await page.locator('#post-result').innerText()).toContain('保存しました');
      await expectSettled(page, '/admin/settings');
      expect(await audits('baseline.saved')).toBe(saves + 1);
      expect(await page.locator('#post-result').count()).toBe(0);

      // a taken email: refused, and the form comes back filled in
      await page.goto(`${app.url}/admin/users`);
      await page.locator('#c-email').fill('learner@example.com');
      await page.locator('#c-name').fill('二人目 花子');
      await page.locator('#c-dept').fill('営業部');
      await page.locator('#c-role').selectOption('champion');
      await page.locator('form[action*="admin.createUser"] button[type="submit"]').click();
      await page.waitForURL(/#post-result$/);
      expect(await page.locator('#post-result').getAttribute('role')).toBe('alert');
      expect(await page.locator('#c-email').inputValue()).toBe('learner@example.com');
      expect(await page.locator('#c-name').inputValue()).toBe('二人目 花子');
      expect(await page.locator('#c-role').inputValue()).toBe('champion');
      await expectSettled(page, '/admin/users');

      // a one-time sign-in link: on the page after the post, and gone after a reload
      const links = await audits('user.login_link_created');
      await page.locator(`form[action*="admin.createLoginLink"]:has(input[value="${app.ids.learner}"]) button`).click();
      await page.waitForURL(/#post-result$/);
      const link = await page.locator('.link-box').inputValue();
      expect(link).toMatch(/\/login\/link\/[a-z2-9]{24}\.[a-z2-9]{24}$/);
      await expectSettled(page, '/admin/users');
      expect(await page.locator('.link-box').count()).toBe(0);
      expect(await page.content()).not.toContain(link);
      expect(await audits('user.login_link_created')).toBe(links + 1);
    });
  });
}
