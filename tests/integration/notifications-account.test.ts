/**
 * Issue 15, the learner's side, on the real built server over plain HTTP (no JavaScript): the
 * optional kinds on /account, the private calendar feed (shown once, revoked, re-created), the
 * "add to calendar" download, and the unsubscribe link (GET never acts; RFC 8058 one-click POST
 * without cookies or Origin).
 */
import { and, eq } from 'drizzle-orm';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignments, auditLog, notificationOptOuts, notificationTokens, users } from '../../db/schema/index.ts';
import { issueToken } from '../../src/features/notifications/tokens.server.ts';
import { syncEnrolments } from '../../src/features/programme/assignments.server.ts';
import { ensureDepartment } from '../../src/features/users/users.server.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { tempDir } from '../helpers/db.ts';
import { get } from '../helpers/http.ts';
import { pinnedClockFile } from '../helpers/server.ts';
import { type App, rawRequest, snapshot, startApp, submit } from '../security/support.ts';
import { first as firstRow } from '../../src/platform/query.ts';

let app: App;
const tokens: Record<string, string> = {};
const assignmentIds: Record<string, number> = {};

/**
 * The server's "now", fixed before the fixture's dates (an assignment due 2027-01-15, shown in the calendar feed), so the test does not change
 * meaning once the real calendar passes them.
 */
const NOW = '2026-11-25T03:00:00Z';

beforeAll(async () => {
  app = await startApp({
    env: { MANABI_CLOCK_FILE: pinnedClockFile(tempDir(), NOW) },
    users: {
      lea: { department: 'Sales', name: 'Lea Learner' },
      leo: { department: 'HR', name: 'Leo Learner' },
      cham: { department: 'Sales', role: 'champion', name: 'Cham Pion' },
      ada: { department: 'IT', role: 'admin', name: 'Ada Admin' },
      eve: { department: 'Sales', name: 'Eve English' },
    },
    prepare: async (db, ids) => {
      const d = rawDrizzle(db);
      const sales = await ensureDepartment(d, 'Sales');
      const hr = await ensureDepartment(d, 'HR');
      assignmentIds.sales = firstRow(
        await d.insert(assignments).values({ tierId: 'basic', targetKind: 'department', targetDepartmentId: sales, dueDate: '2027-01-15' }).returning(),
      )!.id;
      assignmentIds.hr = firstRow(
        await d.insert(assignments).values({ tierId: 'applied', targetKind: 'department', targetDepartmentId: hr, dueDate: '2027-02-20' }).returning(),
      )!.id;
      await d.update(users).set({ locale: 'en' }).where(eq(users.id, ids.eve!));
      await db.write(async (tx) => {
        await syncEnrolments(tx);
        for (const who of ['lea', 'cham', 'eve', 'leo']) tokens[who] = await issueToken(tx, 'unsubscribe', ids[who]!);
      });
    },
  });
});

afterAll(async () => {
  await app?.stop();
});

const optOuts = async (who: string): Promise<string[]> =>
  (await rawDrizzle(app.db).select({ kind: notificationOptOuts.kind }).from(notificationOptOuts).where(eq(notificationOptOuts.userId, app.ids[who]!))).map((r) => r.kind).sort();
