/**
 * /admin/notifications and /admin/settings/notifications (issue 15) on the real built server
 * over HTTP, without JavaScript: who may reach them, the settings round trip with webhooks that
 * are https only and never shown again, resend and the test e-mail through the outbox, paging
 * on the due index, and the no-SMTP notice.
 */
import { createDecipheriv } from 'node:crypto';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, departmentChannels, departments, formResults, notificationOutbox, settings } from '../../db/schema/index.ts';
import { loadNotificationsAdmin, outboxListQuery, RESEND_ALL_LIMIT } from '../../src/features/notifications/admin.server.ts';
import { slackProblems } from '../../src/features/notifications/webhooks.ts';
import { rawDrizzle, rawSqlite } from '../../src/platform/db.server.ts';
import { afterPost, get, resultCookieOf, signIn } from '../helpers/http.ts';
import { onPostgres } from '../helpers/db.ts';
import { PASSWORD, post, startApp, submit, type App } from '../security/support.ts';
import { first } from '../../src/platform/query.ts';

let app: App;
const TEAMS = 'https://prod-01.japaneast.logic.azure.com/workflows/0a1b2c/triggers/manual/paths/invoke?sig=TEAMSSECRETSIG';
const SLACK = 'https://hooks.slack.com/services/T000/B000/SLACKSECRETPATH';
const DEPT_SLACK = 'https://hooks.slack.com/services/T111/B111/DEPTSECRETPATH';
// The scheduler (branch i15-outbox) must not send or re-mark the rows these tests put in the outbox.
const env = { NOTIFY_SCHEDULER: 'false' };

beforeAll(async () => {
  app = await startApp({
    users: {
      ada: { role: 'admin', department: 'IT', name: 'Ada Admin' },
      lea: { department: '営業部', name: '佐藤 花子' },
      cham: { role: 'champion', department: '営業部', name: 'Cham Pion' },
    },
    env,
    extraServers: { smtp: { env: { ...env, SMTP_URL: 'smtp://manabi:mail-password@127.0.0.1:2525' } } },
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

const q = () => rawDrizzle(app.db);
const PAGE = '/admin/notifications';
const SETTINGS = '/admin/settings/notifications';
const admin = (path: string, action: string, fields: Record<string, string> | [string, string][]) => submit(app.url, `${path}?_action=admin.${action}`, app.cookies.ada!, fields);
const auditCount = async () => (await q().select().from(auditLog)).length;
const storedSettings = async () => first(await q().select().from(settings).where(eq(settings.key, 'notifications')))?.value ?? null;

/** The answer post/redirect/get keeps for the page, opened with the key from the one-time cookie (AES-256-GCM, the row id as AAD). */
async function keptAnswer(posted: Response): Promise<string> {
  const [id, key] = resultCookieOf(posted)!.split('=')[1]!.split('.') as [string, string];
  const sealed = first(await q().select().from(formResults).where(eq(formResults.id, id)))!.sealed;
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key, 'base64url'), sealed.subarray(0, 12));
  decipher.setAAD(Buffer.from(id));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]).toString('utf8');
}

let seq = 0;
/** An outbox row as the sender (branch i15-outbox) leaves it. */
async function addRow(values: Partial<typeof notificationOutbox.$inferInsert> = {}): Promise<number> {
  seq += 1;
  const at = new Date(Date.UTC(2026, 10, 1) + seq * 60_000);
  return first(
    await q()
      .insert(notificationOutbox)
      .values({
        key: `test-row-${seq}`,
        channel: 'email',
        userId: app.ids.lea!,
        day: '2026-11-02',
        kinds: ['overdue', 'due-soon'],
        messageId: `<row${seq}@manabi.example>`,
        payload: { to: { name: '佐藤 花子', address: 'lea@example.com' }, subject: 's', text: 't', html: '<p>h</p>', headers: {} },
        state: 'sent',
        attempts: 1,
        nextAttemptAt: at,
        updatedAt: at,
        sentAt: at,
        ...values,
      })
      .returning({ id: notificationOutbox.id }),
  )!.id;
}

