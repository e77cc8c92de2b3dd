/**
 * Issue 11, item 9: xAPI delivery is recorded per LRS endpoint, each batch is timed out and
 * retried with backoff, and the push runs in the background with its state, progress and last
 * error on /admin/exports. Real local LRS stubs: one that stores, one that never answers, one
 * that errors, one that is slow (so a kill -9 lands mid-push). Short timeouts come from env.
 */
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptAnswers, lessonCompletions, quizAttempts, users, xapiPushJobs } from '../../db/schema/index.ts';
import { openDatabase, rawDrizzle } from '../../src/platform/db.server.ts';
import { xapiStatements } from '../../src/features/exports/xapi-export.server.ts';
import { FIXTURE_OUT_DIR } from '../helpers/global-build.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { get, postForm, signIn } from '../helpers/http.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { seedUsers, sleep } from './support.ts';

type Mode = 'ok' | 'hang' | 'error' | { delayMs: number };

interface Lrs {
  url: string;
  mode: Mode;
  /** Statement id → how many times it arrived. */
  received: Map<string, number>;
  requests: number;
  close: () => Promise<void>;
}

async function startLrs(mode: Mode): Promise<Lrs> {
  const sockets = new Set<net.Socket>();
  const lrs = { mode, received: new Map<string, number>(), requests: 0 } as Lrs;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      lrs.requests++;
      if (lrs.mode === 'hang') return; // accepts, never answers
      if (lrs.mode === 'error') return res.writeHead(500).end('LRS is down');
      const store = (): void => {
        for (const s of JSON.parse(body) as { id: string }[]) lrs.received.set(s.id, (lrs.received.get(s.id) ?? 0) + 1);
        res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      };
      if (typeof lrs.mode === 'object') setTimeout(store, lrs.mode.delayMs);
      else store();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  lrs.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/xapi`;
  lrs.close = () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return lrs;
}

const PASSWORD = 'xapi admin password';
const catalog = fixtureCatalog();
const t: TempDb = tempDb();
const lrses: Lrs[] = [];
let server: RunningServer | null = null;
let total = 0;

async function serveWith(endpoint: string): Promise<{ url: string; cookie: string }> {
  await server?.stop();
  server = await startServer({
    databasePath: t.file,
    outDir: FIXTURE_OUT_DIR,
    env: { XAPI_ENDPOINT: endpoint, XAPI_BATCH_TIMEOUT_MS: '400', XAPI_RETRIES: '2', XAPI_RETRY_BASE_MS: '100' },
  });
  const { cookie } = await signIn(server.url, 'ada@example.com', PASSWORD);
  return { url: server.url, cookie: cookie! };
}

async function push(base: string, cookie: string): Promise<number> {
  const started = Date.now();
  const answer = await postForm(base, '/en/admin/exports?_action=admin.pushXapi', cookie, {});
  expect(answer.status).toBe(303);
  expect(answer.headers.get('location')).toBe('/en/admin/exports#post-result'); // post/redirect/get
  return Date.now() - started;
}

interface PageState {
  state: string | null;
  html: string;
  refresh: string | null;
}

async function page(base: string, cookie: string): Promise<PageState> {
  const response = await get(base, '/en/admin/exports', cookie);
  const html = await response.text();
  return { state: /data-job-state="([a-z]+)"/.exec(html)?.[1] ?? null, html, refresh: response.headers.get('refresh') };
}

/** Reloads the page (as the browser's refresh does) until the job leaves `running`. */
async function waitUntilFinished(base: string, cookie: string, limitMs = 30_000): Promise<PageState> {
  const until = Date.now() + limitMs;
  for (;;) {
    const now = await page(base, cookie);
    if (now.state !== 'running' || Date.now() > until) return now;
    await sleep(150);
  }
}

beforeAll(async () => {
  await addUser(t.db, { email: 'ada@example.com', password: PASSWORD, role: 'admin', department: 'IT' });
  const learners = await seedUsers(t.db, 30, { prefix: 'xapi', department: 'Sales' });
  const quiz = catalog.quiz('basic-ai-essentials')!;
  const base = Date.UTC(2026, 9, 1);
  for (const [i, user] of learners.entries()) {
    for (const lesson of catalog.course('basic-ai-essentials')!.lessons) {
      await rawDrizzle(t.db)
        .insert(lessonCompletions)
        .values({ userId: user.id, lessonId: lesson.id, completedAt: new Date(base + i * 1000) });
    }
    const id = `attempt-${String(i).padStart(4, '0')}-xxxxxxxxxxxxx`;
    await rawDrizzle(t.db)
      .insert(quizAttempts)
      .values({ id, userId: user.id, quizId: quiz.id, startedAt: new Date(base + 60_000), submittedAt: new Date(base + 120_000), score: 3, maxScore: 3, passed: true });
    for (const q of quiz.questions) await rawDrizzle(t.db).insert(attemptAnswers).values({ attemptId: id, questionId: q.id, chosenOptionIds: q.correctOptionIds, correct: true });
  }
  total = (await Array.fromAsync(xapiStatements(t.db, catalog, { siteUrl: 'http://localhost:4321' }))).length;
  expect(total).toBeGreaterThan(150);
  expect(await rawDrizzle(t.db).select().from(users)).toHaveLength(31);
  void t.db.close();
});

afterAll(async () => {
  await server?.stop();
  await Promise.all(lrses.map((l) => l.close()));
  t.cleanup();
});

describe('xAPI delivery (issue 11, item 9)', () => {
  it('pushes in the background and shows the finished job; a second LRS receives everything too', async () => {
    const first = await startLrs('ok');
    const second = await startLrs('ok');
    lrses.push(first, second);
    let { url, cookie } = await serveWith(first.url);
    expect(await push(url, cookie)).toBeLessThan(2000);
    let done = await waitUntilFinished(url, cookie);
    expect(done.state).toBe('done');
    expect(done.html).toContain(`Sent ${total} statements in`);
    expect(first.received.size).toBe(total);

    // Pushing again to the same LRS sends nothing new.
    await push(url, cookie);
    done = await waitUntilFinished(url, cookie);
    expect(done.html).toContain(`Sent 0 statements in 0 batches; ${total} had already been delivered to this LRS.`);

    // A new XAPI_ENDPOINT: it gets every statement (the old record was per statement id only).
    ({ url, cookie } = await serveWith(second.url));
    await push(url, cookie);
    done = await waitUntilFinished(url, cookie);
    expect(done.state).toBe('done');
    expect(second.received.size).toBe(total);
    expect([...second.received.values()].every((n) => n === 1)).toBe(true);
  });

  it('answers at once against an LRS that never answers, times each batch out, retries, and shows the error', async () => {
    const silent = await startLrs('hang');
    lrses.push(silent);
    const { url, cookie } = await serveWith(silent.url);
    expect(await push(url, cookie)).toBeLessThan(2000);
    const running = await page(url, cookie);
    expect(running.state).toBe('running');
    expect(running.refresh).toBe('5');
    const failed = await waitUntilFinished(url, cookie, 15_000);
    expect(failed.state).toBe('failed');
    expect(failed.html).toContain('Error: no answer within');
    // One try and two retries of the first batch; then it stopped.
    expect(silent.requests).toBe(3);
  });

  it('shows an LRS error after the retries', async () => {
    const broken = await startLrs('error');
    lrses.push(broken);
    const { url, cookie } = await serveWith(broken.url);
    await push(url, cookie);
    const failed = await waitUntilFinished(url, cookie, 15_000);
    expect(failed.state).toBe('failed');
    expect(failed.html).toContain('Error: LRS answered 500');
    expect(broken.requests).toBe(3);
  });

  it('resumes a push the server was killed in, without a second job, and delivers every statement', async () => {
    const slow = await startLrs({ delayMs: 300 });
    lrses.push(slow);
    const { url, cookie } = await serveWith(slow.url);
    await push(url, cookie);
    const until = Date.now() + 20_000;
    while (slow.received.size === 0 && Date.now() < until) await sleep(50);
    expect(slow.received.size).toBeGreaterThan(0);
    server!.process.kill('SIGKILL');
    await new Promise((resolve) => server!.process.once('exit', resolve));
    server = null;
    expect(slow.received.size).toBeLessThan(total);

    const again = await serveWith(slow.url); // the same endpoint: the job goes on by itself
    const done = await waitUntilFinished(again.url, again.cookie);
    expect(done.state).toBe('done');
    expect(done.html).toContain('Resumed after a server restart.');
    expect(slow.received.size).toBe(total);
    expect((await jobs()).filter((j) => j.endpoint === slow.url)).toEqual([{ endpoint: slow.url, state: 'done' }]);
  });
});

/** The job rows, read from the database file. */
async function jobs(): Promise<{ endpoint: string; state: string }[]> {
  const reader = openDatabase(t.file, { migrate: false });
  try {
    return await rawDrizzle(reader).select({ endpoint: xapiPushJobs.endpoint, state: xapiPushJobs.state }).from(xapiPushJobs);
  } finally {
    void reader.close();
  }
}