const audits = async (action: string, who: string) =>
  await rawDrizzle(app.db)
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.targetId, String(app.ids[who]!))));
/** The HTML without Astro's scoping attributes, to match markup as written. */
const bare = (html: string): string => html.replace(/ data-astro-cid-\w+(="[^"]*")?/g, '');
const account = async (who: string, path = '/account'): Promise<string> => {
  const response = await get(app.url, path, app.cookies[who]);
  expect(response.status).toBe(200);
  return bare(await response.text());
};
const checkbox = (html: string, kind: string): string | null => new RegExp(`<input type="checkbox" name="${kind}"[^>]*>`).exec(html)?.[0] ?? null;
const feedUrlIn = (html: string): string | null => /id="calendar-url"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*id="calendar-url"/.exec(html)?.slice(1).find(Boolean) ?? null;

function parse(text: string): { calendar: ICAL.Component; events: ICAL.Event[] } {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return { calendar, events: calendar.getAllSubcomponents('vevent').map((vevent) => new ICAL.Event(vevent)) };
}

describe('/account: the optional kinds', () => {
  it('offers each role its own optional kinds as checkboxes and names the mandatory ones', async () => {
    const lea = await account('lea');
    expect(lea).toContain('<h2 id="notifications-heading">通知</h2>');
    expect(checkbox(lea, 'check-in')).toContain('checked');
    expect(checkbox(lea, 'champion-weekly')).toBeNull();
    expect(checkbox(lea, 'admin-monthly')).toBeNull();
    expect(lea).toContain('管理者が決めるお知らせ');
    expect(lea).toContain('期限を過ぎた研修');
    expect(checkbox(lea, 'overdue')).toBeNull();
    expect(checkbox(await account('cham'), 'champion-weekly')).toContain('checked');
    const ada = await account('ada', '/en/account');
    expect(checkbox(ada, 'admin-monthly')).toContain('checked');
    expect(ada).toContain('Decided by your administrator');
  });

  it('switches a kind off and on again, audited, and shows the choice saved', async () => {
    // Nothing ticked: the form sends no `on` at all.
    const off = await submit(app.url, '/account?_action=notificationAccount.save', app.cookies.lea, {});
    expect(off.status).toBe(200);
    const offHtml = await off.text();
    expect(offHtml).toContain('通知の設定を保存しました。');
    expect(checkbox(offHtml, 'check-in')).not.toContain('checked');
    expect(await optOuts('lea')).toEqual(['check-in']);
    expect((await audits('notification.preferences_saved', 'lea')).at(-1)!.details).toEqual({ off: ['check-in'], on: [] });

    const on = await submit(app.url, '/account?_action=notificationAccount.save', app.cookies.lea, { 'check-in': 'on' });
    expect(checkbox(await on.text(), 'check-in')).toContain('checked');
    expect(await optOuts('lea')).toEqual([]);
    expect((await audits('notification.preferences_saved', 'lea')).at(-1)!.details).toEqual({ off: [], on: ['check-in'] });
    // Saving the same again changes nothing and audits nothing.
    const count = (await audits('notification.preferences_saved', 'lea')).length;
    await submit(app.url, '/account?_action=notificationAccount.save', app.cookies.lea, { 'check-in': 'on' });
    expect(await audits('notification.preferences_saved', 'lea')).toHaveLength(count);
  });

  it('refuses a mandatory or unknown kind with a message, changing nothing', async () => {
    const before = await snapshot(app.db, { sessions: ['last_active_at'] });
    for (const fields of [{ overdue: 'on' }, { policy: 'on' }, { bogus: 'on' }, { 'check-in': 'yes' }, { on: 'check-in' }] as Record<string, string>[]) {
      const kind = JSON.stringify(fields);
      const response = await submit(app.url, '/account?_action=notificationAccount.save', app.cookies.lea, fields);
      expect(response.status, kind).toBe(400);
      expect(await response.text(), kind).toContain('保存できませんでした。');
    }
    expect(await snapshot(app.db, { sessions: ['last_active_at'] })).toEqual(before);
  });
});

describe('the private calendar feed', () => {
  let first: string;

  it('is created on /account, its address shown once, and serves only this user’s deadlines without a session', async () => {
    expect(await account('lea')).toContain('非公開URLはまだありません。');
    const created = await submit(app.url, '/account?_action=notificationAccount.createFeed', app.cookies.lea, {});
    expect(created.headers.get('referrer-policy')).toBe('no-referrer');
    first = feedUrlIn(await created.text())!;
    expect(first).toMatch(/^http:\/\/localhost:4321\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    // Only the hash is stored, and a second look at the page does not show the address again.
    const token = /\/calendar\/([^/]+)\.ics$/.exec(first)![1]!;
    expect(JSON.stringify(await rawDrizzle(app.db).select().from(notificationTokens))).not.toContain(token);
    const again = await account('lea');
    expect(again).not.toContain(token);
    expect(again).toContain('作成日：');
    expect(again).toContain('まだカレンダーに読み込まれていません。');

    const feed = await get(app.url, new URL(first).pathname);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(feed.headers.get('cache-control')).toBe('private, no-store');
    expect(feed.headers.get('x-robots-tag')).toBe('noindex');
    const { calendar, events } = parse(await feed.text());
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Manabiの期限');
    expect(events.map((e) => [e.summary, e.startDate.toString()])).toEqual([['期限：基礎', '2027-01-15']]);
    expect(events[0]!.uid).toContain(`-${app.ids.lea}-`);
    // Leo's deadline (another department's assignment) is not in Lea's feed.
    expect(events.some((e) => e.startDate.toString() === '2027-02-20')).toBe(false);

    // Marked used; /account says so.
    const used = firstRow(
      await rawDrizzle(app.db)
        .select()
        .from(notificationTokens)
        .where(and(eq(notificationTokens.userId, app.ids.lea!), eq(notificationTokens.purpose, 'calendar'))),
    )!;
    expect(used.usedAt).not.toBeNull();
    expect(await account('lea')).toContain('カレンダーが最後に読み込んだ日：');
    expect(await audits('notification.calendar_created', 'lea')).toHaveLength(1);
  });

  it('answers a cookie of another user with the token’s owner’s feed (no session is read)', async () => {
    const feed = await get(app.url, new URL(first).pathname, app.cookies.leo);
    expect(feed.status).toBe(200);
    expect(parse(await feed.text()).events[0]!.uid).toContain(`-${app.ids.lea}-`);
  });

  it('re-created: a new address works, the old one is 404 at once; revoked: 404', async () => {
    const created = await submit(app.url, '/account?_action=notificationAccount.createFeed', app.cookies.lea, {});
    const html = await created.text();
    expect(html).toContain('以前のURLは使えなくなりました。');
    const second = feedUrlIn(html)!;
    expect(second).not.toBe(first);
    expect((await get(app.url, new URL(first).pathname)).status).toBe(404);
    expect((await get(app.url, new URL(second).pathname)).status).toBe(200);

    const revoked = await submit(app.url, '/account?_action=notificationAccount.revokeFeed', app.cookies.lea, {});
    expect(await revoked.text()).toContain('URLを無効にしました。');
    expect((await get(app.url, new URL(second).pathname)).status).toBe(404);
    expect(await audits('notification.calendar_revoked', 'lea')).toHaveLength(1);
  });

  it('answers unknown, malformed and another purpose’s tokens with the same 404', async () => {
    const answers = [];
    for (const path of ['/calendar/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics', '/calendar/short.ics', '/calendar/%00.ics', `/calendar/${tokens.lea}.ics`]) {
      const response = await get(app.url, path);
      answers.push([response.status, await response.text()]);
    }
    expect(answers).toEqual(Array(4).fill([404, 'Not found.']));
  });

  it('stops answering when the user is deactivated or erased', async () => {
    const created = await submit(app.url, '/account?_action=notificationAccount.createFeed', app.cookies.leo, {});
    const path = new URL(feedUrlIn(await created.text())!).pathname;
    expect((await get(app.url, path)).status).toBe(200);
    for (const change of [{ active: false }, { erasedAt: new Date('2026-11-30T00:00:00Z') }]) {
      await rawDrizzle(app.db).update(users).set(change).where(eq(users.id, app.ids.leo!));
      try {
        expect((await get(app.url, path)).status, JSON.stringify(change)).toBe(404);
      } finally {
        await rawDrizzle(app.db).update(users).set({ active: true, erasedAt: null }).where(eq(users.id, app.ids.leo!));
      }
    }
    expect((await get(app.url, path)).status).toBe(200);
  });
});

describe('"add to calendar" per assignment', () => {
  it('links each open assignment with a due date on the home page', async () => {
    const home = await account('lea', '/home');
    expect(home).toMatch(/<a href="\/calendar\/assignment\/\d+\.ics" download aria-label="カレンダーに追加（.ics）：「基礎」の期限">/);
  });

  it('downloads the learner’s own assignment only; another’s, an unknown one and a signed-out visitor get none', async () => {
    const own = await get(app.url, `/calendar/assignment/${assignmentIds.sales}.ics`, app.cookies.lea);
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(own.headers.get('content-disposition')).toBe(`attachment; filename="manabi-due-${assignmentIds.sales}.ics"`);
    const { events } = parse(await own.text());
    expect(events.map((e) => [e.summary, e.startDate.toString()])).toEqual([['期限：基礎', '2027-01-15']]);

    expect((await get(app.url, `/calendar/assignment/${assignmentIds.hr}.ics`, app.cookies.lea)).status).toBe(404);
    expect((await get(app.url, `/calendar/assignment/${assignmentIds.hr}.ics`, app.cookies.leo)).status).toBe(200);
    expect((await get(app.url, '/calendar/assignment/999999.ics', app.cookies.lea)).status).toBe(404);
    expect((await get(app.url, '/calendar/assignment/abc.ics', app.cookies.lea)).status).toBe(404);
    const anonymous = await get(app.url, `/calendar/assignment/${assignmentIds.sales}.ics`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toMatch(/^\/login\?next=/);
  });
});

describe('the unsubscribe link', () => {
  const oneClick = async (path: string, body = 'List-Unsubscribe=One-Click') => {
    const response = await rawRequest(app.url, path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    return { ...response, body: bare(response.body) };
  };

  it('GET shows what it would switch off and one button, and changes nothing (link scanners follow GETs)', async () => {
    const before = await snapshot(app.db, { sessions: ['last_active_at'] });
    const response = await get(app.url, `/unsubscribe/${tokens.cham}?kinds=champion-weekly,check-in`);
    expect(response.status).toBe(200);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const html = bare(await response.text());
    expect(html).toContain('次のお知らせのメールを停止しますか？');
    expect(html).toContain('<li>担当部門の週間まとめ</li>');
    expect(html).toContain('<li>月ごとの振り返りの開始</li>');
    expect(html).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(html).toContain(`<form method="POST" action="/unsubscribe/${tokens.cham}?kinds=champion-weekly,check-in">`);
    await get(app.url, `/unsubscribe/${tokens.cham}?kinds=champion-weekly`, app.cookies.cham);
    expect(await snapshot(app.db, { sessions: ['last_active_at'] })).toEqual(before);
  });

  it('the one-click POST (no cookies, no Origin) switches the optional kinds off, once, audited, and marks the token used', async () => {
    const response = await oneClick(`/unsubscribe/${tokens.cham}?kinds=champion-weekly,policy,overdue,bogus`);
    expect(response.status).toBe(200);
    expect(response.body).toContain('次のお知らせのメールを停止しました。');
    expect(response.body).toContain('<li>担当部門の週間まとめ</li>');
    expect(response.body).toContain('href="/account"');
    expect(response.body).not.toContain('期限を過ぎた研修');
    // Mandatory kinds named in the link are ignored.
    expect(await optOuts('cham')).toEqual(['champion-weekly']);
    const rows = await audits('notification.unsubscribed', 'cham');
    expect(rows.map((r) => r.details)).toEqual([{ kinds: ['champion-weekly'] }]);
    expect(rows[0]!.actorUserId).toBe(app.ids.cham);
    const token = firstRow(
      await rawDrizzle(app.db)
        .select()
        .from(notificationTokens)
        .where(and(eq(notificationTokens.userId, app.ids.cham!), eq(notificationTokens.purpose, 'unsubscribe'))),
    )!;
    expect(token.usedAt).not.toBeNull();

    // Again: the same answer, nothing new.
    const again = await oneClick(`/unsubscribe/${tokens.cham}?kinds=champion-weekly`);
    expect(again.status).toBe(200);
    expect(await optOuts('cham')).toEqual(['champion-weekly']);
    expect(await audits('notification.unsubscribed', 'cham')).toHaveLength(1);
    // /account shows it off; the user can switch it back on there.
    expect(checkbox(await account('cham'), 'champion-weekly')).not.toContain('checked');
  });

  it('answers the English address an English reader’s e-mail carries, GET in English and one-click alike', async () => {
    const page = await get(app.url, `/en/unsubscribe/${tokens.leo}?kinds=check-in`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<html lang="en"');
    expect(html).toContain(`action="/en/unsubscribe/${tokens.leo}?kinds=check-in"`);
    const response = await oneClick(`/en/unsubscribe/${tokens.leo}?kinds=check-in`);
    expect(response.status).toBe(200);
    expect(await optOuts('leo')).toEqual(['check-in']);
    await rawDrizzle(app.db).delete(notificationOptOuts).where(eq(notificationOptOuts.userId, app.ids.leo!));
  });

  it('takes the one-click body as multipart/form-data too (RFC 8058 allows either)', async () => {
    const boundary = 'oneclickboundary42';
    const body = `--${boundary}\r\ncontent-disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const response = await rawRequest(app.url, `/unsubscribe/${tokens.leo}?kinds=check-in%2Cpolicy`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(response.status).toBe(200);
    expect(await optOuts('leo')).toEqual(['check-in']);
    await rawDrizzle(app.db).delete(notificationOptOuts).where(eq(notificationOptOuts.userId, app.ids.leo!));
  });

  it('the confirm page’s button does the same, and the page then says it is off', async () => {
    const page = await get(app.url, `/unsubscribe/${tokens.lea}?kinds=check-in`);
    expect(await page.text()).toContain('配信を停止する');
    const response = await oneClick(`/unsubscribe/${tokens.lea}?kinds=check-in`);
    expect(response.status).toBe(200);
    expect(await optOuts('lea')).toEqual(['check-in']);
    const after = bare(await (await get(app.url, `/unsubscribe/${tokens.lea}?kinds=check-in`)).text());
    expect(after).toContain('次のお知らせのメールを停止しました。');
    expect(after).not.toContain('配信を停止する</button>');
  });

  it('refuses a link that names no optional kind, and a POST without the one-click body, changing nothing', async () => {
    const before = await snapshot(app.db, { sessions: ['last_active_at'] });
    const mandatory = await oneClick(`/unsubscribe/${tokens.leo}?kinds=overdue,policy,due-soon`);
    expect(mandatory.status).toBe(400);
    expect(mandatory.body).toContain('このリンクで停止できるお知らせはありません。');
    expect((await oneClick(`/unsubscribe/${tokens.leo}`)).status).toBe(400);
    expect((await oneClick(`/unsubscribe/${tokens.leo}?kinds=check-in`, 'List-Unsubscribe=Yes')).status).toBe(400);
    expect((await oneClick(`/unsubscribe/${tokens.leo}?kinds=check-in`, '')).status).toBe(400);
    expect(await snapshot(app.db, { sessions: ['last_active_at'] })).toEqual(before);
  });

  it('answers an unknown or malformed token, or another purpose’s, with a 404 page, GET and POST alike', async () => {
    const calendar = await submit(app.url, '/account?_action=notificationAccount.createFeed', app.cookies.ada, {});
    const feedToken = /\/calendar\/([^/]+)\.ics/.exec(feedUrlIn(await calendar.text())!)![1]!;
    for (const token of ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'short', feedToken]) {
      const page = await get(app.url, `/unsubscribe/${token}?kinds=check-in`);
      expect(page.status, token).toBe(404);
      expect(await page.text()).toContain('このリンクは使えません');
      expect((await oneClick(`/unsubscribe/${token}?kinds=check-in`)).status, token).toBe(404);
    }
    expect(await optOuts('ada')).toEqual([]);
  });

  it('is in the token’s user’s language at the address e-mails carry', async () => {
    const page = await (await get(app.url, `/unsubscribe/${tokens.eve}?kinds=check-in`)).text();
    expect(page).toContain('<html lang="en"');
    expect(page).toContain('Stop these e-mails?');
    const done = await oneClick(`/unsubscribe/${tokens.eve}?kinds=check-in`);
    expect(done.body).toContain('These e-mails are switched off:');
    expect(done.body).toContain('href="/en/account"');
  });
});
