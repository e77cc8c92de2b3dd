/**
 * A real SMTP server (smtp-server, with auth) that parses what it receives (mailparser), and a
 * real HTTP receiver for webhook posts: for the notification tests and the bench.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export const SMTP_USER = 'mailer';
export const SMTP_PASSWORD = 'p@ss:w0rd-secret';

export interface TestSmtp {
  url: string;
  port: number;
  received: ParsedMail[];
  /** Message-IDs in the order received (a re-send appears twice). */
  messageIds: () => string[];
  /** What the next messages get: accepted (default), refused with a 5xx, or no answer at all (a timeout). */
  mode: { value: 'accept' | 'refuse' | 'hang'; delayMs: number };
  /** Waits (bounded) until `count` messages arrived. */
  waitFor: (count: number, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
}

/** `parse: false` counts Message-IDs from the raw header only (the bench: 20,000 messages). */
export async function startSmtp(options: { parse?: boolean; delayMs?: number; extra?: Partial<SMTPServerOptions> } = {}): Promise<TestSmtp> {
  const received: ParsedMail[] = [];
  const ids: string[] = [];
  const mode: TestSmtp['mode'] = { value: 'accept', delayMs: options.delayMs ?? 0 };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    closeTimeout: 1000,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: SMTP_USER });
      return callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const current = mode.value;
        if (current === 'hang') return;
        if (current === 'refuse') return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
        const raw = Buffer.concat(chunks);
        const finish = async (): Promise<void> => {
          if (mode.delayMs > 0) await new Promise((r) => setTimeout(r, mode.delayMs));
          if (options.parse === false) {
            const id = /^message-id:\s*(\S+)/im.exec(raw.toString('latin1'))?.[1] ?? '';
            ids.push(id);
          } else {
            const mail = await simpleParser(raw);
            received.push(mail);
            ids.push(mail.messageId ?? '');
          }
          callback();
        };
        finish().catch((error: Error) => callback(error));
      });
    },
    ...options.extra,
  });
  // A client killed mid-conversation (the crash test) resets its connection: expected, not a test failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${port}`,
    port,
    received,
    messageIds: () => [...ids],
    mode,
    waitFor: async (count, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (ids.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${ids.length} of ${count} messages arrived`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface WebhookPost {
  path: string;
  body: unknown;
}

export interface TestReceiver {
  url: string;
  posts: WebhookPost[];
  /** Answers to come, by path: e.g. `[{ status: 429, retryAfter: '2' }]`; then 200. */
  answers: Map<string, { status: number; retryAfter?: string }[]>;
  close: () => Promise<void>;
}

export async function startReceiver(): Promise<TestReceiver> {
  const posts: WebhookPost[] = [];
  const answers = new Map<string, { status: number; retryAfter?: string }[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const answer = answers.get(path)?.shift();
      if (answer) {
        res.writeHead(answer.status, answer.retryAfter ? { 'retry-after': answer.retryAfter } : {}).end('slow down');
        return;
      }
      posts.push({ path, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(path.includes('teams') ? 202 : 200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, posts, answers, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
