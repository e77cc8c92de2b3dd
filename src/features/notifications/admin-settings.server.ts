/**
 * The notification settings on /admin/settings/notifications: the programme's switches and
 * webhooks, and each department's channel. Webhook URLs are secrets: the page gets only their
 * host (maskWebhookUrl), the audit log only whether and to which host they changed.
 */
import { eq } from 'drizzle-orm';
import { departments, departmentChannels, settings } from '../../../db/schema/index.ts';
import { now } from '../../platform/clock.ts';
import type { Db, Tx } from '../../platform/db.server.ts';
import { Refusal } from '../../platform/refusal.ts';
import { audit, type AuditCaller } from '../audit/audit.server.ts';
import { applyWebhookChange, testPostBody, type WebhookChange } from './admin.ts';
import { dayKey, type Locale } from './external.ts';
import { formatDateTime } from '../../platform/dates.ts';
import { idempotencyKey, NOTIFICATION_KINDS, type NotificationKind } from './model.ts';
import { maskWebhookUrl, parseNotificationSettings } from './settings.ts';
import { insertOutboxRow } from './outbox.server.ts';
import { writeDepartmentChannel, writeNotificationSettings } from './settings.server.ts';
import { first } from '../../platform/query.ts';

export interface MaskedChannel {
  teams: string | null;
  slack: string | null;
}

export interface NotificationSettingsPage {
  sendHour: number;
  digestWeekday: number;
  disabledKinds: NotificationKind[];
  programme: MaskedChannel;
  departments: ({ id: number; name: string } & MaskedChannel)[];
}

export async function loadNotificationSettingsPage(db: Db): Promise<NotificationSettingsPage> {
  return db.read(async (q) => {
    const current = await currentSettings(q);
    const channels = new Map((await q.select().from(departmentChannels)).map((c) => [c.departmentId, c]));
    const list = await q.select({ id: departments.id, name: departments.name }).from(departments).orderBy(departments.name);
    return {
      sendHour: current.sendHour,
      digestWeekday: current.digestWeekday,
      disabledKinds: current.disabledKinds,
      programme: { teams: maskWebhookUrl(current.programmeTeamsUrl), slack: maskWebhookUrl(current.programmeSlackUrl) },
      departments: list.map((d) => ({ ...d, teams: maskWebhookUrl(channels.get(d.id)?.teamsUrl ?? null), slack: maskWebhookUrl(channels.get(d.id)?.slackUrl ?? null) })),
    };
  });
}

async function currentSettings(q: Tx): Promise<ReturnType<typeof parseNotificationSettings>> {
  const row = first(await q.select({ value: settings.value }).from(settings).where(eq(settings.key, 'notifications')));
  return parseNotificationSettings(row?.value ?? null);
}

/** What the audit row says of a webhook: its host before and after, never the path (the secret). */
function webhookAudit(before: string | null, after: string | null): { from: string | null; to: string | null } | undefined {
  return before === after ? undefined : { from: maskWebhookUrl(before), to: maskWebhookUrl(after) };
}

export interface NotificationSettingsInput {
  sendHour: number;
  digestWeekday: number;
  disabledKinds: NotificationKind[];
  programmeTeams: WebhookChange;
  programmeSlack: WebhookChange;
}

export async function saveNotificationSettings(db: Db, input: NotificationSettingsInput, by: AuditCaller): Promise<void> {
  await db.write(async (tx) => {
    const before = await currentSettings(tx);
    const after = {
      sendHour: input.sendHour,
      digestWeekday: input.digestWeekday,
      // In the kinds' own order (most urgent first), each once.
      disabledKinds: NOTIFICATION_KINDS.filter((kind) => input.disabledKinds.includes(kind)),
      programmeTeamsUrl: applyWebhookChange(before.programmeTeamsUrl, input.programmeTeams),
      programmeSlackUrl: applyWebhookChange(before.programmeSlackUrl, input.programmeSlack),
    };
    await writeNotificationSettings(tx, after);
    const details = {
      sendHour: after.sendHour,
      digestWeekday: after.digestWeekday,
      disabledKinds: after.disabledKinds,
      programmeTeams: webhookAudit(before.programmeTeamsUrl, after.programmeTeamsUrl),
      programmeSlack: webhookAudit(before.programmeSlackUrl, after.programmeSlackUrl),
    };
    await audit(tx, { ...by, action: 'notification.settings_saved', target: { type: 'programme', id: 'programme' }, details }, now());
  });
}

