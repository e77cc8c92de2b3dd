/**
 * Issue 12, item 9: the feedback form says who reads it (the department's champion and the
 * programme team, with the name) and can send it without the name: stored with no link to the
 * learner, still counted once, shown without a name, and final (the learner's page says so).
 * The champion's roster CSV offers the BOM download the admin exports have, worded the same.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousFeedback, lessonFeedback } from '../../db/schema/index.ts';
import { type E2eApp, startE2eApp } from '../helpers/e2e-app.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';

const LESSON = '/learn/basic-ai-essentials/what-is-generative-ai';
let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp();
});

afterAll(async () => {
  await app?.stop();
});

async function sendFeedback(page: Page, rating: number, comment: string, withoutName: boolean): Promise<void> {
  const form = page.locator('form[action*="lesson.feedback"]');
  await form.locator(`input[name="rating"][value="${rating}"]`).check();
  await form.locator('textarea[name="comment"]').fill(comment);
  if (withoutName) await form.getByLabel('名前を付けずに送る').check();
  await form.locator('button[type="submit"]').click();
  await page.waitForURL(`${app.url}${LESSON}#post-result`);
}

describe('lesson feedback: who reads it, and without the name', () => {
  it('says who reads it, sends it named, then without the name: counted once, shown without a name, final', async () => {
    const learnerContext = await app.context();
    const learner = await learnerContext.newPage();
    await app.signInPage(learner, 'learner');
    await learner.goto(`${app.url}${LESSON}`);
    const section = learner.locator('#feedback');
    expect(await section.innerText()).toContain('あなたの部門のチャンピオンとプログラム運営チームが、あなたの名前とともに確認します');

    await sendFeedback(learner, 4, '具体例が役に立ちました', false);
    expect(await section.innerText()).toContain('フィードバックを受け付けました');
    const championContext = await app.context();
    const champion = await championContext.newPage();
    await app.signInPage(champion, 'champion');
    await champion.goto(`${app.url}/champion`);
    const named = champion.locator('.feedback li', { hasText: '具体例が役に立ちました' });
    expect(await named.innerText()).toContain('佐藤 花子');

    // Without the name: it replaces the named one (one learner, one rating), and the form closes.
    expect(await section.innerText()).toContain('名前付きで送った今の感想は削除され');
    await sendFeedback(learner, 2, '正直なところ少し難しかったです', true);
    expect(await section.innerText()).toContain('このレッスンには名前を付けずに感想を送りました');
    expect(await section.innerText()).toContain('変更や取り消しはできません');
    expect(await learner.locator('form[action*="lesson.feedback"]').count()).toBe(0);
    await learner.reload();
    expect(await section.innerText()).toContain('名前を付けずに感想を送りました');
    expect(await section.locator('textarea').count()).toBe(0);

    // Stored with no link to anyone; the named one is gone.
    expect(await rawDrizzle(app.db).select().from(lessonFeedback)).toEqual([]);
    const rows = await rawDrizzle(app.db).select().from(anonymousFeedback);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ lessonId: 'what-is-generative-ai', rating: 2, comment: '正直なところ少し難しかったです' });
    expect(Object.keys(rows[0]!)).not.toContain('userId');

    // The champion sees it without a name, counted once, and the learner's name nowhere near it.
    await champion.reload();
    const anonymous = champion.locator('.feedback li', { hasText: '正直なところ少し難しかったです' });
    expect(await anonymous.innerText()).toContain('名前なし');
    expect(await anonymous.innerText()).not.toContain('佐藤');
    expect(await champion.locator('.feedback li', { hasText: '具体例が役に立ちました' }).count()).toBe(0);
    expect(await champion.locator('#feedback').locator('..').innerText()).toContain('1件');
    await learnerContext.close();
    await championContext.close();
  });

  it('offers the roster as CSV with a BOM for Excel, worded as on the admin exports page', async () => {
    const context = await app.context();
    const page = await context.newPage();
    await app.signInPage(page, 'champion');
    await page.goto(`${app.url}/champion`);
    const bom = page.getByRole('link', { name: 'CSV（BOM付き・Excel用）' });
    const href = await bom.getAttribute('href');
    expect(href).toMatch(/^\/champion\/roster\.csv\?department=\d+&bom=1$/);
    const bytes = new Uint8Array(await (await page.request.get(`${app.url}${href}`)).body());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const plain = await page.getByRole('link', { name: '名簿をCSVでダウンロード' }).getAttribute('href');
    expect([...new Uint8Array(await (await page.request.get(`${app.url}${plain}`)).body()).slice(0, 1)]).toEqual(['e'.charCodeAt(0)]);

    await page.goto(`${app.url}/en/champion`);
    expect(await page.getByRole('link', { name: 'CSV (with BOM, for Excel)' }).count()).toBe(1);
    await context.close();
  });
});
