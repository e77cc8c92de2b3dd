/**
 * Issue 15: a 20,000-user digest run. Times queueing the day (plan against the outbox, render
 * every e-mail, issue the unsubscribe tokens, insert rows and events) and sending the batch to a
 * local test SMTP server with auth (smtp-server in this process), through the real sender.
 * Runs on its own too: `node bench/scenarios/notifications.ts` prints the figures as JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { learner, snapshot } from '../../src/features/notifications/fixtures/snapshots.ts';
import type { LearnerSnapshot } from '../../src/features/notifications/model.ts';
import { queueDay } from '../../src/features/notifications/outbox.server.ts';
import { createSender } from '../../src/features/notifications/sender.server.ts';
import { openDatabase } from '../../src/platform/db.server.ts';
import { createUser, ensureDepartment } from '../../src/features/users/users.server.ts';
import { startSmtp } from '../../tests/helpers/mail.ts';
import { WORK } from '../config.ts';

export interface NotificationResults {
  users: number;
  emails: number;
  /** Plan, render and insert the day's e-mails. */
  queueMs: number;
  /** Send them all to the local SMTP server (4 pooled connections). */
  sendMs: number;
  sentPerSecond: number;
}

const DAY = '2027-01-05';

export async function measureNotifications(log: (message: string) => void, users = 20_000): Promise<NotificationResults> {
  const file = path.join(WORK, 'bench-notifications.db');
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  const db = openDatabase(file);
  const smtp = await startSmtp({ parse: false });
  try {
    log(`notifications: ${users} users`);
    const ids = await db.write(async (tx) => {
      const departmentId = await ensureDepartment(tx, '営業部');
      const created: number[] = [];
      for (let i = 0; i < users; i++) created.push(await createUser(tx, { email: `n${i}@example.com`, displayName: `社員 ${i}`, role: 'learner', departmentId }));
      return created;
    });
    const tier = { id: 'basic', title: { ja: '基礎', en: 'Basic' } };
    // Everyone has a new assignment; half also the monthly check-in (optional: an unsubscribe token each).
    const learners: LearnerSnapshot[] = ids.map((id, i) =>
      learner({
        userId: String(id),
        email: `n${i}@example.com`,
        name: `社員 ${i}`,
        locale: i % 5 === 0 ? 'en' : 'ja',
        checkInSubmitted: i % 2 === 0,
        assignments: [{ id: `a${i}`, tier, assignedOn: DAY, dueOn: '2027-02-26', completed: false }],
      }),
    );
    const queueStarted = performance.now();
    const report = await queueDay(db, snapshot({ learners, checkIn: { month: '2027-01', opensOn: DAY } }), DAY, { siteUrl: 'https://manabi.example.co.jp', emailEnabled: true });
    const queueMs = Math.round(performance.now() - queueStarted);
    log(`notifications: ${report.emailsQueued} e-mails queued in ${queueMs} ms; sending`);
    const sender = createSender({ smtpUrl: smtp.url, mailFrom: 'Manabi <manabi@example.co.jp>', sendTimeoutMs: 30_000, retries: 0, retryBaseMs: 60_000 });
    const sendStarted = performance.now();
    const sent = await sender.sendDue(db);
    const sendMs = Math.round(performance.now() - sendStarted);
    sender.close();
    if (sent.sent !== report.emailsQueued || new Set(smtp.messageIds()).size !== report.emailsQueued)
      throw new Error(`sent ${JSON.stringify(sent)}, received ${smtp.messageIds().length}`);
    return { users, emails: report.emailsQueued, queueMs, sendMs, sentPerSecond: Math.round((sent.sent / sendMs) * 1000) };
  } finally {
    await smtp.close();
    await db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  }
}

if (import.meta.main) {
  fs.mkdirSync(WORK, { recursive: true });
  const started = performance.now();
  const results = await measureNotifications((message) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${message}`));
  console.log(JSON.stringify(results, null, 2));
}
