/**
 * `npm run notify -- --dry-run`: prints what the next notification run would send (recipients,
 * kinds, subjects, channel posts), planned against the real outbox, and writes nothing (the
 * database is opened read-only). `npm run notify`: queues today's run if it is due and sends
 * what is due, once; refused while a server holds the database (its scheduler does this).
 */
import { installClockFile } from '../platform/clock.server.ts';
import { now as clockNow } from '../platform/clock.ts';
import { exitOnConfigError, getConfig } from '../platform/config.server.ts';
import { databasePath, openDatabase, type Db } from '../platform/db.server.ts';
import { lockDatabase, LockHeldError } from '../platform/db-lock.server.ts';
import { renderDigestEmail } from '../features/notifications/email.ts';
import { planDay } from '../features/notifications/outbox.server.ts';
import { notifyConfigFrom, runOnce, SNAPSHOT_LOADER, type SnapshotLoader } from '../features/notifications/scheduler.server.ts';
import { createSender, resetInterruptedSends, sendLeaseMs } from '../features/notifications/sender.server.ts';
import { readNotificationSettings } from '../features/notifications/settings.server.ts';
import { nextSendInstant, localDay, runDayAt } from '../features/notifications/working-days.ts';

function fail(message: string): never {
  console.error(`notify: ${message}`);
  process.exit(1);
}

/** The lines a dry run prints for the next run. */
export async function dryRunLines(db: Db, loader: SnapshotLoader | null, config: ReturnType<typeof notifyConfigFrom>): Promise<string[]> {
  const settings = await readNotificationSettings(db);
  const at = clockNow();
  const schedule = { timeZone: config.timeZone, hour: settings.sendHour };
  const day = runDayAt(at, schedule) ?? localDay(nextSendInstant(at, schedule), config.timeZone);
  const lines = [`Next run: ${day} (send hour ${String(settings.sendHour).padStart(2, '0')}:00 ${config.timeZone}).`];
  if (config.smtpUrl === null) lines.push('SMTP_URL is not set: nothing would be e-mailed.');
  if (loader === null) return [...lines, 'No snapshot loader is wired in yet: nothing new would be queued.'];
  const plan = await planDay(db, await loader(db, day), day, { emailEnabled: config.smtpUrl !== null });
  lines.push(`E-mails: ${plan.digests.length}`);
  for (const digest of plan.digests) {
    const { subject } = renderDigestEmail(digest, { siteUrl: config.siteUrl, unsubscribe: null });
    const kinds = digest.sections.map((section) => section.kind).join(',');
    lines.push(`  user ${digest.recipient.userId} <${digest.recipient.email}> [${digest.recipient.locale}] ${kinds}: ${subject}`);
  }
  lines.push(`Channel posts: ${plan.posts.length}`);
  for (const post of plan.posts) lines.push(`  ${post.channel} ${post.departmentId === null ? 'programme' : `department ${post.departmentId}`}: ${post.post.data.kind}`);
  return lines;
}

if (import.meta.main) {
  const config = exitOnConfigError(getConfig, 'notify');
  installClockFile(config.clockFile);
  const notify = notifyConfigFrom(config);
  const file = databasePath();
  if (process.argv.includes('--dry-run')) {
    let db: Db;
    try {
      db = openDatabase(file, { readonly: true });
    } catch (error) {
      fail(`cannot open ${file} (${(error as Error).message}).`);
    }
    for (const line of await dryRunLines(db, SNAPSHOT_LOADER, notify)) console.log(line);
    await db.close();
  } else {
    let release: () => void = () => undefined;
    try {
      release = lockDatabase(file, { writePid: false }).release;
    } catch (error) {
      if (error instanceof LockHeldError) fail(`${error.message}; the running server's scheduler sends notifications. Nothing changed.`);
      fail(`cannot lock ${file} (${(error as Error).message}).`);
    }
    const db = openDatabase(file);
    const sender = createSender(notify);
    await resetInterruptedSends(db, sendLeaseMs(notify.sendTimeoutMs));
    const report = await runOnce(db, sender, notify, SNAPSHOT_LOADER, clockNow());
    sender.close();
    await db.close();
    release();
    const q = report.queued;
    console.log(
      q
        ? `Queued for ${q.day}: ${q.emailsQueued} e-mails, ${q.postsQueued} channel posts (${q.alreadyQueued} already queued).`
        : 'Nothing queued (no run due now, or no snapshot loader).',
    );
    if (config.notifications.smtpUrl === null) console.log('SMTP_URL is not set: nothing is e-mailed.');
    console.log(`Sent ${report.sent.sent}, retried later ${report.sent.retried}, failed ${report.sent.failed}.`);
  }
}