describe('who may reach it', () => {
  it('sends anonymous visitors to sign in and refuses learners and champions (pages 403, actions 403, nothing changed)', async () => {
    const failed = await addRow({ state: 'failed', attempts: 6, lastError: 'SMTP 550 mailbox unavailable', sentAt: null });
    for (const path of [PAGE, SETTINGS, `/en${PAGE}`, `/en${SETTINGS}`]) {
      expect((await get(app.url, path)).status, `anonymous ${path}`).toBe(302);
      expect((await get(app.url, path, app.cookies.lea)).status, `learner ${path}`).toBe(403);
      expect((await get(app.url, path, app.cookies.cham)).status, `champion ${path}`).toBe(403);
      expect((await get(app.url, path, app.cookies.ada)).status, `admin ${path}`).toBe(200);
    }
    const before = await auditCount();
    for (const who of ['lea', 'cham']) {
      const cookie = app.cookies[who]!;
      expect((await post(app.url, `${PAGE}?_action=admin.resendNotification`, cookie, { outboxId: String(failed) })).status, who).toBe(403);
      expect((await post(app.url, `${PAGE}?_action=admin.sendTestEmail`, cookie, {})).status, who).toBe(403);
      expect((await post(app.url, `${SETTINGS}?_action=admin.saveNotificationSettings`, cookie, { sendHour: '3', digestWeekday: '2', teamsSecret: TEAMS })).status, who).toBe(403);
      // Posted to a page they may see, and to the action's own endpoint: the action itself refuses.
      const calls: [string, Record<string, string>][] = [
        ['resendNotification', { outboxId: String(failed) }],
        ['resendAllFailed', {}],
        ['sendTestEmail', {}],
        ['sendTestPost', { channel: 'slack', departmentId: '' }],
        ['saveNotificationSettings', { sendHour: '3', digestWeekday: '2', teamsSecret: TEAMS }],
        ['saveDepartmentChannels', { departmentId: '1', 'teamsSecret.1': TEAMS }],
      ];
      for (const [action, fields] of calls) {
        expect((await post(app.url, `/home?_action=admin.${action}`, cookie, fields)).status, `${who} ${action} on /home`).toBe(403);
        expect((await post(app.url, `/_actions/admin.${action}`, cookie, fields)).status, `${who} ${action} RPC`).toBe(403);
      }
    }
    expect(await q().select().from(departmentChannels)).toEqual([]);
    expect(first(await q().select().from(notificationOutbox).where(eq(notificationOutbox.id, failed)))!.state).toBe('failed');
    expect(await storedSettings()).toBeNull();
    expect(await q().select().from(notificationOutbox).where(eq(notificationOutbox.userId, app.ids.cham!))).toEqual([]);
    // Only the denials were written.
    expect((await q().select().from(auditLog)).slice(before).every((row) => row.action === 'access.denied')).toBe(true);
  });
});

describe('the no-SMTP notice', () => {
  it('says nothing is e-mailed without SMTP_URL, and not when it is set', async () => {
    const without = await (await get(app.url, PAGE, app.cookies.ada)).text();
    expect(without).toContain('data-notice="no-smtp"');
    expect(without).toContain('SMTP_URLが設定されていないため、メールは一通も送信されません');
    expect(await (await get(app.url, `/en${PAGE}`, app.cookies.ada)).text()).toContain(
      'SMTP_URL is not set: nothing is e-mailed (Teams/Slack posts and calendar feeds still work)',
    );

    const smtp = app.extra.smtp!;
    const cookie = (await signIn(smtp.url, 'ada@example.com', PASSWORD)).cookie!;
    const withSmtp = await (await get(smtp.url, PAGE, cookie)).text();
    expect(withSmtp).not.toContain('data-notice="no-smtp"');
    expect(withSmtp).not.toContain('SMTP_URLが設定されていない');
    expect(withSmtp).toContain('設定されたSMTPサーバーから送信します');
    // The SMTP password is never on the page.
    expect(withSmtp).not.toContain('mail-password');
  });
});

