/**
 * Issue 12, item 11: after a post, the confirmation or the error summary has focus (with
 * JavaScript: a line of script; without: the redirect's `#post-result`, which the browser moves
 * to), and it is a `role="status"` or `role="alert"` region, so a screen reader reads it at once.
 * Every page that answers a post, learner and admin; axe finds nothing serious on them.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type E2eApp, focused, openCheckin, startE2eApp } from '../helpers/e2e-app.ts';

let app: E2eApp;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  app = await startE2eApp();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await app?.stop();
});

async function pageFor(who: 'learner' | 'admin', javaScript: boolean): Promise<Page> {
  const context = await app.context({ javaScript });
  contexts.push(context);
  const page = await context.newPage();
  await app.signInPage(page, who);
  return page;
}

/** Clicks a form's submit button and checks where the answer landed: focus, role, words. */
async function postAndExpectFocus(page: Page, click: () => Promise<void>, expected: { role: 'status' | 'alert'; text: string; field?: string }): Promise<void> {
  await click();
  await page.waitForURL(/#post-result$/);
  const result = page.locator('#post-result');
  expect(await result.count()).toBe(1);
  expect(await result.getAttribute('role')).toBe(expected.role);
  expect(await result.innerText()).toContain(expected.text);
  await expect.poll(async () => (await focused(page)).id, { timeout: 5000 }).toBe(expected.field ?? 'post-result');
}

/** axe runs as a script in the page, so only where the page may run scripts (the markup is the same without). */
async function expectNoSeriousViolations(page: Page, label: string, javaScript: boolean): Promise<void> {
  if (!javaScript) return;
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  expect(serious, `${label}\n${serious.join('\n')}`).toEqual([]);
}

for (const javaScript of [true, false]) {
  describe(`focus after a post, JavaScript ${javaScript ? 'on' : 'off'}`, () => {
    it('learner pages: lesson, feedback, check-in, quiz, account', async () => {
      const page = await pageFor('learner', javaScript);
      const lesson = javaScript ? '/learn/basic-ai-essentials/what-is-generative-ai' : '/learn/basic-ai-essentials/safe-use-basics';
      await page.goto(`${app.url}${lesson}`);
      await postAndExpectFocus(page, () => page.getByRole('button', { name: '完了にする' }).click(), { role: 'status', text: 'に完了しました' });
      await page.locator('form[action*="lesson.feedback"] input[name="rating"][value="4"]').check();
      await postAndExpectFocus(page, () => page.locator('form[action*="lesson.feedback"] button[type="submit"]').click(), {
        role: 'status',
        text: 'フィードバックを受け付けました',
      });
      await expectNoSeriousViolations(page, 'feedback saved', javaScript);

      // An answered check-in folds into one line (the second round's learner has answered already).
      await page.goto(`${app.url}/home`);
      await openCheckin(page);
      await page.locator('#hoursSaved').fill('4');
      await postAndExpectFocus(page, () => page.locator('form[action*="checkin.save"] button[type="submit"]').click(), { role: 'status', text: '4時間' });
      await openCheckin(page);
      await page.locator('#tasks').fill('メール\u200b');
      await postAndExpectFocus(page, () => page.locator('form[action*="checkin.save"] button[type="submit"]').click(), { role: 'alert', text: '見えない文字' });
      await expectNoSeriousViolations(page, 'check-in refused', javaScript);

      await page.goto(`${app.url}/quiz/basic-ai-essentials`);
      await postAndExpectFocus(page, () => page.getByRole('button', { name: 'テストを始める' }).click(), { role: 'status', text: 'テストを始めました' });
      await postAndExpectFocus(page, () => page.getByRole('button', { name: '解答を送信する' }).click(), { role: 'alert', text: 'まだ答えていない問題があります' });
      await expectNoSeriousViolations(page, 'quiz incomplete', javaScript);
      for (const [question, option] of [
        ['how-it-writes', 'b'],
        ['customer-list', 'b'],
        ['check-output', 'facts'],
      ] as const) {
        await page.locator(`input[name="answer.${question}"][value="${option}"]`).check();
      }
      await page.getByRole('button', { name: '解答を送信する' }).click();
      await page.waitForURL(/\/attempts\/[a-z2-9]{24}#post-result$/);
      expect(await page.locator('#post-result').innerText()).toMatch(/合格|不合格/);
      await expect.poll(async () => (await focused(page)).id).toBe('post-result');

      await page.goto(`${app.url}/account`);
      await page.locator('#currentPassword').fill('not my password');
      await page.locator('#newPassword').fill('a new password for me');
      // the summary names the wrong field; that field gets focus (without JS the summary does)
      await postAndExpectFocus(page, () => page.locator('form[action*="auth.changePassword"] button[type="submit"]').click(), {
        role: 'alert',
        text: '現在のパスワードが正しくありません',
        field: javaScript ? 'currentPassword' : 'post-result',
      });
      await expectNoSeriousViolations(page, 'password refused', javaScript);
    });

    it('admin forms: users, assignments, waves, help-desk, baseline', async () => {
      const page = await pageFor('admin', javaScript);
      await page.goto(`${app.url}/admin/users`);
      await postAndExpectFocus(page, () => page.locator(`form[action*="admin.updateUser"]:has(input[value="${app.ids.learner}"]) button`).click(), {
        role: 'status',
        text: '変更を保存しました',
      });
      await postAndExpectFocus(page, () => page.locator(`form[action*="admin.createLoginLink"]:has(input[value="${app.ids.learner}"]) button`).click(), {
        role: 'status',
        text: 'サインイン用リンク',
      });
      await expectNoSeriousViolations(page, 'link created', javaScript);

      await page.goto(`${app.url}/admin/assignments`);
      await page.locator('input[name="target"][value="department"]').check();
      await postAndExpectFocus(page, () => page.getByRole('button', { name: '割り当てる' }).click(), { role: 'alert', text: '操作できませんでした' });
      await page.locator('input[name="target"][value="everyone"]').check();
      await postAndExpectFocus(page, () => page.getByRole('button', { name: '割り当てる' }).click(), { role: 'status', text: '変更を保存しました' });

      await page.goto(`${app.url}/admin/waves`);
      await page.locator('#w-name').fill('パイロット');
      await page.locator('#w-start').fill('2026-04-01');
      await page.locator('#w-end').fill('2026-06-30');
      await page.getByRole('button', { name: '段階を作成' }).click();
      await page.waitForURL(/\/admin\/waves\/\d+#post-result$/);
      expect(await page.locator('#post-result').getAttribute('role')).toBe('status');
      await expect.poll(async () => (await focused(page)).id).toBe('post-result');
      await postAndExpectFocus(page, () => page.getByRole('button', { name: 'この段階を削除' }).click(), { role: 'status', text: '変更を保存しました' });
      expect(new URL(page.url()).pathname).toBe('/admin/waves');

      await page.goto(`${app.url}/admin/helpdesk`);
      await page.locator('#h-month').fill('2026-04');
      await page.locator('#h-count').fill('12');
      await postAndExpectFocus(page, () => page.locator('form[action*="admin.saveInquiries"] button[type="submit"]').click(), { role: 'status', text: '保存しました' });

      await page.goto(`${app.url}/en/admin/settings`);
      await page.locator('#b-from').fill('2026-05');
      await page.locator('#b-to').fill('2026-03');
      await postAndExpectFocus(page, () => page.locator('form[action*="admin.saveBaseline"] button[type="submit"]').click(), { role: 'alert', text: '' });
      expect(new URL(page.url()).pathname).toBe('/en/admin/settings');
      await expectNoSeriousViolations(page, 'baseline refused', javaScript);
    });
  });
}
