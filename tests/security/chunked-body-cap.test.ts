/**
 * Issue 11, item 2: a chunked body (no Content-Length) is capped on the bytes actually read,
 * anonymous or signed in: past the route's limit the server answers 413, closes the connection
 * and stops reading, so its memory stays flat. A raw socket writes the chunks, so the test sees
 * exactly how much the server took before it closed.
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORM_BODY_LIMIT, UPLOAD_BODY_LIMIT } from '../../src/platform/http/body-limit.server.ts';
import { get } from '../helpers/http.ts';
import { PASSWORD, startApp, type App } from './support.ts';

const MIB = 1024 * 1024;
let app: App;

beforeAll(async () => {
  app = await startApp({ users: { lea: {}, ada: { role: 'admin', department: 'IT' } } });
});
afterAll(async () => {
  await app?.stop();
});

function rssMib(pid: number): number {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) / 1024;
}

interface ChunkedResult {
  status: number;
  head: string;
  /** Bytes of body this client managed to hand to the kernel before the server closed. */
  sent: number;
  /** The server closed the connection (end or reset) while the client still had body to send. */
  closed: boolean;
  ms: number;
}

/**
 * Sends `total` bytes of form data as 64 KiB chunks on one raw connection, stopping when the
 * server answers and closes (or after 30 s); resolves with what came back.
 */
function sendChunked(target: string, headers: Record<string, string>, prefix: string, total: number): Promise<ChunkedResult> {
  const url = new URL(app.url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let response = '';
    let sent = 0;
    let closed = false;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
      resolve({ status, head: response.split('\r\n\r\n')[0] ?? '', sent, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(finish, 30_000);
    socket.on('data', (data: Buffer) => (response += data.toString('latin1')));
    socket.on('end', () => {
      closed = true;
      finish();
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('error', () => {
      closed = true;
    });
    socket.on('connect', () => {
      const lines = [`POST ${target} HTTP/1.1`, `host: ${url.host}`, 'transfer-encoding: chunked', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''];
      socket.write(lines.join('\r\n'));
      const first = Buffer.from(prefix);
      socket.write(`${first.length.toString(16)}\r\n`);
      socket.write(first);
      socket.write('\r\n');
      const piece = Buffer.alloc(64 * 1024, 'a');
      const frame = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
      const pump = (): void => {
        while (!done && !socket.destroyed && sent < total) {
          sent += piece.length;
          if (!socket.write(frame)) {
            socket.once('drain', pump);
            return;
          }
        }
        if (!done && !socket.destroyed) socket.write('0\r\n\r\n');
      };
      pump();
    });
  });
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('chunked request bodies are capped on the bytes read (issue 11, item 2)', () => {
  it('refuses 100 MiB of chunked form data to POST /login (anonymous) with 413, closes the connection, and the server does not grow', async () => {
    const pid = app.server.process.pid!;
    const before = rssMib(pid);
    const result = await sendChunked('/login', { origin: app.url, ...form }, 'email=a%40example.com&password=', 100 * MIB);
    const after = rssMib(pid);
    expect(result.status, result.head).toBe(413);
    expect(result.head.toLowerCase()).toContain('connection: close');
    expect(result.closed).toBe(true);
    // The server stopped reading long before the 100 MiB: only what fits in the socket buffers went out.
    expect(result.sent).toBeLessThan(32 * MIB);
    expect(after - before, `RSS ${before.toFixed(0)} → ${after.toFixed(0)} MiB`).toBeLessThan(48);
    expect((await get(app.url, '/healthz')).status).toBe(200);
  });

  it('caps a signed-in form action at the form limit and an upload at the upload limit', async () => {
    const action = await sendChunked('/home?_action=checkin.save', { origin: app.url, cookie: app.cookies.lea!, ...form }, 'hoursSaved=2&tasks=', 2 * FORM_BODY_LIMIT);
    expect(action.status, action.head).toBe(413);
    expect(action.closed).toBe(true);
    const upload = await sendChunked(
      '/_actions/admin.importUsers',
      { origin: app.url, cookie: app.cookies.ada!, 'content-type': 'multipart/form-data; boundary=zz' },
      '--zz\r\ncontent-disposition: form-data; name="file"; filename="users.csv"\r\ncontent-type: text/csv\r\n\r\nemail,name,department,role\r\n',
      UPLOAD_BODY_LIMIT + 2 * MIB,
    );
    expect(upload.status, upload.head).toBe(413);
    expect(upload.closed).toBe(true);
  });

  it('still accepts a chunked body under the limit: a chunked sign-in signs in', async () => {
    const url = new URL(app.url);
    const body = new URLSearchParams({ email: app.emailOf('lea'), password: PASSWORD }).toString();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write(
          `POST /login?_action=auth.login HTTP/1.1\r\nhost: ${url.host}\r\norigin: ${app.url}\r\ncontent-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n` +
            `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`,
        );
      });
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(), 15_000).unref();
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 303 See Other');
    expect(answer).toMatch(/set-cookie: manabi_session=[^;]+/i);
  });
});
