/**
 * Checklist 5: every non-GET request with a foreign or missing Origin is refused with 403,
 * whatever its content type (JSON included: Astro's own checkOrigin covers only form content
 * types), on action endpoints (/_actions/…), form actions (?_action=…), pages and endpoints.
 * Refused requests change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, snapshot, startApp, type App } from './support.ts';

let app: App;
let foreignOrigins: string[];

beforeAll(async () => {
  app = await startApp({ users: { learner: {}, admin: { role: 'admin', department: 'IT' } } });
  const { port } = new URL(app.url);
  foreignOrigins = [
    'https://evil.example',
    'null',
    `http://127.0.0.1:${Number(port) + 1}`, // same host, another port
    `https://127.0.0.1:${port}`, // same host and port, another scheme
    `http://127.0.0.1.evil.example:${port}`,
    `http://localhost:${port}`, // another name for the same machine is another origin
    `${app.url}.evil.example`,
    `${app.url}/`,
  ];
});

afterAll(async () => {
  await app?.stop();
});

const lesson = { course: 'basic-ai-essentials', id: 'what-is-generative-ai' };

/** State-changing targets, each with a body that would succeed from the right origin. */
function targets(): { name: string; path: string; who: 'learner' | 'admin' | null; fields: Record<string, string> }[] {
  return [
    { name: 'action endpoint (user)', path: '/_actions/checkin.save', who: 'learner', fields: { hoursSaved: '3' } },
    { name: 'action endpoint (sign-in)', path: '/_actions/auth.login', who: null, fields: { email: 'learner@example.com', password: 'security suite password' } },
    { name: 'action endpoint (admin)', path: '/_actions/admin.saveBaseline', who: 'admin', fields: { from: '2026-01', to: '2026-03' } },
    { name: 'form action (user)', path: `/learn/${lesson.course}/${lesson.id}?_action=lesson.complete`, who: 'learner', fields: { lessonId: lesson.id } },
    { name: 'form action (sign-in)', path: '/login?_action=auth.login', who: null, fields: { email: 'learner@example.com', password: 'security suite password' } },
    { name: 'form action (sign-out)', path: '/logout?_action=auth.logout', who: 'learner', fields: {} },
    { name: 'form action (admin)', path: '/admin/settings?_action=admin.saveBaseline', who: 'admin', fields: { from: '2026-01', to: '2026-03' } },
    { name: 'page', path: '/home', who: 'learner', fields: {} },
    { name: 'endpoint', path: '/healthz', who: null, fields: {} },
    { name: 'endpoint (admin export)', path: '/admin/exports/users.csv', who: 'admin', fields: {} },
  ];
}

function bodyFor(contentType: string | null, fields: Record<string, string>): { headers: Record<string, string>; body: string } {
  switch (contentType) {
    case 'application/json':
      return { headers: { 'content-type': contentType }, body: JSON.stringify(fields) };
    case 'multipart/form-data': {
      const boundary = 'securityboundary7d1';
      const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
      return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: `${parts.join('')}--${boundary}--\r\n` };
    }
    case null:
      return { headers: {}, body: new URLSearchParams(fields).toString() };
    default:
      return { headers: { 'content-type': contentType }, body: new URLSearchParams(fields).toString() };
  }
}

const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=UTF-8',
  'multipart/form-data',
  'text/plain',
  'application/octet-stream',
  null,
];

/** Everything a refused request could have touched (session refresh times aside). */
const state = () => snapshot(app.db, { sessions: ['last_active_at'] });

