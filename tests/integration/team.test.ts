/**
 * "My team" (issue 19 item 4) through the real built server over HTTP: a line manager sees each
 * direct report (users.manager_id, active, not erased) with progress and certificate state per
 * tier, overdue assignments, expiring certificates and required policies not acknowledged, a
 * summary above, in Japanese and English; the header and home link to it for managers only; a
 * user nobody reports to gets a 403 that says where reporting lines come from (audited).
 */
import { and, eq } from 'drizzle-orm';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignments, auditLog, certificates, departments, policyAcknowledgements, users } from '../../db/schema/index.ts';
import { ensureDefaultAssignments, syncEnrolments } from '../../src/features/programme/assignments.server.ts';
import { rawDrizzle, type Db } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb, reopenDb } from '../helpers/db.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { get, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { first } from '../../src/platform/query.ts';

const PASSWORD = 'my team test password';
const DAY = 86_400_000;
const started = Date.now();
const at = (days: number): Date => new Date(started + days * DAY);
let t: TempDb;
let server: RunningServer;
let db: Db;
const ids: Record<string, number> = {};
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = tempDb();
  const people: [string, string, string][] = [
    ['mina', 'Mina Manager', 'Sales'],
    ['rei', 'Rei Report', 'Sales'],
    ['ken', 'Ken Report', 'HR'],
    ['otto', 'Otto Othermanager', 'Sales'],
    ['mo', 'Mo Moved', 'Sales'],
    ['gen', 'Gen Gone', 'Sales'],
    ['eri', 'Eri Erased', 'Sales'],
    ['alice', 'Alice Nobody', 'Sales'],
  ];
  for (const [key, name, department] of people) ids[key] = await addUser(t.db, { email: `${key}@example.com`, password: PASSWORD, department, name });
  const q = rawDrizzle(t.db);
  const setManager = async (key: string, manager: string) => await q.update(users).set({ managerId: ids[manager]! }).where(eq(users.id, ids[key]!));
  for (const key of ['rei', 'ken', 'gen', 'eri']) await setManager(key, 'mina');
  await setManager('mo', 'otto');
  await q.update(users).set({ active: false }).where(eq(users.id, ids.gen!));
  await q
    .update(users)
    .set({ erasedAt: at(-1) })
    .where(eq(users.id, ids.eri!));
  // Ken's department has a basic assignment that was due long ago: overdue.
  const hr = first(await q.select({ id: departments.id }).from(departments).where(eq(departments.name, 'HR')))!.id;
  await ensureDefaultAssignments(q);
  await q.insert(assignments).values({ tierId: 'basic', targetKind: 'department', targetDepartmentId: hr, dueDate: '2026-01-15' });
  await syncEnrolments(q);
  // Rei's basic certificate expires in ten days.
  await q
    .insert(certificates)
    .values({ code: `t${'0'.repeat(23)}`, userId: ids.rei!, tierId: 'basic', cycle: 1, holderName: 'Rei Report', issuedAt: at(-355), validUntil: at(10) });
  // Ken acknowledged the AI usage policy (everyone's); the champion rules (HR's) he has not.
  await q.insert(policyAcknowledgements).values({ userId: ids.ken!, policyId: 'ai-usage', version: 2, locale: 'ja', acknowledgedAt: at(-2) });
  void t.db.close();
  server = await startServer({ databasePath: t.file, outDir: FIXTURE_OUT_DIR });
  db = reopenDb(t.file);
  for (const key of ['mina', 'otto', 'alice']) cookies[key] = (await signIn(server.url, `${key}@example.com`, PASSWORD)).cookie!;
});

afterAll(async () => {
  await server?.stop();
  if (db) void db.close();
  t?.cleanup();
});

const text = (node: Element | null | undefined): string => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();

async function page(pathname: string, who: string): Promise<Document> {
  const response = await get(server.url, pathname, cookies[who]);
  expect(response.status, pathname).toBe(200);
  return parseHTML(await response.text()).document;
}

const memberNames = (doc: Document): string[] => [...doc.querySelectorAll('.members h3')].map((h) => text(h.firstChild as Element));
const card = (doc: Document, name: string): Element => [...doc.querySelectorAll('.members > li')].find((li) => text(li.querySelector('h3')).startsWith(name))!;

