/**
 * Issue 12, item 3 in Chromium: every step offers one clear next action. A new learner goes
 * through the whole Basic tier following the one filled button (Start → Resume (lesson N) →
 * the quiz as the last step → Next course → the tier's results); the certificate names the
 * company (ORG_NAME), prints (button with JavaScript, instructions without, a one-page print
 * stylesheet) and carries a QR code that decodes to its verification URL, under the page's CSP.
 */
import fs from 'node:fs';
import path from 'node:path';
import jsQR from 'jsqr';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates } from '../../db/schema/index.ts';
import type { QuizNode } from '../../src/features/curriculum/catalog.ts';
import { openDatabase, rawDrizzle } from '../../src/platform/db.server.ts';
import { generateSecureRandomString } from '../../src/features/auth/session.server.ts';
import { launchChromium } from '../helpers/browser.ts';
import { shippedCatalog } from '../helpers/catalog.ts';
import { addUser, tempDir } from '../helpers/db.ts';
import { signIn } from '../helpers/http.ts';
import { freePort, startServer, type RunningServer } from '../helpers/server.ts';

const ORG = '株式会社テスト商事';
const PASSWORD = 'next step password 1';
const catalog = shippedCatalog();
const basic = catalog.tier('basic')!;
const applied = catalog.tier('applied')!;

let dir: string;
let server: RunningServer;
let browser: Browser;
let certificateCode: string;