describe('notification settings', () => {
  it('round-trips the hour, weekday, kinds and webhooks; the URLs never appear again, only their hosts', async () => {
    const before = await auditCount();
    const page = await admin(SETTINGS, 'saveNotificationSettings', [
      ['sendHour', '7'],
      ['digestWeekday', '3'],
      ['disabledKinds', 'check-in'],
      ['disabledKinds', 'overdue'],
      ['teamsSecret', TEAMS],
      ['slackSecret', SLACK],
    ]);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('保存しました。');
    expect(await storedSettings()).toEqual({ sendHour: 7, digestWeekday: 3, disabledKinds: ['overdue', 'check-in'], programmeTeamsUrl: TEAMS, programmeSlackUrl: SLACK });
    for (const shown of [html, await (await get(app.url, SETTINGS, app.cookies.ada)).text(), await (await get(app.url, PAGE, app.cookies.ada)).text()]) {
      expect(shown).not.toContain('TEAMSSECRETSIG');
      expect(shown).not.toContain('SLACKSECRETPATH');
      expect(shown).not.toContain('/workflows/');
      expect(shown).toContain('hooks.slack.com');
    }
    expect(await (await get(app.url, PAGE, app.cookies.ada)).text()).toContain('全員に対して止めているお知らせ：期限超過、月次の振り返り');
    const form = await (await get(app.url, SETTINGS, app.cookies.ada)).text();
    expect(form).toMatch(/<option value="7" selected[ >]/);
    expect(form).toMatch(/<option value="3" selected[ >]/);
    expect(form).toMatch(/id="k-check-in" name="disabledKinds" value="check-in" checked/);
    expect(form).not.toMatch(/id="k-policy"[^>]*checked/);
    const rows = (await q().select().from(auditLog)).slice(before);
    expect(rows.map((r) => r.action)).toEqual(['notification.settings_saved']);
    expect(rows[0]!.details).toMatchObject({ sendHour: 7, digestWeekday: 3, programmeSlack: { from: null, to: 'hooks.slack.com/…' } });
    expect(JSON.stringify(rows[0])).not.toMatch(/SECRET|services|workflows/);

    // A blank field keeps the webhook; "remove" clears it.
    await admin(SETTINGS, 'saveNotificationSettings', { sendHour: '9', digestWeekday: '1', teamsSecret: '', slackSecret: '', removeSlack: '1' });
    expect(await storedSettings()).toEqual({ sendHour: 9, digestWeekday: 1, disabledKinds: [], programmeTeamsUrl: TEAMS, programmeSlackUrl: null });
  });

  it('refuses an http:// webhook with a message naming the field, and changes nothing', async () => {
    const stored = await storedSettings();
    const before = await auditCount();
    // Posted under the names the form gives its fields, as a browser would.
    const form = await (await get(app.url, SETTINGS, app.cookies.ada)).text();
    const slackField = /id="p-slack" type="url" name="([^"]+)"/.exec(form)![1]!;
    const posted = await post(app.url, `${SETTINGS}?_action=admin.saveNotificationSettings`, app.cookies.ada, {
      sendHour: '5',
      digestWeekday: '4',
      [slackField]: 'http://hooks.slack.com/services/T/B/PLAINHTTPSECRET',
    });
    // The answer kept for the redirect (sealed with the key in the one-time cookie) holds the typed fields, never a webhook.
    const kept = await keptAnswer(posted);
    expect(kept).toContain('sendHour');
    expect(kept).not.toContain('PLAINHTTPSECRET');
    const page = await afterPost(app.url, posted, app.cookies.ada);
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain('プログラムチームのSlack Webhook URLは https:// で始まるURLにしてください。何も保存していません。');
    expect(html).not.toContain('PLAINHTTPSECRET');
    // The other fields are kept as typed; the refused URL is not.
    expect(html).toMatch(/<option value="5" selected[ >]/);
    expect(await storedSettings()).toEqual(stored);
    expect(await auditCount()).toBe(before);
    for (const bad of ['not a url', 'https://user:pw@hooks.slack.com/x', 'ftp://hooks.slack.com/x']) {
      expect((await admin(SETTINGS, 'saveNotificationSettings', { sendHour: '5', digestWeekday: '4', teamsSecret: bad })).status, bad).toBe(400);
    }
    expect((await admin(SETTINGS, 'saveNotificationSettings', { sendHour: '24', digestWeekday: '4' })).status).toBe(400);
    expect((await admin(SETTINGS, 'saveNotificationSettings', { sendHour: '5', digestWeekday: '6' })).status).toBe(400);
    expect(await storedSettings()).toEqual(stored);
  });

  it('saves department channels all or nothing, masked, audited per department', async () => {
    expect(await q().select().from(departmentChannels)).toEqual([]);
    const [first, second] = (await q().select({ id: departments.id, name: departments.name }).from(departments).orderBy(departments.id)) as [
      { id: number; name: string },
      { id: number; name: string },
    ];
    const before = await auditCount();
    const refused = await admin(SETTINGS, 'saveDepartmentChannels', [
      ['departmentId', String(first.id)],
      ['departmentId', String(second.id)],
      [`slackSecret.${first.id}`, DEPT_SLACK],
      [`teamsSecret.${second.id}`, 'http://example.com/hook'],
    ]);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(`${second.name}のTeams Webhook URLは https:// で始まるURLにしてください`);
    expect(await q().select().from(departmentChannels)).toEqual([]);
    expect(await auditCount()).toBe(before);

    const saved = await admin(SETTINGS, 'saveDepartmentChannels', [
      ['departmentId', String(first.id)],
      ['departmentId', String(second.id)],
      [`slackSecret.${first.id}`, DEPT_SLACK],
    ]);
    expect(saved.status).toBe(200);
    expect(await saved.text()).not.toContain('DEPTSECRETPATH');
    expect(await q().select({ id: departmentChannels.departmentId, slack: departmentChannels.slackUrl, teams: departmentChannels.teamsUrl }).from(departmentChannels)).toEqual([
      { id: first.id, slack: DEPT_SLACK, teams: null },
    ]);
    const rows = (await q().select().from(auditLog)).slice(before);
    expect(rows.map((r) => [r.action, r.targetType, r.targetId])).toEqual([['notification.channel_saved', 'department', String(first.id)]]);
    expect(JSON.stringify(rows)).not.toContain('DEPTSECRETPATH');
    const remove = await admin(SETTINGS, 'saveDepartmentChannels', [
      ['departmentId', String(first.id)],
      [`removeSlack.${first.id}`, '1'],
    ]);
    expect(remove.status).toBe(200);
    expect(await q().select().from(departmentChannels)).toEqual([]);
  });
});

