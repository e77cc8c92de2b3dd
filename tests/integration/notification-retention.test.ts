/**
 * Notification retention (retention.ts) on a real SQLite file with the real migrations: old sent
 * bodies are dropped but their rows and event keys stay (so nothing is sent twice), failed and
 * queued ones keep theirs, a pruned message cannot be resent, and old unsubscribe tokens go
 * while calendar feeds stay.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationEvents, notificationOutbox, notificationTokens } from '../../db/schema/index.ts';
import { loadNotificationsAdmin, resendNotification } from '../../src/features/notifications/admin.server.ts';
import { insertOutboxRow } from '../../src/features/notifications/outbox.server.ts';
import { pruneNotifications } from '../../src/features/notifications/retention.server.ts';
import { BODY_RETENTION_DAYS, PRUNED_PAYLOAD, TOKEN_RETENTION_DAYS } from '../../src/features/notifications/retention.ts';
import { issueToken, tokenUser } from '../../src/features/notifications/tokens.server.ts';
import { fixedClock, setClock } from '../../src/platform/clock.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { first } from '../../src/platform/query.ts';

const DAY = 86_400_000;
const T0 = new Date('2027-01-04T00:00:00Z');
const BODY = { to: { name: 'A', address: 'a@example.com' }, subject: 's', text: 'x'.repeat(5000), html: '<p>x</p>', headers: {} };

let t: TempDb;
let userId: number;
const ids: Record<string, number> = {};

beforeAll(async () => {
  t = tempDb();
  userId = await addUser(t.db, { email: 'reader@example.com' });
  setClock(fixedClock(T0));
  await t.db.write(async (tx) => {
    for (const name of ['oldSent', 'newSent', 'oldFailed', 'oldQueued']) {
      ids[name] = await insertOutboxRow(
        tx,
        { key: `k-${name}`, channel: 'email', userId, day: '2027-01-04', kinds: ['policy'], messageId: `<${name}@example.com>`, payload: BODY },
        T0,
      );
      await tx.insert(notificationEvents).values({ key: `event-${name}`, outboxId: ids[name]!, kind: 'policy', createdAt: T0 });
    }
    const o = notificationOutbox;
    await tx.update(o).set({ state: 'sent', sentAt: T0 }).where(eq(o.id, ids.oldSent!));
    await tx
      .update(o)
      .set({ state: 'sent', sentAt: new Date(T0.getTime() + 60 * DAY) })
      .where(eq(o.id, ids.newSent!));
    await tx.update(o).set({ state: 'failed', lastError: '550' }).where(eq(o.id, ids.oldFailed!));
  });
});

afterAll(() => {
  setClock(null);
  t.cleanup();
});

const payloadOf = async (id: number): Promise<unknown> =>
  first(await rawDrizzle(t.db).select({ p: notificationOutbox.payload }).from(notificationOutbox).where(eq(notificationOutbox.id, id)))?.p;

describe('notification retention', () => {
  it('drops only the bodies of messages sent more than the retention period ago, keeping the rows and their event keys', async () => {
    const before = await pruneNotifications(t.db, new Date(T0.getTime() + (BODY_RETENTION_DAYS - 1) * DAY));
    expect(before.bodies).toBe(0);
    const at = new Date(T0.getTime() + (BODY_RETENTION_DAYS + 1) * DAY);
    const report = await pruneNotifications(t.db, at, 1);
    expect(report.bodies).toBe(1);
    expect(await payloadOf(ids.oldSent!)).toEqual(PRUNED_PAYLOAD);
    for (const name of ['newSent', 'oldFailed', 'oldQueued']) expect(await payloadOf(ids[name]!)).toEqual(BODY);
    const events = await rawDrizzle(t.db).select({ key: notificationEvents.key }).from(notificationEvents);
    expect(events.map((e) => e.key).sort()).toEqual(['event-newSent', 'event-oldFailed', 'event-oldQueued', 'event-oldSent']);
    expect((await pruneNotifications(t.db, at)).bodies).toBe(0);
  });

  it('refuses to resend a pruned message and shows it without a resend button', async () => {
    await expect(resendNotification(t.db, ids.oldSent!, { actor: { id: userId, email: 'reader@example.com' }, ip: null })).rejects.toMatchObject({
      message: 'notify.admin.error.pruned',
    });
    expect(first(await rawDrizzle(t.db).select({ s: notificationOutbox.state }).from(notificationOutbox).where(eq(notificationOutbox.id, ids.oldSent!)))?.s).toBe('sent');
    const page = await loadNotificationsAdmin(t.db, {}, { timeZone: 'Asia/Tokyo', smtpUrl: 'smtp://127.0.0.1:2525' });
    const sent = page.lists.sent.rows;
    expect(sent.find((r) => r.id === ids.oldSent)?.pruned).toBe(true);
    expect(sent.find((r) => r.id === ids.newSent)?.pruned).toBe(false);
  });

  it('deletes unsubscribe tokens older than their period, and never a calendar feed', async () => {
    const tokens = await t.db.write(async (tx) => ({ unsubscribe: await issueToken(tx, 'unsubscribe', userId), calendar: await issueToken(tx, 'calendar', userId) }));
    await pruneNotifications(t.db, new Date(T0.getTime() + (TOKEN_RETENTION_DAYS - 1) * DAY));
    expect(await tokenUser(t.db, 'unsubscribe', tokens.unsubscribe)).toBe(userId);
    const report = await pruneNotifications(t.db, new Date(T0.getTime() + (TOKEN_RETENTION_DAYS + 1) * DAY));
    expect(report.tokens).toBe(1);
    expect(await tokenUser(t.db, 'unsubscribe', tokens.unsubscribe)).toBeNull();
    expect(await tokenUser(t.db, 'calendar', tokens.calendar)).toBe(userId);
    expect((await rawDrizzle(t.db).select().from(notificationTokens)).map((r) => r.purpose)).toEqual(['calendar']);
  });
});