beforeAll(async () => {
  dir = tempDir('manabi-next-step-');
  const file = path.join(dir, 'manabi.db');
  const db = openDatabase(file);
  await addUser(db, { email: 'walker@example.jp', name: '歩 太郎', password: PASSWORD });
  const holder = await addUser(db, { email: 'holder@example.jp', name: '修了 花子', password: PASSWORD });
  certificateCode = generateSecureRandomString();
  await rawDrizzle(db).insert(certificates).values({ code: certificateCode, userId: holder, tierId: 'basic', holderName: '修了 花子', issuedAt: new Date() });
  void db.close();
  // The certificate prints its verification URL on SITE_URL: here, the test server's own address.
  const port = await freePort();
  server = await startServer({ databasePath: file, port, env: { ORG_NAME: ORG, SITE_URL: `http://127.0.0.1:${port}` } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function signedIn(email: string, options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  const { cookie } = await signIn(server.url, email, PASSWORD);
  const [name, value] = cookie!.split('=') as [string, string];
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  await context.addCookies([{ name, value, url: server.url }]);
  return context;
}

/** The page's filled buttons (links or buttons styled as the primary action), by their text. */
async function primaryActions(page: Page): Promise<string[]> {
  const texts = await page.locator('main .button:not(.button--secondary)').allTextContents();
  return texts.map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Answers the questions on the page (the attempt may draw a subset) correctly and submits. */
async function passQuiz(page: Page, quiz: QuizNode): Promise<void> {
  await page.getByRole('button', { name: 'テストを始める' }).click();
  const names = new Set(await page.locator('input[name^="answer."]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).name)));
  for (const name of names) {
    const key = quiz.questions.find((q) => `answer.${q.id}` === name)!;
    for (const option of key.correctOptionIds) await page.locator(`input[name="${name}"][value="${option}"]`).check();
  }
  await page.getByRole('button', { name: '解答を送信する' }).click();
  // post/redirect/get: the result page, at its verdict
  await page.waitForURL(/\/attempts\/[a-z2-9]{24}#post-result$/);
}

async function completeLesson(page: Page, courseId: string, lessonId: string): Promise<void> {
  await page.goto(`${server.url}/learn/${courseId}/${lessonId}`);
  await page.getByRole('button', { name: '完了にする' }).click();
  await expect.poll(() => page.locator('#progress').textContent()).toContain('に完了しました');
}

describe('one clear next action at every step', () => {
  it('leads a new learner through Basic: Start, Resume at lesson N, the quiz last, Next course, the tier results', async () => {
    const context = await signedIn('walker@example.jp');
    const page = await context.newPage();
    const [first, second] = basic.courses;
    const lessonTitle = (courseIndex: number, lessonIndex: number) => basic.courses[courseIndex]!.lessons[lessonIndex]!.title.ja!;

    await page.goto(`${server.url}/learn/${first!.id}`);
    expect(await primaryActions(page)).toEqual([`レッスン1「${lessonTitle(0, 0)}」から始める →`]);
    // The quiz can be taken early, but its button is not a second filled one.
    expect(await page.locator('section[aria-labelledby="quiz"] a.button.button--secondary').count()).toBe(1);

    await page.getByRole('link', { name: /から始める/ }).click();
    await page.getByRole('button', { name: '完了にする' }).click();
    await expect.poll(() => primaryActions(page)).toEqual([`次のレッスンへ：${lessonTitle(0, 1)}`]);

    await page.goto(`${server.url}/learn/${first!.id}`);
    expect(await primaryActions(page)).toEqual([`レッスン2「${lessonTitle(0, 1)}」から再開する →`]);

    for (const lesson of first!.lessons.slice(1)) await completeLesson(page, first!.id, lesson.id);
    expect(await primaryActions(page)).toEqual(['確認テストへ進む']);
    await page.goto(`${server.url}/learn/${first!.id}`);
    expect(await primaryActions(page)).toEqual(['確認テストへ進む →']);

    await page.getByRole('link', { name: '確認テストへ進む' }).click();
    await passQuiz(page, first!.quizzes[0]!);
    expect(await page.locator('.verdict').textContent()).toContain('合格です');
    expect(await primaryActions(page)).toEqual([`次のコースへ：${second!.title.ja} →`]);
    expect(await page.getByRole('link', { name: 'コースに戻る' }).count()).toBe(1);

    await page.getByRole('link', { name: /次のコースへ/ }).click();
    await page.waitForURL(`${server.url}/learn/${second!.id}`);
    expect(await primaryActions(page)).toEqual([`レッスン1「${lessonTitle(1, 0)}」から始める →`]);

    // The rest of the tier; the last quiz completes it.
    for (const course of basic.courses.slice(1)) {
      for (const lesson of course.lessons) await completeLesson(page, course.id, lesson.id);
      await page.goto(`${server.url}/quiz/${course.quizzes[0]!.id}`);
      await passQuiz(page, course.quizzes[0]!);
    }
    const panel = page.locator('.tier-complete');
    expect(await panel.getByRole('heading', { level: 2 }).textContent()).toContain('「基礎」を修了しました');
    expect(await primaryActions(page)).toEqual(['修了証を見る・印刷する']);
    expect(await panel.textContent()).toContain(`次の段階「${applied.title.ja}」`);
    expect(await panel.getByRole('link', { name: `「${applied.title.ja}」を見る →` }).getAttribute('href')).toBe(`/tiers/${applied.id}`);

    // The tier page shows the same results; the certificate is one click away.
    await page.goto(`${server.url}/tiers/basic`);
    expect(await page.locator('.tier-complete').count()).toBe(1);
    await page.getByRole('link', { name: '修了証を見る・印刷する' }).click();
    await page.waitForURL(/\/certificates\/[a-z2-9]{24}$/);
    expect(await page.locator('.holder').textContent()).toBe('歩 太郎');
    await context.close();
  });

  it('the certificate names the company, prints with and without JavaScript, and its QR code is its verification URL', async () => {
    const certificatePath = `/certificates/${certificateCode}`;
    const context = await signedIn('holder@example.jp', { deviceScaleFactor: 2 });
    // Record CSP violations and calls to print() before any page script runs.
    await context.addInitScript(() => {
      const w = window as unknown as { violations: string[]; printed: number };
      w.violations = [];
      w.printed = 0;
      document.addEventListener('securitypolicyviolation', (e) => w.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
      window.print = () => void (w.printed += 1);
    });
    const page = await context.newPage();
    const response = await page.goto(`${server.url}${certificatePath}`, { waitUntil: 'networkidle' });
    const csp = response!.headers()['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src [^;]*'sha256-/);
    expect(csp).not.toContain('unsafe-inline');

    expect(await page.locator('.certificate .issuer').textContent()).toBe(ORG);
    expect(await page.locator('.certificate .body').textContent()).toContain(`${ORG}のAIリテラシープログラム`);
    const verifyUrl = /確認用URL：(\S+)/.exec((await page.locator('.certificate').textContent()) ?? '')![1]!;
    expect(verifyUrl).toBe(`${server.url}/verify/${certificateCode}`);

    // The QR code, as the browser draws it, decodes to exactly that address.
    const png = await page.locator('.certificate .qr-code').screenshot();
    const blank = await browser.newPage();
    const pixels = await blank.evaluate(
      async (dataUrl) => {
        const image = new Image();
        image.src = dataUrl;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.width + 40;
        canvas.height = image.height + 40;
        const g = canvas.getContext('2d')!;
        g.fillStyle = '#fff';
        g.fillRect(0, 0, canvas.width, canvas.height);
        g.drawImage(image, 20, 20);
        return { width: canvas.width, height: canvas.height, data: Array.from(g.getImageData(0, 0, canvas.width, canvas.height).data) };
      },
      `data:image/png;base64,${png.toString('base64')}`,
    );
    await blank.close();
    const decoded = jsQR(Uint8ClampedArray.from(pixels.data), pixels.width, pixels.height);
    expect(decoded?.data).toBe(verifyUrl);
    const visitor = await fetch(verifyUrl);
    expect(visitor.status).toBe(200);
    expect(await visitor.text()).toContain('修了 花子');

    // With JavaScript the button prints, and stays on the page.
    await page.getByRole('link', { name: '印刷する' }).click();
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    expect(page.url()).toBe(`${server.url}${certificatePath}`);

    // The print stylesheet: the certificate alone, on one A4 page.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-header').isVisible()).toBe(false);
    expect(await page.locator('.toolbar').isVisible()).toBe(false);
    expect(await page.locator('.certificate .qr-code').isVisible()).toBe(true);
    const pdf = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString('latin1');
    expect(pdf.match(/\/Type\s*\/Page[^s]/g)?.length).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    await context.close();

    // Without JavaScript the button is a link to the same page with print instructions.
    const noJs = await signedIn('holder@example.jp', { javaScriptEnabled: false });
    const plain = await noJs.newPage();
    await plain.goto(`${server.url}${certificatePath}`);
    expect(await plain.locator('#print-help').count()).toBe(0);
    await plain.getByRole('link', { name: '印刷する' }).click();
    await plain.waitForURL(`${server.url}${certificatePath}?print=help#print-help`);
    expect(await plain.locator('#print-help').textContent()).toContain('Ctrl+P');
    await noJs.close();
  });

  it('the English certificate and next steps read naturally', async () => {
    const context = await signedIn('holder@example.jp');
    const page = await context.newPage();
    await page.goto(`${server.url}/en/certificates/${certificateCode}`);
    expect(await page.locator('.certificate .body').textContent()).toContain(`of the AI literacy programme of ${ORG}`);
    expect(await page.getByRole('link', { name: 'Print' }).isVisible()).toBe(true);
    await page.goto(`${server.url}/en/learn/${basic.courses[0]!.id}`);
    expect(await primaryActions(page)).toEqual([`Start with lesson 1: ${basic.courses[0]!.lessons[0]!.title.en} →`]);
    await context.close();
  });
});