describe('checklist 5: origin check on every non-GET request', () => {
  it('refuses a missing Origin with 403 for every target and content type, changing nothing', async () => {
    const before = await state();
    for (const target of targets()) {
      for (const type of CONTENT_TYPES) {
        const { headers, body } = bodyFor(type, target.fields);
        const cookie: Record<string, string> = target.who ? { cookie: app.cookies[target.who]! } : {};
        const response = await rawRequest(app.url, target.path, { method: 'POST', headers: { ...headers, ...cookie }, body });
        expect(response.status, `${target.name} ${type}`).toBe(403);
        expect(
          response.setCookies.filter((c) => c.includes('manabi_session=')),
          `${target.name} ${type}`,
        ).toEqual([]);
      }
    }
    expect(await state()).toEqual(before);
  });

  it('refuses every foreign Origin with 403, JSON and form alike, changing nothing', async () => {
    const before = await state();
    for (const target of targets()) {
      for (const type of CONTENT_TYPES) {
        for (const origin of foreignOrigins) {
          const { headers, body } = bodyFor(type, target.fields);
          const cookie: Record<string, string> = target.who ? { cookie: app.cookies[target.who]! } : {};
          const response = await rawRequest(app.url, target.path, { method: 'POST', headers: { ...headers, ...cookie, origin }, body });
          expect(response.status, `${target.name} ${type} from ${origin}`).toBe(403);
        }
      }
    }
    expect(await state()).toEqual(before);
  });

  it('refuses PUT, PATCH and DELETE the same way', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      for (const target of targets()) {
        const cookie: Record<string, string> = target.who ? { cookie: app.cookies[target.who]! } : {};
        const json = { 'content-type': 'application/json' };
        expect((await rawRequest(app.url, target.path, { method, headers: { ...json, ...cookie }, body: '{}' })).status, `${method} ${target.name} no origin`).toBe(403);
        expect(
          (await rawRequest(app.url, target.path, { method, headers: { ...json, ...cookie, origin: 'https://evil.example' }, body: '{}' })).status,
          `${method} ${target.name} foreign`,
        ).toBe(403);
      }
    }
  });

  it('does not accept a same-site Referer in place of the Origin', async () => {
    const response = await rawRequest(app.url, '/_actions/checkin.save', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: app.cookies.learner!, referer: `${app.url}/home` },
      body: 'hoursSaved=2',
    });
    expect(response.status).toBe(403);
  });

  it('lets the same requests through from the app’s own origin (so the refusals above are about the Origin)', async () => {
    // JSON from the right origin reaches the action, which then asks for a form
    const json = await rawRequest(app.url, '/_actions/checkin.save', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: app.cookies.learner!, origin: app.url },
      body: '{"hoursSaved":3}',
    });
    expect(json.status).toBe(415);
    for (const target of targets()) {
      const cookie: Record<string, string> = target.who ? { cookie: app.cookies[target.who]! } : {};
      const { headers, body } = bodyFor('application/x-www-form-urlencoded', target.fields);
      const response = await rawRequest(app.url, target.path, { method: 'POST', headers: { ...headers, ...cookie, origin: app.url }, body });
      expect(response.status, target.name).not.toBe(403);
    }
  });
});

describe('checklist 5: behind an https proxy (SITE_URL)', () => {
  let proxied: App;
  const publicUrl = 'https://manabi.example.co.jp';

  beforeAll(async () => {
    proxied = await startApp({ users: { learner: {} }, env: { SITE_URL: publicUrl } });
  });

  afterAll(async () => {
    await proxied?.stop();
  });

  it('accepts the public origin the browser sends, and still refuses foreign and missing ones', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie: proxied.cookies.learner! };
    const ok = await rawRequest(proxied.url, '/_actions/checkin.save', { method: 'POST', headers: { ...form, origin: publicUrl }, body: 'hoursSaved=2' });
    expect(ok.status).toBe(200);
    for (const origin of ['https://evil.example', 'http://manabi.example.co.jp', `${publicUrl}:8443`]) {
      const refused = await rawRequest(proxied.url, '/_actions/checkin.save', { method: 'POST', headers: { ...form, origin }, body: 'hoursSaved=2' });
      expect(refused.status, origin).toBe(403);
    }
    expect((await rawRequest(proxied.url, '/_actions/checkin.save', { method: 'POST', headers: form, body: 'hoursSaved=2' })).status).toBe(403);
  });
});