describe('My team', () => {
  it("shows a manager exactly their active direct reports, with each one's tiers, overdue assignments, certificates and policies", async () => {
    const doc = await page('/team', 'mina');
    expect(text(doc.querySelector('h1'))).toBe('マイチーム');
    expect(memberNames(doc)).toEqual(['Ken Report', 'Rei Report']);
    const body = text(doc.querySelector('main'));
    for (const other of ['Mo Moved', 'Gen Gone', 'Eri Erased', 'Alice Nobody', 'Otto Othermanager']) expect(body).not.toContain(other);
    expect(text(doc.querySelector('.lead'))).toBe('あなたの直属の部下は2人です。');

    const summary = [...doc.querySelectorAll('.counts li')].map((li) => text(li));
    expect(summary).toEqual(['1人 割り当ての期限切れ', '0人 修了証の失効', '1人 30日以内に失効する修了証', '2人 未確認のポリシー']);
    const tierBar = doc.querySelector('.tier-bars progress')!;
    expect(tierBar.getAttribute('aria-label')).toBe('基礎の修了状況');
    expect(tierBar.getAttribute('value')).toBe('1');
    expect(tierBar.getAttribute('max')).toBe('2');
    expect(text(doc.querySelector('.tier-bars .progress-caption'))).toBe('割り当て2人のうち1人が修了');
    expect(text(doc.querySelector('section[aria-labelledby="expiry"] .expiry'))).toContain('Rei Report');

    const rei = card(doc, 'Rei Report');
    expect(rei.querySelector('progress')?.getAttribute('aria-label')).toBe('基礎の進み具合');
    expect(text(rei)).toMatch(/レッスン 0 \/ \d+/);
    expect(text(rei.querySelector('.state--warn'))).not.toBe('');
    expect(text(rei)).toContain('テスト用AI利用ポリシー');
    expect(text(rei)).not.toContain('期限切れの割り当て');

    const ken = card(doc, 'Ken Report');
    expect(ken.classList.contains('member--attention')).toBe(true);
    expect(text(ken)).toContain('2026');
    expect(text(ken.querySelector('.status-bad'))).toMatch(/^期限切れの割り当て：基礎：/);
    expect(text(ken)).toContain('テスト用チャンピオン規程');
    expect(text(ken)).not.toContain('テスト用AI利用ポリシー');
  });

  it('is the same page in English', async () => {
    const doc = await page('/en/team', 'mina');
    expect(text(doc.querySelector('h1'))).toBe('My team');
    expect(text(doc.querySelector('.lead'))).toBe('2 people report to you directly.');
    expect([...doc.querySelectorAll('.counts li')].map((li) => text(li))).toEqual([
      '1 person overdue on an assignment',
      '0 people certificate expired',
      '1 person certificate expiring within 30 days',
      '2 people policy not yet acknowledged',
    ]);
    expect(memberNames(doc)).toEqual(['Ken Report', 'Rei Report']);
    expect(text(card(doc, 'Ken Report'))).toContain('Not yet acknowledged: Test champion rules');
  });

  it('links to it from the header and home for managers only', async () => {
    const home = await page('/home', 'mina');
    expect([...home.querySelectorAll('header a')].map((a) => a.getAttribute('href'))).toContain('/team');
    expect([...home.querySelectorAll('main a')].some((a) => a.getAttribute('href') === '/team')).toBe(true);
    const en = await page('/en/home', 'mina');
    expect([...en.querySelectorAll('header a')].find((a) => a.getAttribute('href') === '/en/team')?.textContent?.trim()).toBe('My team');
    // Lesson pages too: a manager is never given a prerendered lesson shell (its header has no such link).
    const lesson = parseHTML(await (await get(server.url, '/learn/basic-ai-essentials/safe-use-basics', cookies.mina)).text()).document;
    expect(text(lesson.querySelector('h1'))).not.toBe('');
    expect([...lesson.querySelectorAll('header a')].map((a) => a.getAttribute('href'))).toContain('/team');
    const alice = await (await get(server.url, '/home', cookies.alice)).text();
    expect(alice).not.toContain('href="/team"');
  });

  it('answers 403 to someone nobody reports to, saying what to do, and audits it', async () => {
    const denied = async () =>
      (
        await rawDrizzle(db)
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.action, 'access.denied'), eq(auditLog.actorUserId, ids.alice!)))
      ).length;
    const before = await denied();
    for (const [path, words] of [
      ['/team', 'Manabi管理者が「管理 → ユーザー」で設定します'],
      ['/en/team', 'set by a Manabi administrator under Admin → Users'],
    ] as const) {
      const response = await get(server.url, path, cookies.alice);
      expect(response.status, path).toBe(403);
      const html = await response.text();
      expect(html).toContain(words);
      expect(html).not.toContain('Rei Report');
    }
    expect(await denied()).toBe(before + 2);
  });

  it('follows the reporting line at once: a report who moves to another manager leaves the first one’s page', async () => {
    await rawDrizzle(db).update(users).set({ managerId: ids.otto! }).where(eq(users.id, ids.rei!));
    try {
      expect(memberNames(await page('/team', 'mina'))).toEqual(['Ken Report']);
      expect(memberNames(await page('/team', 'otto'))).toEqual(['Mo Moved', 'Rei Report']);
      await rawDrizzle(db).update(users).set({ active: false }).where(eq(users.id, ids.ken!));
      const response = await get(server.url, '/team', cookies.mina);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain('Ken Report');
    } finally {
      await rawDrizzle(db).update(users).set({ managerId: ids.mina!, active: true }).where(eq(users.id, ids.rei!));
      await rawDrizzle(db).update(users).set({ active: true }).where(eq(users.id, ids.ken!));
    }
  });
});