describe('resend and the test e-mail', () => {
  it('moves a failed row back to queued with attempts 0 and the same Message-ID, audited; refuses a queued one', async () => {
    const id = await addRow({ state: 'failed', attempts: 6, lastError: 'SMTP 421 try again later', sentAt: null, messageId: '<resend-me@manabi.example>' });
    const listed = await (await get(app.url, PAGE, app.cookies.ada)).text();
    expect(listed).toContain('SMTP 421 try again later');
    expect(listed).toContain('期限超過、期限が近い研修');
    const before = await auditCount();
    const page = await admin(PAGE, 'resendNotification', { outboxId: String(id) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('送信待ちに戻しました');
    const row = first(await q().select().from(notificationOutbox).where(eq(notificationOutbox.id, id)))!;
    expect(row).toMatchObject({ state: 'queued', attempts: 0, lastError: null, messageId: '<resend-me@manabi.example>' });
    expect(Math.abs(row.nextAttemptAt.getTime() - Date.now())).toBeLessThan(60_000);
    const entry = (await q().select().from(auditLog)).slice(before);
    expect(entry.map((e) => [e.action, e.targetType, e.targetId])).toEqual([['notification.resent', 'user', String(app.ids.lea)]]);
    expect(entry[0]!.details).toEqual({ channel: 'email', kinds: ['overdue', 'due-soon'], messageId: '<resend-me@manabi.example>', outboxId: id, from: 'failed' });

    const again = await admin(PAGE, 'resendNotification', { outboxId: String(id) });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('送信待ちや送信中のものは再送できません');
    expect((await admin(PAGE, 'resendNotification', { outboxId: '999999' })).status).toBe(404);
  });

  it('resends all failed ones, at most a bounded number', async () => {
    const ids = [
      await addRow({ state: 'failed', sentAt: null }),
      await addRow({ state: 'failed', sentAt: null, channel: 'slack', userId: null, messageId: null, payload: { body: {} } }),
    ];
    const failedBefore = (await q().select().from(notificationOutbox).where(eq(notificationOutbox.state, 'failed'))).length;
    const page = await admin(PAGE, 'resendAllFailed', {});
    expect(page.status).toBe(200);
    for (const id of ids) expect(first(await q().select().from(notificationOutbox).where(eq(notificationOutbox.id, id)))!.state).toBe('queued');
    expect(await q().select().from(notificationOutbox).where(eq(notificationOutbox.state, 'failed'))).toEqual([]);
    expect(await page.text()).toContain(`${failedBefore}件を送信待ちに戻しました。`);

    // More than one write takes: the newest RESEND_ALL_LIMIT go, the page says how many are left.
    const oldest = await addRow({ state: 'failed', sentAt: null });
    const many: number[] = [];
    for (let i = 0; i < RESEND_ALL_LIMIT; i += 1) many.push(await addRow({ state: 'failed', sentAt: null }));
    const bounded = await (await admin(PAGE, 'resendAllFailed', {})).text();
    expect(bounded).toContain(`${RESEND_ALL_LIMIT}件を送信待ちに戻しました。`);
    expect(bounded).toContain('失敗したものがまだ1件あります。');
    expect(await q().select({ id: notificationOutbox.id }).from(notificationOutbox).where(eq(notificationOutbox.state, 'failed'))).toEqual([{ id: oldest }]);
    // The rows made for the bound would crowd the lists below.
    await q()
      .delete(notificationOutbox)
      .where(inArray(notificationOutbox.id, [oldest, ...many]));
  });

  it('queues one test e-mail to the admin, in the language of the page, through the outbox', async () => {
    const before = (await q().select().from(notificationOutbox)).length;
    const page = await admin(`/en${PAGE}`, 'sendTestEmail', {});
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('A test e-mail to ada@example.com is queued.');
    const rows = await q().select().from(notificationOutbox).where(eq(notificationOutbox.userId, app.ids.ada!));
    expect(rows).toHaveLength(1);
    expect(await q().select().from(notificationOutbox)).toHaveLength(before + 1);
    const [row] = rows as [typeof notificationOutbox.$inferSelect];
    expect(row).toMatchObject({ channel: 'email', state: 'queued', attempts: 0, kinds: ['test'], departmentId: null });
    expect(row.messageId).toMatch(/^<[0-9a-f]{40}@127\.0\.0\.1>$|^<[0-9a-f]{40}@localhost>$/);
    const payload = row.payload as { to: { address: string; name: string }; subject: string; text: string; html: string; headers: Record<string, string> };
    expect(payload.to).toEqual({ name: 'Ada Admin', address: 'ada@example.com' });
    expect(payload.subject).toBe('Manabi: test e-mail');
    expect(payload.text).toContain('Hello Ada Admin,');
    expect(payload.html).toContain('<html lang="en">');
    expect(payload.html).toContain('max-width:600px');
    expect(payload.headers).toEqual({ 'Message-ID': row.messageId, 'Auto-Submitted': 'auto-generated' });
    const entry = await q().select().from(auditLog).where(eq(auditLog.action, 'notification.test_queued'));
    expect(entry).toHaveLength(1);
    expect(entry[0]!.details).toEqual({ channel: 'email', kinds: ['test'], messageId: row.messageId, outboxId: row.id });
    expect(JSON.stringify(entry)).not.toContain('Hello');
  });
});

describe('test posts to the channels', () => {
  it('queues a slack or teams row for a configured webhook only, with the body to POST and never the URL', async () => {
    await admin(SETTINGS, 'saveNotificationSettings', { sendHour: '9', digestWeekday: '1', slackSecret: SLACK, removeTeams: '1' });
    const [sales] = (await q().select({ id: departments.id, name: departments.name }).from(departments).where(eq(departments.name, '営業部'))) as [{ id: number; name: string }];
    await admin(SETTINGS, 'saveDepartmentChannels', [
      ['departmentId', String(sales.id)],
      [`teamsSecret.${sales.id}`, TEAMS],
    ]);
    const page = await (await get(app.url, PAGE, app.cookies.ada)).text();
    expect(page).toContain('aria-label="Slack（プログラムチームのチャンネル）にテスト投稿する"');
    expect(page).toContain('aria-label="Teams（営業部）にテスト投稿する"');
    expect(page).not.toContain('aria-label="Slack（営業部）にテスト投稿する"');

    const before = (await q().select().from(notificationOutbox)).length;
    const slack = await admin(PAGE, 'sendTestPost', { channel: 'slack', departmentId: '' });
    expect(slack.status).toBe(200);
    expect(await slack.text()).toContain('プログラムチームのチャンネルのSlackへのテスト投稿を送信待ちに入れました。');
    const teams = await admin(PAGE, 'sendTestPost', { channel: 'teams', departmentId: String(sales.id) });
    expect(teams.status).toBe(200);
    const rows = (await q().select().from(notificationOutbox)).slice(before);
    expect(rows.map((r) => [r.channel, r.userId, r.departmentId, r.state, r.kinds, r.messageId])).toEqual([
      ['slack', null, null, 'queued', ['test'], null],
      ['teams', null, sales.id, 'queued', ['test'], null],
    ]);
    const slackBody = (rows[0]!.payload as { body: unknown }).body;
    expect(slackProblems(slackBody)).toEqual([]);
    const teamsBody = (rows[1]!.payload as { body: { type: string; attachments: { contentType: string; content: { type: string; version: string; body: { text: string }[] } }[] } })
      .body;
    expect(teamsBody.type).toBe('message');
    expect(teamsBody.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teamsBody.attachments[0]!.content).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(teamsBody.attachments[0]!.content.body[1]!.text).toContain('営業部');
    expect(JSON.stringify(rows)).not.toMatch(/SECRET|hooks\.slack\.com|logic\.azure/);

    // No webhook set: refused, nothing queued.
    const count = (await q().select().from(notificationOutbox)).length;
    const refused = await admin(PAGE, 'sendTestPost', { channel: 'slack', departmentId: String(sales.id) });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('その投稿先はWebhook URLが設定されていません。');
    expect((await admin(PAGE, 'sendTestPost', { channel: 'teams', departmentId: '' })).status).toBe(400);
    expect(await q().select().from(notificationOutbox)).toHaveLength(count);
  });
});

describe('the lists', () => {
  it('pages the sent list newest first, 20 at a time, on the due index without a sort', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 45; i += 1) ids.push(await addRow({ state: 'sent' }));
    const newest = [...ids].reverse();
    const seen: number[] = [];
    let path: string | null = PAGE;
    for (let i = 0; i < 10 && path; i += 1) {
      const html = await (await get(app.url, path, app.cookies.ada)).text();
      const section = html.slice(html.indexOf('id="list-sent"'));
      seen.push(...[...section.matchAll(/name="outboxId" value="(\d+)"/g)].map((m) => Number(m[1])));
      const next = /<a href="([^"]+)"[^>]*>さらに古いもの/.exec(section);
      path = next ? next[1]!.replaceAll('&amp;', '&') : null;
    }
    const sentIds = (
      await q()
        .select({ id: notificationOutbox.id })
        .from(notificationOutbox)
        .where(eq(notificationOutbox.state, 'sent'))
        .orderBy(desc(notificationOutbox.nextAttemptAt), desc(notificationOutbox.id))
    ).map((r) => r.id);
    expect(seen.slice(0, 45)).toEqual(newest);
    expect(seen).toEqual(sentIds);

    // SQLite's plan (PostgreSQL chooses by its statistics: a table this small is read whole).
    if (onPostgres) return;
    const query = outboxListQuery(q(), 'sent', { at: Date.UTC(2026, 10, 2), id: 10 }).toSQL();
    const plan = rawSqlite(app.db)
      .prepare(`explain query plan ${query.sql}`)
      .all(...query.params)
      .map((r) => (r as { detail: string }).detail)
      .join('\n');
    expect(plan).toContain('notification_outbox_due_idx');
    expect(plan).not.toMatch(/TEMP B-TREE|SCAN notification_outbox\b(?! USING)/);
  });

  it('counts per state and channel as the table holds them (e-mails as each state less its channel posts)', async () => {
    const page = await loadNotificationsAdmin(app.db, {}, { smtpUrl: null, timeZone: 'Asia/Tokyo' });
    const zero = () => ({ queued: 0, sending: 0, sent: 0, failed: 0 });
    const expected = { email: zero(), teams: zero(), slack: zero() };
    for (const row of await q().select({ channel: notificationOutbox.channel, state: notificationOutbox.state }).from(notificationOutbox)) expected[row.channel][row.state] += 1;
    expect(page.channels).toEqual(expected);
    expect(expected.slack.queued + expected.teams.queued).toBeGreaterThan(0);
    expect(page.states.sent).toBe(expected.email.sent + expected.teams.sent + expected.slack.sent);
  });

  it('says what will happen when a list is empty', async () => {
    const queued = await q().select().from(notificationOutbox).where(eq(notificationOutbox.state, 'queued'));
    for (const row of queued)
      await q()
        .update(notificationOutbox)
        .set({ state: 'sent' })
        .where(and(eq(notificationOutbox.id, row.id)));
    const html = await (await get(app.url, PAGE, app.cookies.ada)).text();
    expect(html).toContain('失敗したものはありません。');
    expect(html).toMatch(/送信待ちはありません。次の送信（[^）]+）で、その日のお知らせがここに入り/);
  });
});
