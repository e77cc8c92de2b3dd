/**
 * The server front reads a request's body before the app's sign-in check (to cap it on the bytes
 * actually read): up to 256 KiB for forms, 6 MiB for the two CSV upload URLs. Anyone could make
 * it read and buffer 6 MiB per request at the upload URLs without signing in. A request to an
 * upload URL that carries no session cookie at all is now answered 401 from its headers, before
 * a byte of its body is read (src/platform/http/body-limit.server.ts, src/cli/serve.ts).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSessionCookie, isUploadTarget } from '../../src/platform/http/body-limit.server.ts';
import { startApp, type App } from './support.ts';
import { sqlRows } from '../helpers/db.ts';

const MIB = 1024 * 1024;
const UPLOADS = [
  '/_actions/admin.importUsers',
  '/admin/users?_action=admin.importUsers',
  '/en/admin/users?_action=admin.importUsers',
  '/admin/helpdesk?_action=admin.importInquiries',
  '/_actions/admin.importInquiries',
];

let app: App;

beforeAll(async () => {
  app = await startApp({ users: { ada: { role: 'admin', department: 'IT' } } });
});
afterAll(async () => {
  await app?.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Announces a 6 MiB multipart body on a raw connection and sends none of it: resolves with the
 * answer the server gives from the headers alone, or 'no answer' after 5 s (then hangs up).
 */
function announceUpload(target: string, headers: Record<string, string> = {}): Promise<Answer | 'no answer'> {
  const url = new URL(app.url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let text = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      if (!text) return resolve('no answer');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const fields = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers: fields, body });
    };
    const timer = setTimeout(done, 5000);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('end', done);
    socket.on('error', done);
    const all = { host: url.host, origin: app.url, 'content-type': 'multipart/form-data; boundary=zz', 'content-length': String(6 * MIB - 1024), ...headers };
    socket.write(
      `POST ${target} HTTP/1.1\r\n${Object.entries(all)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n')}\r\n\r\n`,
    );
  });
}

describe('anonymous requests to the upload URLs are refused before their body is read', () => {
  it('answers 401 from the headers alone, closing the connection, at every upload URL', async () => {
    for (const target of UPLOADS) {
      const response = await announceUpload(target);
      expect(response, target).not.toBe('no answer');
      const { status, headers, body } = response as Answer;
      expect(status, target).toBe(401);
      expect(headers.connection, target).toBe('close');
      expect(headers['x-content-type-options'], target).toBe('nosniff');
      expect(body, target).toContain(target.startsWith('/en/') ? 'href="/en/login"' : 'href="/login"');
    }
  });

  it('also with other cookies, or an empty session cookie', async () => {
    for (const cookie of ['theme=dark', 'manabi_session=', 'xmanabi_session=abc; other=1']) {
      const response = await announceUpload('/_actions/admin.importUsers', { cookie });
      expect(response === 'no answer' ? response : response.status, cookie).toBe(401);
    }
  });

  it('still reads the upload of someone with a session cookie: a signed-in admin imports', async () => {
    const form = new FormData();
    form.set('file', new File(['email,name,department,role\nnew@example.com,New,Sales,learner\n'], 'users.csv', { type: 'text/csv' }));
    const response = await fetch(`${app.url}/admin/users?_action=admin.importUsers`, { method: 'POST', headers: { cookie: app.cookies.ada!, origin: app.url }, body: form });
    expect(response.status).toBe(200);
    expect(await sqlRows(app.db, "select cast(count(*) as integer) n from users where email = 'new@example.com'")).toEqual([{ n: 1 }]);
  });

  it('a request with a session cookie is not answered from its headers (the app decides, after the body)', async () => {
    expect(await announceUpload('/_actions/admin.importUsers', { cookie: 'manabi_session=not-a-session' })).toBe('no answer');
  });

  it('the cheap checks', () => {
    expect(hasSessionCookie(undefined)).toBe(false);
    expect(hasSessionCookie('manabi_session=abc.def')).toBe(true);
    expect(hasSessionCookie('theme=dark; __Host-manabi_session=abc')).toBe(true);
    expect(hasSessionCookie('manabi_session= ; theme=dark')).toBe(false);
    expect(hasSessionCookie('manabi_session_old=abc')).toBe(false);
    expect(UPLOADS.every(isUploadTarget)).toBe(true);
    expect(isUploadTarget('/login?_action=auth.login')).toBe(false);
    expect(isUploadTarget('/_actions/checkin.save')).toBe(false);
  });
});
