/**
 * A few outbox rows as the sender leaves them (failed after its retries, queued, sent), so the
 * gallery's /admin/notifications shows its lists, not only its empty states.
 */
import { notificationOutbox } from '../../db/schema/index.ts';
import { type Db, rawDrizzle } from '../../src/platform/db.server.ts';

export async function addSampleOutbox(db: Db, userIds: readonly number[], departmentId: number | null): Promise<void> {
  const q = rawDrizzle(db);
  const base = Date.UTC(2026, 10, 24, 0, 0);
  const rows = userIds.slice(0, 6).map((userId, i) => {
    const state = i === 0 ? ('failed' as const) : i < 3 ? ('queued' as const) : ('sent' as const);
    const at = new Date(base + i * 60_000);
    return {
      key: `gallery-${userId}-${i}`,
      channel: 'email' as const,
      userId,
      day: '2026-11-24',
      kinds: i % 2 === 0 ? ['overdue', 'due-soon'] : ['assignment-new'],
      messageId: `<gallery${i}@manabi.example>`,
      payload: { to: { name: '', address: '' }, subject: '', text: '', html: '', headers: {} },
      state,
      attempts: state === 'failed' ? 7 : state === 'sent' ? 1 : 0,
      nextAttemptAt: at,
      lastError: state === 'failed' ? '550 5.1.1 <user@example.co.jp>: Recipient address rejected: User unknown in virtual mailbox table' : null,
      updatedAt: at,
      sentAt: state === 'sent' ? at : null,
    };
  });
  await q.insert(notificationOutbox).values(rows);
  if (departmentId !== null) {
    const at = new Date(base);
    await q.insert(notificationOutbox).values({
      key: 'gallery-channel',
      channel: 'teams',
      userId: null,
      departmentId,
      day: '2026-11-24',
      kinds: ['champion-weekly'],
      payload: { body: {} },
      state: 'sent',
      attempts: 1,
      nextAttemptAt: at,
      updatedAt: at,
      sentAt: at,
    });
  }
}
