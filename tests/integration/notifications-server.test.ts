/**
 * Issue 15 through the running server: the scheduler inside the built server loads the day from
 * the real database, queues it in the outbox and e-mails a real SMTP server with auth, moved
 * through two working days with the server's clock (MANABI_CLOCK_FILE). Restarting the server
 * on the same day sends nothing twice; the one-click unsubscribe link of a real e-mail works
 * against the same server.
 */
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, notificationOptOuts, notificationOutbox } from '../../db/schema/index.ts';
import { createAssignment } from '../../src/features/programme/assignments.server.ts';
import { setPreferredLocale } from '../../src/features/users/users-profile.server.ts';
import { findDepartmentId } from '../../src/features/users/users.server.ts';
import { fixedClock, setClock } from '../../src/platform/clock.ts';
import { writeClockFile } from '../../src/platform/clock.server.ts';
import { rawDrizzle, type Db } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb, reopenDb } from '../helpers/db.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { startSmtp, type TestSmtp } from '../helpers/mail.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';

const SITE = 'https://manabi.example.co.jp';
const DAY_MS = 86_400_000;
/** Tuesday 2027-01-05, 09:05 in Tokyo: a working day, after the default send hour. */
const TUESDAY = Date.parse('2027-01-05T00:05:00Z');

let t: TempDb;
let smtp: TestSmtp;
let server: RunningServer;
let db: Db;
let clockFile: string;
const ids: Record<string, number> = {};

const start = (): Promise<RunningServer> =>
  startServer({
    databasePath: t.file,
    outDir: FIXTURE_OUT_DIR,
    clockFile,
    env: { SMTP_URL: smtp.url, MAIL_FROM: 'Manabi <manabi@example.co.jp>', SITE_URL: SITE, NOTIFY_INTERVAL_SECONDS: '10', SESSION_MAX_HOURS: '1000' },
  });

const to = (mail: ParsedMail): string => (Array.isArray(mail.to) ? mail.to[0]! : mail.to!).value[0]!.address!;
const byRecipient = (mails: ParsedMail[]): Map<string, ParsedMail> => new Map(mails.map((m) => [to(m), m]));

/** Waits (bounded) until the outbox has recorded `count` messages as sent (it records just after the SMTP server's answer). */
async function sentRows(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  const sent = async (): Promise<number> => (await rawDrizzle(db).select().from(notificationOutbox).where(eq(notificationOutbox.state, 'sent'))).length;
  while ((await sent()) < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await sent()).toBe(count);
}

/** Waits (bounded) and then checks that nothing more arrived: two of the scheduler's ticks. */
async function nothingMoreAfter(count: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 22_000));
  expect(smtp.received.length).toBe(count);
}

beforeAll(async () => {
  smtp = await startSmtp();
  t = tempDb();
  clockFile = path.join(t.dir, 'clock.json');
  setClock(fixedClock(TUESDAY));
  ids.lea = await addUser(t.db, { email: 'lea@example.com', name: '山田 レア' });
  ids.alex = await addUser(t.db, { email: 'alex@example.com', name: 'Alex Smith' });
  ids.admin = await addUser(t.db, { email: 'admin@example.com', role: 'admin', department: 'IT', name: 'Ada' });
  await setPreferredLocale(t.db, ids.alex, 'en');
  const sales = (await t.db.read(async (q) => await findDepartmentId(q, '営業部')))!;
  // Assigned today, due Wednesday next week: "new" today, "due in 7 days" tomorrow.
  await createAssignment(t.db, { tierId: 'basic', target: { kind: 'department', departmentId: sales }, due: { kind: 'date', date: '2027-01-13' }, createdBy: ids.admin });
  setClock(null);
  void t.db.close();
  writeClockFile(clockFile, TUESDAY - Date.now());
  server = await start();
  db = reopenDb(t.file);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (db) void db.close();
  await smtp?.close();
  t?.cleanup();
});

