/**
 * Issue 15, sending: a real SQLite file with the real migrations, a real SMTP server with auth
 * (mailparser reads what it got) and a real HTTP receiver for the Teams and Slack posts.
 */
import { eq } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, notificationEvents, notificationOutbox, notificationTokens, users } from '../../db/schema/index.ts';
import { fixedClock, setClock } from '../../src/platform/clock.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { validateCard } from '../../src/features/notifications/fixtures/adaptive-card.ts';
import { champion, departmentWeek, learner, snapshot } from '../../src/features/notifications/fixtures/snapshots.ts';
import type { NotificationSnapshot } from '../../src/features/notifications/model.ts';
import { dryRunLines } from '../../src/cli/notify.ts';
import { queueDay } from '../../src/features/notifications/outbox.server.ts';
import { startNotificationScheduler } from '../../src/features/notifications/scheduler.server.ts';
import { tokenUser } from '../../src/features/notifications/tokens.server.ts';
import { createSender, type SenderOptions } from '../../src/features/notifications/sender.server.ts';
import { writeDepartmentChannel } from '../../src/features/notifications/settings.server.ts';
import { slackProblems } from '../../src/features/notifications/webhooks.ts';
import { addUser, tempDb, type TempDb, reopenDb, onPostgres } from '../helpers/db.ts';
import { SMTP_PASSWORD, startReceiver, startSmtp, type TestReceiver, type TestSmtp } from '../helpers/mail.ts';
import { first } from '../../src/platform/query.ts';

const SITE = 'https://manabi.example.co.jp';
const DAY = '2027-01-05'; // a Tuesday, a working day
const AT_NINE = Date.parse('2027-01-05T00:00:00Z'); // 09:00 in Tokyo

let t: TempDb;
let smtp: TestSmtp;
let receiver: TestReceiver;
let ids: { ja: number; en: number; opted: number };

const senderOptions = (overrides: Partial<SenderOptions> = {}): SenderOptions => ({
  smtpUrl: smtp.url,
  mailFrom: 'Manabi <manabi@example.co.jp>',
  sendTimeoutMs: 2000,
  retries: 2,
  retryBaseMs: 60_000,
  concurrency: 2,
  random: () => 0.5,
  ...overrides,
});

/** The ja learner gets a new assignment and the check-in (optional); the en one the assignment only; the third opted out of the check-in. */
function daySnapshot(): NotificationSnapshot {
  const assignment = { id: 'a1', tier: { id: 'basic', title: { ja: '基礎', en: 'Basic' } }, assignedOn: DAY, dueOn: '2027-02-26', completed: false };
  return snapshot({
    checkIn: { month: '2027-01', opensOn: DAY },
    learners: [
      learner({ userId: String(ids.ja), name: '佐藤 花子', email: 'hanako@example.co.jp', locale: 'ja', assignments: [assignment] }),
      learner({ userId: String(ids.en), name: 'Alex Smith', email: 'alex@example.co.jp', locale: 'en', assignments: [assignment], checkInSubmitted: true }),
      learner({ userId: String(ids.opted), name: '鈴木 一郎', email: 'ichiro@example.co.jp', locale: 'ja', assignments: [assignment], optOut: ['check-in'] }),
    ],
  });
}

/** A header as sent (mailparser folds the List-* headers into one object). */
function header(mail: ParsedMail, name: string): string | null {
  const line = mail.headerLines.find((h) => h.key === name)?.line ?? null;
  return line === null
    ? null
    : line
        .slice(line.indexOf(':') + 1)
        .replace(/\r?\n\s+/g, ' ')
        .trim();
}

const rows = async () => await rawDrizzle(t.db).select().from(notificationOutbox);

beforeAll(async () => {
  smtp = await startSmtp();
  receiver = await startReceiver();
});
afterAll(async () => {
  await smtp.close();
  await receiver.close();
});
beforeEach(async () => {
  t = tempDb();
  ids = {
    ja: await addUser(t.db, { email: 'hanako@example.co.jp' }),
    en: await addUser(t.db, { email: 'alex@example.co.jp' }),
    opted: await addUser(t.db, { email: 'ichiro@example.co.jp' }),
  };
  smtp.received.length = 0;
  smtp.mode.value = 'accept';
  receiver.posts.length = 0;
  setClock(fixedClock(AT_NINE));
});
afterEach(() => {
  setClock(null);
  t.cleanup();
});

