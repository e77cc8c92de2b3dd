/**
 * Issue 15: the Origin check's one exemption. A mail client's RFC 8058 one-click unsubscribe
 * POSTs to `/unsubscribe/<token>` with neither cookies nor an Origin, so that route's plain POST
 * passes without one. The exemption is that narrow: the same route with a form action, every
 * other route, and other methods are still refused; the route runs without a session, so a
 * cross-site POST there cannot act as the signed-in visitor; and a calendar feed is never a
 * reason to read a session either.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkins, notificationOptOuts, users } from '../../db/schema/index.ts';
import { issueToken } from '../../src/features/notifications/tokens.server.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { type App, rawRequest, snapshot, startApp } from './support.ts';
import { first } from '../../src/platform/query.ts';

let app: App;
let token = '';

beforeAll(async () => {
  app = await startApp({
    users: { learner: {}, other: {} },
    prepare: async (db, ids) => {
      token = await db.write(async (tx) => await issueToken(tx, 'unsubscribe', ids.learner!));
    },
  });
});

afterAll(async () => {
  await app?.stop();
});

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const state = () => snapshot(app.db, { sessions: ['last_active_at'] });
const optOuts = async (who: string) =>
  (await rawDrizzle(app.db).select({ kind: notificationOptOuts.kind }).from(notificationOptOuts).where(eq(notificationOptOuts.userId, app.ids[who]!))).map((r) => r.kind);

describe('the Origin check exempts the one-click unsubscribe only', () => {
  it('lets the one-click POST through without cookies or Origin, and from a foreign Origin', async () => {
    const none = await rawRequest(app.url, `/unsubscribe/${token}?kinds=check-in`, { method: 'POST', headers: form, body: 'List-Unsubscribe=One-Click' });
    expect(none.status).toBe(200);
    expect(await optOuts('learner')).toEqual(['check-in']);
    const foreign = await rawRequest(app.url, `/en/unsubscribe/${token}?kinds=check-in`, {
      method: 'POST',
      headers: { ...form, origin: 'https://mail.example' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(foreign.status).toBe(200);
  });

  it('still refuses a form action posted to the unsubscribe route without an Origin', async () => {
    const before = await state();
    for (const action of ['checkin.save', 'profile.setLocale', 'notificationAccount.save', 'auth.logout']) {
      for (const origin of [null, 'https://evil.example']) {
        const response = await rawRequest(app.url, `/unsubscribe/${token}?kinds=check-in&_action=${action}`, {
          method: 'POST',
          headers: { ...form, cookie: app.cookies.learner!, ...(origin ? { origin } : {}) },
          body: 'hoursSaved=3&locale=en&List-Unsubscribe=One-Click',
        });
        expect(response.status, `${action} from ${origin}`).toBe(403);
      }
    }
    expect(await rawDrizzle(app.db).select().from(checkins)).toEqual([]);
    expect(first(await rawDrizzle(app.db).select({ locale: users.locale }).from(users).where(eq(users.id, app.ids.learner!)))!.locale).toBe('ja');
    expect(await state()).toEqual(before);
  });

  it('still refuses other methods on the unsubscribe route, and a POST without an Origin everywhere else', async () => {
    const before = await state();
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const response = await rawRequest(app.url, `/unsubscribe/${token}?kinds=check-in`, { method, headers: form, body: 'List-Unsubscribe=One-Click' });
      expect(response.status, method).toBe(403);
    }
    for (const path of [
      `/calendar/${token}.ics`,
      '/calendar/assignment/1.ics',
      '/account?_action=notificationAccount.save',
      '/_actions/notificationAccount.save',
      '/_actions/notificationAccount.createFeed',
      '/home',
    ]) {
      const response = await rawRequest(app.url, path, { method: 'POST', headers: { ...form, cookie: app.cookies.learner! }, body: 'List-Unsubscribe=One-Click' });
      expect(response.status, path).toBe(403);
    }
    // Addresses near the route's are not the route (no page answers them).
    for (const path of [`/unsubscribe/${token}/x?kinds=check-in`, `/unsubscribe-${token}?kinds=check-in`]) {
      const response = await rawRequest(app.url, path, { method: 'POST', headers: form, body: 'List-Unsubscribe=One-Click' });
      expect([403, 404], path).toContain(response.status);
    }
    expect(await state()).toEqual(before);
  });

  it('reads no session on the unsubscribe route or the calendar feed: a signed-in visitor is not signed in there', async () => {
    for (const path of [`/unsubscribe/${token}?kinds=check-in`, `/unsubscribe/unknown?kinds=check-in`]) {
      const page = await rawRequest(app.url, path, { headers: { cookie: app.cookies.other! } });
      expect(page.body, path).not.toContain('other@example.com');
      expect(page.body, path).not.toContain('/logout?_action=auth.logout');
      expect(page.body, path).toContain('href="/login"');
    }
  });
});