describe('the scheduler in the server', () => {
  it('e-mails each learner the new assignment in their language, with links from SITE_URL', async () => {
    await smtp.waitFor(3, 40_000);
    await sentRows(3);
    const mails = byRecipient(smtp.received);
    // The admin gets the default assignments the server made at start (every user: basic; admins: specialist).
    expect([...mails.keys()].sort()).toEqual(['admin@example.com', 'alex@example.com', 'lea@example.com']);
    const lea = mails.get('lea@example.com')!;
    const alex = mails.get('alex@example.com')!;
    // One digest each: the most urgent thing in the subject (the fixture's required policy), the assignment inside.
    expect(lea.subject).toMatch(/^【Manabi】/);
    expect(lea.text).toContain('基礎');
    expect(alex.text).toMatch(/Basic/);
    expect(lea.text).toContain(`${SITE}/tiers/basic`);
    expect(alex.text).toContain(`${SITE}/en/tiers/basic`);
    for (const mail of [lea, alex]) {
      for (const link of (mail.text ?? '').match(/https?:\/\/[^\s)>"]+/g) ?? []) expect(link.startsWith(SITE), link).toBe(true);
      expect(mail.from?.text).toContain('manabi@example.co.jp');
    }
    expect(mails.get('admin@example.com')!.text).toMatch(/専門|基礎/);
    const rows = await rawDrizzle(db).select().from(notificationOutbox);
    expect(rows.map((r) => [r.state, r.day])).toEqual(Array(3).fill(['sent', '2027-01-05']));
    // The Message-ID sent is the one the outbox stored before sending.
    expect(new Set(rows.map((r) => r.messageId))).toEqual(new Set(smtp.received.map((m) => m.messageId)));
  }, 60_000);

  it('a restart on the same day sends nothing twice', async () => {
    await server.stop();
    server = await start();
    await nothingMoreAfter(3);
  }, 60_000);

  it('the next working day brings "due in 7 days", once per person, and every send is audited without the address', async () => {
    writeClockFile(clockFile, TUESDAY + DAY_MS - Date.now());
    await smtp.waitFor(5, 40_000);
    await sentRows(5);
    // Only the department's assignment has a due date.
    const second = byRecipient(smtp.received.slice(3));
    expect([...second.keys()].sort()).toEqual(['alex@example.com', 'lea@example.com']);
    expect(second.get('lea@example.com')!.subject).toContain('期限が近い研修があります');
    expect(second.get('lea@example.com')!.text).toContain('（あと7日）');
    expect(second.get('alex@example.com')!.text).toMatch(/7 days/);
    expect(new Set(smtp.messageIds()).size).toBe(5);
    const audits = await rawDrizzle(db).select().from(auditLog).where(eq(auditLog.action, 'notification.sent'));
    expect(audits).toHaveLength(5);
    for (const entry of audits) expect(JSON.stringify(entry)).not.toMatch(/@example\.com|基礎/);
  }, 60_000);

  it('the check-in e-mail’s one-click unsubscribe link switches the check-in off on the server', async () => {
    const found = smtp.received.find((m) => m.headerLines.some((h) => h.key === 'list-unsubscribe'));
    expect(found, 'an e-mail with the monthly check-in (optional) carries List-Unsubscribe').toBeDefined();
    const withLink = found!;
    const header = withLink.headerLines.find((h) => h.key === 'list-unsubscribe')!.line;
    const url = new URL(/<(https:[^>]+)>/.exec(header)![1]!);
    expect(url.origin).toBe(SITE);
    expect(header).toMatch(/check-in/);
    const response = await fetch(`${server.url}${url.pathname}${url.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(200);
    // Any of the three may carry the first link (the send order is the database's): the recipient's
    // own opt-outs are the kinds their link names (an admin's names the monthly report too).
    const user = ids[to(withLink).split('@')[0]!];
    const named = url.searchParams.get('kinds')!.split(',').sort();
    expect(named).toContain('check-in');
    const stored = await rawDrizzle(db).select({ kind: notificationOptOuts.kind }).from(notificationOptOuts).where(eq(notificationOptOuts.userId, user!));
    expect(stored.map((row) => row.kind).sort()).toEqual(named);
  }, 30_000);
});