export interface DepartmentChannelInput {
  departmentId: number;
  teams: WebhookChange;
  slack: WebhookChange;
}

/** Applies every department's change in one write; one audit row per department that changed. Returns how many changed. */
export async function saveDepartmentChannels(db: Db, input: readonly DepartmentChannelInput[], by: AuditCaller): Promise<number> {
  return db.write(async (tx) => {
    const known = new Set((await tx.select({ id: departments.id }).from(departments)).map((d) => d.id));
    const current = new Map((await tx.select().from(departmentChannels)).map((c) => [c.departmentId, c]));
    let changed = 0;
    const at = now();
    for (const change of input) {
      if (!known.has(change.departmentId)) throw new Refusal('NOT_FOUND', 'notify.admin.error.noDepartment');
      const was = current.get(change.departmentId);
      const before = { teams: was?.teamsUrl ?? null, slack: was?.slackUrl ?? null };
      const after = { teams: applyWebhookChange(before.teams, change.teams), slack: applyWebhookChange(before.slack, change.slack) };
      if (after.teams === before.teams && after.slack === before.slack) continue;
      await writeDepartmentChannel(tx, { departmentId: change.departmentId, teamsUrl: after.teams, slackUrl: after.slack });
      const details = { teams: webhookAudit(before.teams, after.teams), slack: webhookAudit(before.slack, after.slack) };
      await audit(tx, { ...by, action: 'notification.channel_saved', target: { type: 'department', id: change.departmentId }, details }, at);
      changed += 1;
    }
    return changed;
  });
}

export interface TestPostTarget {
  channel: 'teams' | 'slack';
  /** null: the programme team's channel. */
  departmentId: number | null;
}

/**
 * Queues a test post to a configured webhook through the outbox (a teams or slack row, as the
 * contract has it: no user, the department or null, the body to POST). The URL stays in the
 * settings; the sender reads it when it sends.
 */
export async function queueTestPost(
  db: Db,
  target: TestPostTarget,
  admin: { locale: Locale; programmeName: string },
  by: AuditCaller,
  options: { siteUrl: string; timeZone: string },
): Promise<{ outboxId: number; target: string }> {
  const at = now();
  return db.write(async (tx) => {
    let name = admin.programmeName;
    let url: string | null;
    if (target.departmentId === null) {
      const current = await currentSettings(tx);
      url = target.channel === 'teams' ? current.programmeTeamsUrl : current.programmeSlackUrl;
    } else {
      const department = first(await tx.select({ name: departments.name }).from(departments).where(eq(departments.id, target.departmentId)));
      if (!department) throw new Refusal('NOT_FOUND', 'notify.admin.error.noDepartment');
      name = department.name;
      const row = first(await tx.select().from(departmentChannels).where(eq(departmentChannels.departmentId, target.departmentId)));
      url = (target.channel === 'teams' ? row?.teamsUrl : row?.slackUrl) ?? null;
    }
    if (url === null) throw new Refusal('BAD_REQUEST', 'notify.admin.error.noWebhook');
    const recipient = target.departmentId === null ? 'channel-programme' : `channel-department-${target.departmentId}`;
    const body = testPostBody(
      target.channel,
      { channelName: name, locale: admin.locale },
      { siteUrl: options.siteUrl, sentAt: formatDateTime(at, admin.locale, options.timeZone) },
    );
    const outboxId = await insertOutboxRow(
      tx,
      {
        key: idempotencyKey(recipient, 'digest', `test-${target.channel}`, String(at.getTime())),
        channel: target.channel,
        departmentId: target.departmentId,
        day: dayKey(at, options.timeZone),
        kinds: ['test'],
        payload: { body },
      },
      at,
    );
    const auditTarget = target.departmentId === null ? { type: 'programme', id: 'programme' } : { type: 'department', id: target.departmentId };
    await audit(tx, { ...by, action: 'notification.test_queued', target: auditTarget, details: { channel: target.channel, kinds: ['test'], outboxId } }, at);
    return { outboxId, target: name };
  });
}