describe('e-mail through a real SMTP server with auth', () => {
  it('sends one digest per person in their language, with links from SITE_URL and List-Unsubscribe only for optional kinds', async () => {
    const report = await queueDay(t.db, daySnapshot(), DAY, { siteUrl: SITE, emailEnabled: true });
    expect(report).toMatchObject({ emailEnabled: true, emailsQueued: 3, alreadyQueued: 0 });
    const sender = createSender(senderOptions());
    expect(await sender.sendDue(t.db)).toEqual({ sent: 3, retried: 0, failed: 0 });
    sender.close();

    const byAddress = new Map(smtp.received.map((mail) => [(mail.to as { value: { address: string }[] }).value[0]!.address, mail]));
    expect([...byAddress.keys()].sort()).toEqual(['alex@example.co.jp', 'hanako@example.co.jp', 'ichiro@example.co.jp']);
    const ja = byAddress.get('hanako@example.co.jp')!;
    const en = byAddress.get('alex@example.co.jp')!;
    const opted = byAddress.get('ichiro@example.co.jp')!;
    expect(ja.from?.value[0]).toMatchObject({ name: 'Manabi', address: 'manabi@example.co.jp' });
    expect(ja.to).toMatchObject({ value: [{ name: '佐藤 花子', address: 'hanako@example.co.jp' }] });
    expect(ja.subject).toMatch(/[ぁ-んァ-ン一-龯]/);
    expect(en.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(ja.html).toContain('<html lang="ja">');
    expect(en.html).toContain('<html lang="en">');
    expect(en.text).toContain(`${SITE}/en/`);
    for (const mail of [ja, en, opted]) {
      const links = [...String(mail.html).matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) expect(link.startsWith(`${SITE}/`)).toBe(true);
      expect(mail.text).not.toMatch(/unsubscribe/i);
    }
    // Only the e-mail with the check-in (optional) can be unsubscribed from, one-click over https.
    expect(header(ja, 'list-unsubscribe')).toMatch(new RegExp(`^<${SITE}/unsubscribe/[A-Za-z0-9_-]{43}\\?kinds=check-in>$`));
    expect(header(ja, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    for (const mail of [en, opted]) {
      expect(header(mail, 'list-unsubscribe')).toBeNull();
      expect(header(mail, 'list-unsubscribe-post')).toBeNull();
    }
    // One token, for the one e-mail with an optional kind; stored hashed, it names the recipient.
    expect(await rawDrizzle(t.db).select().from(notificationTokens)).toHaveLength(1);
    const token = /unsubscribe\/([A-Za-z0-9_-]{43})/.exec(header(ja, 'list-unsubscribe')!)![1]!;
    expect(await tokenUser(t.db, 'unsubscribe', token)).toBe(ids.ja);
    // The Message-ID is the outbox's; every send is audited without body, subject or address.
    const stored = await rows();
    expect(stored.map((row) => row.state)).toEqual(['sent', 'sent', 'sent']);
    expect(new Set(smtp.received.map((mail) => mail.messageId))).toEqual(new Set(stored.map((row) => row.messageId)));
    const audits = await rawDrizzle(t.db).select().from(auditLog).where(eq(auditLog.action, 'notification.sent'));
    expect(audits).toHaveLength(3);
    const logged = JSON.stringify(audits);
    for (const secret of ['hanako@', ja.subject!, 'alex@']) expect(logged).not.toContain(secret);
    expect(audits[0]!.details).toMatchObject({ channel: 'email', kinds: expect.any(Array), messageId: expect.stringMatching(/^<[0-9a-f]{40}@manabi\.example\.co\.jp>$/) });
  });

  it('queues one e-mail per person per day, run twice or concurrently, and a resend keeps the Message-ID', async () => {
    const second = reopenDb(t.file);
    const [a, b] = await Promise.all([
      queueDay(t.db, daySnapshot(), DAY, { siteUrl: SITE, emailEnabled: true, chunkSize: 1 }),
      queueDay(second, daySnapshot(), DAY, { siteUrl: SITE, emailEnabled: true, chunkSize: 1 }),
    ]);
    await second.close();
    // Each e-mail queued exactly once. On SQLite the two runs plan before either writes, so the
    // second finds all three queued; on PostgreSQL a run's plan sees the other's committed chunks
    // (read committed) and leaves those out, so it may meet fewer of them.
    expect(a.emailsQueued + b.emailsQueued).toBe(3);
    if (onPostgres) expect(a.alreadyQueued + b.alreadyQueued).toBeLessThanOrEqual(3);
    else expect(a.alreadyQueued + b.alreadyQueued).toBe(3);
    expect(new Set((await rows()).map((row) => row.userId))).toEqual(new Set([ids.ja, ids.en, ids.opted]));
    expect((await queueDay(t.db, daySnapshot(), DAY, { siteUrl: SITE, emailEnabled: true })).emailsQueued).toBe(0);
    // Later the same day: nothing more for anyone already mailed today.
    setClock(fixedClock(AT_NINE + 3 * 3_600_000));
    // A new assignment for someone already mailed today waits for the next working day.
    const later = daySnapshot();
    const extra = { id: 'a2', tier: { id: 'applied', title: { ja: '応用', en: 'Applied' } }, assignedOn: DAY, dueOn: null, completed: false };
    const withExtra = { ...later, learners: later.learners.map((l, i) => (i === 0 ? { ...l, assignments: [...l.assignments, extra] } : l)) };
    // Not even planned (mailedToday); the digest key's uniqueness would refuse it anyway.
    expect(await queueDay(t.db, withExtra, DAY, { siteUrl: SITE, emailEnabled: true })).toMatchObject({ emailsQueued: 0, alreadyQueued: 0 });
    expect(await rows()).toHaveLength(3);
    expect((await queueDay(t.db, withExtra, '2027-01-06', { siteUrl: SITE, emailEnabled: true })).emailsQueued).toBe(1);
    await rawDrizzle(t.db).delete(notificationOutbox).where(eq(notificationOutbox.day, '2027-01-06'));
    const events = await rawDrizzle(t.db).select().from(notificationEvents);
    expect(events).toHaveLength(4); // three assignments and one check-in

    const sender = createSender(senderOptions());
    await sender.sendDue(t.db);
    await sender.sendDue(t.db);
    expect(smtp.received).toHaveLength(3);
    // A resend (the admin page's): same payload, same Message-ID.
    const first = (await rows())[0]!;
    await rawDrizzle(t.db)
      .update(notificationOutbox)
      .set({ state: 'queued', attempts: 0, nextAttemptAt: new Date(AT_NINE), lastError: null })
      .where(eq(notificationOutbox.id, first.id));
    await sender.sendDue(t.db);
    sender.close();
    expect(smtp.received).toHaveLength(4);
    expect(smtp.received[3]!.messageId).toBe(first.messageId);
    expect(smtp.received[3]!.subject).toBe(smtp.received.find((mail) => mail.messageId === first.messageId)!.subject);
  });

  it('e-mails nothing without SMTP_URL (and says so); queued e-mails wait for it', async () => {
    const report = await queueDay(t.db, daySnapshot(), DAY, { siteUrl: SITE, emailEnabled: false });
    expect(report).toMatchObject({ emailEnabled: false, emailsQueued: 0 });
    expect(await rows()).toHaveLength(0);
    await queueDay(t.db, daySnapshot(), DAY, { siteUrl: SITE, emailEnabled: true });
    const sender = createSender(senderOptions({ smtpUrl: null }));
    expect(await sender.sendDue(t.db)).toEqual({ sent: 0, retried: 0, failed: 0 });
    sender.close();
    expect(smtp.received).toHaveLength(0);
    expect((await rows()).map((row) => row.state)).toEqual(['queued', 'queued', 'queued']);
  });

  it('retries a refused (5xx) or timed-out message with backoff, then fails it with the last error and no password', async () => {
    await queueDay(t.db, snapshot({ learners: [daySnapshot().learners[1]!] }), DAY, { siteUrl: SITE, emailEnabled: true });
    const sender = createSender(senderOptions({ sendTimeoutMs: 500 }));
    smtp.mode.value = 'refuse';
    expect(await sender.sendDue(t.db)).toEqual({ sent: 0, retried: 1, failed: 0 });
    let row = (await rows())[0]!;
    expect(row).toMatchObject({ state: 'queued', attempts: 1 });
    expect(row.lastError).toMatch(/550/);
    expect(row.nextAttemptAt.getTime()).toBe(AT_NINE + 60_000);
    // Not due yet: nothing is tried.
    expect(await sender.sendDue(t.db)).toEqual({ sent: 0, retried: 0, failed: 0 });
    setClock(fixedClock(AT_NINE + 60_000));
    smtp.mode.value = 'hang';
    expect(await sender.sendDue(t.db)).toEqual({ sent: 0, retried: 1, failed: 0 });
    row = (await rows())[0]!;
    expect(row).toMatchObject({ state: 'queued', attempts: 2 });
    expect(row.lastError).toMatch(/timeout/i);
    expect(row.nextAttemptAt.getTime()).toBe(AT_NINE + 60_000 + 120_000);
    setClock(fixedClock(AT_NINE + 180_000));
    smtp.mode.value = 'refuse';
    expect(await sender.sendDue(t.db)).toEqual({ sent: 0, retried: 0, failed: 1 });
    sender.close();
    row = (await rows())[0]!;
    expect(row).toMatchObject({ state: 'failed', attempts: 3 });
    expect(row.lastError).toMatch(/550/);
    const failedAudit = await rawDrizzle(t.db).select().from(auditLog).where(eq(auditLog.action, 'notification.failed'));
    expect(failedAudit).toHaveLength(1);
    expect(JSON.stringify(await rows())).not.toContain(SMTP_PASSWORD);
  });

  it('a wrong SMTP password fails the message without storing the password', async () => {
    await queueDay(t.db, snapshot({ learners: [daySnapshot().learners[1]!] }), DAY, { siteUrl: SITE, emailEnabled: true });
    const wrong = smtp.url.replace(encodeURIComponent(SMTP_PASSWORD), 'not-the-pw-123');
    const sender = createSender(senderOptions({ smtpUrl: wrong, retries: 0 }));
    expect(await sender.sendDue(t.db)).toEqual({ sent: 0, retried: 0, failed: 1 });
    sender.close();
    expect((await rows())[0]!.lastError).toMatch(/EAUTH/);
    expect(JSON.stringify(await rows())).not.toContain('not-the-pw-123');
  });
});

describe('the scheduler', () => {
  it('queues on a working day from the send hour only, then sends; a second tick adds nothing', async () => {
    const loads: string[] = [];
    const loader = async (_db: unknown, day: string): Promise<NotificationSnapshot> => {
      loads.push(day);
      return daySnapshot();
    };
    const config = { ...senderOptions(), siteUrl: SITE, timeZone: 'Asia/Tokyo' };
    const tickAt = async (at: number) => {
      setClock(fixedClock(at));
      const notifier = startNotificationScheduler({ open: () => reopenDb(t.file), config, intervalMs: 3_600_000, loader });
      const report = await notifier.tick();
      await notifier.stop();
      return report;
    };
    // 08:59 on the Tuesday, a Saturday at 10:00, New Year's Day at 10:00: nothing.
    for (const at of [AT_NINE - 60_000, Date.parse('2027-01-09T01:00:00Z'), Date.parse('2027-01-01T01:00:00Z')]) expect((await tickAt(at))?.queued).toBeNull();
    expect(loads).toEqual([]);
    const report = await tickAt(AT_NINE);
    expect(report?.queued).toMatchObject({ day: DAY, emailsQueued: 3 });
    expect(report?.sent).toEqual({ sent: 3, retried: 0, failed: 0 });
    expect((await tickAt(AT_NINE + 600_000))?.queued).toMatchObject({ emailsQueued: 0, alreadyQueued: 0 });
    expect(smtp.received).toHaveLength(3);
  });

  it('puts rows a killed process left in sending back in the queue at start, and sends them with the same Message-ID', async () => {
    await queueDay(t.db, daySnapshot(), DAY, { siteUrl: SITE, emailEnabled: true });
    // Left an hour ago: SQLite's server takes every such row back at start, PostgreSQL's instances
    // once it is past the send lease (another instance may still be sending a recent one).
    await rawDrizzle(t.db)
      .update(notificationOutbox)
      .set({ state: 'sending', updatedAt: new Date(AT_NINE - 3_600_000) });
    const notifier = startNotificationScheduler({
      open: () => reopenDb(t.file),
      config: { ...senderOptions(), siteUrl: SITE, timeZone: 'Asia/Tokyo' },
      intervalMs: 3_600_000,
      loader: null,
    });
    // Never two runs at once: a tick while one runs gets the running one.
    expect(notifier.tick()).toBe(notifier.tick());
    const report = await notifier.tick();
    await notifier.stop();
    expect(report?.sent.sent).toBe(3);
    expect(new Set(smtp.received.map((mail) => mail.messageId))).toEqual(new Set((await rows()).map((row) => row.messageId)));
  });
});

describe('npm run notify -- --dry-run', () => {
  it('prints recipients, kinds and subjects of the next run, planned against the outbox, and writes nothing', async () => {
    setClock(fixedClock(AT_NINE - 3_600_000)); // 08:00: the next run is today's
    const config = { ...senderOptions(), siteUrl: SITE, timeZone: 'Asia/Tokyo' };
    const lines = await dryRunLines(t.db, async () => daySnapshot(), config);
    expect(lines[0]).toBe(`Next run: ${DAY} (send hour 09:00 Asia/Tokyo).`);
    expect(lines).toContain('E-mails: 3');
    expect(lines.find((line) => line.includes('<alex@example.co.jp> [en] assignment-new: '))).toBeDefined();
    expect(lines.find((line) => line.includes('<hanako@example.co.jp> [ja] assignment-new,check-in: '))).toBeDefined();
    expect(await rows()).toHaveLength(0);
    expect(await rawDrizzle(t.db).select().from(notificationTokens)).toHaveLength(0);
    // What is queued already is not printed again.
    await queueDay(t.db, daySnapshot(), DAY, { siteUrl: SITE, emailEnabled: true });
    expect(await dryRunLines(t.db, async () => daySnapshot(), config)).toContain('E-mails: 0');
  });
});

describe('channel posts to a real HTTP receiver', () => {
  const MONDAY = '2027-01-18';
  const MONDAY_NINE = Date.parse('2027-01-18T00:00:00Z');

  it('posts a valid Adaptive Card to Teams and valid Block Kit to Slack, once, retrying a 429 after Retry-After', async () => {
    setClock(fixedClock(MONDAY_NINE));
    const championId = await addUser(t.db, { email: 'champ@example.co.jp', role: 'champion', department: '営業部' });
    const { departmentId } = first(await rawDrizzle(t.db).select({ departmentId: users.departmentId }).from(users).where(eq(users.id, championId)))!;
    await t.db.write(async (tx) => await writeDepartmentChannel(tx, { departmentId: departmentId!, teamsUrl: `${receiver.url}/teams`, slackUrl: `${receiver.url}/slack` }));
    const week = departmentWeek({ department: { id: String(departmentId), name: '営業部' } });
    const snap = snapshot({ champions: [champion({ userId: String(championId), week })] });
    const report = await queueDay(t.db, snap, MONDAY, { siteUrl: SITE, emailEnabled: false });
    expect(report).toMatchObject({ emailsQueued: 0, postsQueued: 2 });
    expect((await queueDay(t.db, snap, MONDAY, { siteUrl: SITE, emailEnabled: false })).postsQueued).toBe(0);

    receiver.answers.set('/teams', [{ status: 429, retryAfter: '120' }]);
    const sender = createSender(senderOptions({ smtpUrl: null }));
    expect(await sender.sendDue(t.db)).toEqual({ sent: 1, retried: 1, failed: 0 });
    const teamsRow = (await rows()).find((row) => row.channel === 'teams')!;
    expect(teamsRow).toMatchObject({ state: 'queued', attempts: 1 });
    expect(teamsRow.lastError).toMatch(/429/);
    expect(teamsRow.lastError).not.toContain(receiver.url);
    // Retry-After (120 s) is longer than the backoff (60 s): it wins.
    expect(teamsRow.nextAttemptAt.getTime()).toBe(MONDAY_NINE + 120_000);
    setClock(fixedClock(MONDAY_NINE + 120_000));
    expect(await sender.sendDue(t.db)).toEqual({ sent: 1, retried: 0, failed: 0 });
    sender.close();

    expect(receiver.posts.map((post) => post.path).sort()).toEqual(['/slack', '/teams']);
    const teams = receiver.posts.find((post) => post.path === '/teams')!.body as { type: string; attachments: { content: unknown }[] };
    expect(teams.type).toBe('message');
    expect(validateCard(teams.attachments[0]!.content), JSON.stringify(validateCard.errors)).toBe(true);
    const slack = receiver.posts.find((post) => post.path === '/slack')!.body;
    expect(slackProblems(slack)).toEqual([]);
    // A channel is read by many: counts only, never the names.
    expect(JSON.stringify(receiver.posts)).not.toContain('佐藤 花子');
    expect((await rows()).map((row) => row.state)).toEqual(['sent', 'sent']);
  });
});
