/**
 * Issue 3's acceptance in Chromium with the shipped curriculum: the demo learner completes the
 * basic tier (failing a quiz on purpose first), earns the certificate, and its verification
 * page works signed out; then the same core steps with JavaScript disabled.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuizNode } from '../../src/features/curriculum/catalog.ts';
import { launchChromium } from '../helpers/browser.ts';
import { shippedCatalog } from '../helpers/catalog.ts';
import { tempDir } from '../helpers/db.ts';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';

const catalog = shippedCatalog();
const basic = catalog.tier('basic')!;

let dir: string;
let server: RunningServer;
let browser: Browser;
const accounts: Record<string, { email: string; password: string }> = {};

beforeAll(async () => {
  dir = tempDir();
  // Certificates print their verification URL on SITE_URL: here, the test server's own address.
  const port = await freePort();
  server = await startServer({ databasePath: path.join(dir, 'manabi.db'), script: 'src/cli/start.ts', port, env: { SITE_URL: `http://127.0.0.1:${port}` } });
  // The accounts box is printed just after the listening line, which is all startServer waits for.
  for (const match of (await server.waitForOutput(/┘/)).matchAll(/(learner|champion|admin)\s+(\S+@\S+)\s+(\S+)/g)) {
    accounts[match[1]!] = { email: match[2]!, password: match[3]! };
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page, who: string): Promise<void> {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('メールアドレス').fill(accounts[who]!.email);
  await page.getByLabel('パスワード').fill(accounts[who]!.password);
  await page.getByRole('button', { name: 'サインイン' }).click();
  await page.waitForURL(`${server.url}/home`);
}

/** Answers the questions the attempt shows (a bank draws some of its questions) and submits; returns their ids in order. */
async function answer(page: Page, quiz: QuizNode, correctly: boolean): Promise<string[]> {
  const ids = await page.locator('form.quiz fieldset').evaluateAll((sets) => sets.map((set) => set.id.replace(/^question-/, '')));
  for (const question of ids.map((id) => quiz.questions.find((q) => q.id === id)!)) {
    const options = correctly ? question.correctOptionIds : [question.optionIds.find((o) => !question.correctOptionIds.includes(o))!];
    for (const option of options) await page.locator(`input[name="answer.${question.id}"][value="${option}"]`).check();
  }
  await page.getByRole('button', { name: '解答を送信する' }).click();
  // post/redirect/get: the result page, at its verdict
  await page.waitForURL(/\/attempts\/[a-z2-9]{24}#post-result$/);
  return ids;
}

describe('the learning flow in Chromium', () => {
  it('completes the basic tier, fails a quiz first, earns a certificate that verifies signed out', async () => {
    const page = await browser.newPage();
    await signIn(page, 'learner');

    for (const [index, course] of basic.courses.entries()) {
      await page.goto(`${server.url}/learn/${course.id}`);
      for (const lesson of course.lessons) {
        await page.getByRole('link', { name: lesson.title.ja!, exact: true }).click();
        await page.getByRole('button', { name: '完了にする' }).click();
        await expect.poll(() => page.locator('#progress').textContent()).toContain('に完了しました');
        await page.goto(`${server.url}/learn/${course.id}`);
      }
      const quiz = course.quizzes[0]!;
      await page.getByRole('link', { name: '確認テストを受ける' }).click();
      await page.getByRole('button', { name: 'テストを始める' }).click();

      if (index === 0) {
        const shown = await answer(page, quiz, false);
        expect(shown).toHaveLength(quiz.draw ?? quiz.questions.length);
        expect(await page.locator('.verdict').textContent()).toContain('不合格');
        const explanations = await page.locator('dt', { hasText: '解説' }).count();
        expect(explanations).toBe(shown.length);
        expect(await page.locator('.review').textContent()).toContain(quiz.text.ja!.questions.find((q) => q.id === shown[0])!.explanation);
        await page.getByRole('button', { name: 'もう一度受ける' }).click();
      }
      await answer(page, quiz, true);
      expect(await page.locator('.verdict').textContent()).toContain('合格です');
      expect(await page.locator('.summary').textContent()).toContain('コースを修了しました');
    }

    await page.goto(`${server.url}/home`);
    expect(await page.locator('#tier-basic').locator('..').locator('..').textContent()).toContain('修了');
    await page.getByRole('link', { name: /「基礎」の修了証を見る/ }).click();
    await page.waitForURL(/\/certificates\/[a-z2-9]{24}$/);
    expect(await page.locator('.holder').textContent()).toBe('佐藤 花子');
    const verifyUrl = /確認用URL：(\S+)/.exec((await page.locator('.certificate').textContent()) ?? '')?.[1];
    expect(verifyUrl).toMatch(new RegExp(`^${server.url}/verify/[a-z2-9]{24}$`));
    await page.close();

    const anonymous = await browser.newContext();
    const visitor = await anonymous.newPage();
    const response = await visitor.goto(verifyUrl!);
    expect(response?.status()).toBe(200);
    expect(await visitor.locator('.verified').textContent()).toContain('佐藤 花子');
    expect(await visitor.locator('.verified').textContent()).toContain('基礎');
    await anonymous.close();
  });

  it('completes a lesson and submits a quiz with JavaScript disabled', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, 'champion');
    const course = basic.courses[0]!;
    const lesson = course.lessons[0]!;
    await page.goto(`${server.url}/learn/${course.id}/${lesson.id}`);
    await page.getByRole('button', { name: '完了にする' }).click();
    expect(await page.locator('#progress').textContent()).toContain('に完了しました');

    await page.goto(`${server.url}/quiz/${course.quizzes[0]!.id}`);
    await page.getByRole('button', { name: 'テストを始める' }).click();
    await answer(page, course.quizzes[0]!, true);
    expect(await page.locator('.verdict').textContent()).toContain('合格です');
    await context.close();
  });
});
