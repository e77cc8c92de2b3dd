/**
 * xAPI 1.0.3: every exported statement meets the strict schema of the brief's rules, ids are
 * stable, and a test LRS (a real HTTP server applying the rules, 409 for a re-sent id with
 * other content) receives each statement exactly once across two pushes and an interrupted one.
 */
import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptAnswers, lessonCompletions, quizAttempts, xapiDeliveries } from '../../db/schema/index.ts';
import { xapiStatements, type KeyedStatement } from '../../src/features/exports/xapi-export.server.ts';
import { pushStatements } from '../../src/features/exports/xapi-push.server.ts';
import { StatementSchema, XAPI_VERSION, statementId, type Statement } from '../../src/features/exports/xapi.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';

const catalog = fixtureCatalog();
const SITE = 'https://manabi.example.co.jp';
let t: TempDb;

beforeAll(async () => {
  t = tempDb();
  const db = t.db;
  const users = [await addUser(db, { email: 'a@example.com' }), await addUser(db, { email: 'b@example.com' })];
  const base = Date.UTC(2026, 9, 1, 0, 0, 0);
  for (const [i, userId] of users.entries()) {
    for (const lesson of catalog.course('basic-ai-essentials')!.lessons) {
      await rawDrizzle(db)
        .insert(lessonCompletions)
        .values({ userId, lessonId: lesson.id, completedAt: new Date(base + i * 1000) });
    }
    const id = `attempt-${i}-aaaaaaaaaaaaaaa`;
    await rawDrizzle(db)
      .insert(quizAttempts)
      .values({
        id,
        userId,
        quizId: 'basic-ai-essentials',
        startedAt: new Date(base + 60_000),
        submittedAt: new Date(base + 125_500),
        score: 3 - i * 2,
        maxScore: 3,
        passed: i === 0,
      });
    for (const q of catalog.quiz('basic-ai-essentials')!.questions) {
      await rawDrizzle(db)
        .insert(attemptAnswers)
        .values({ attemptId: id, questionId: q.id, chosenOptionIds: i === 0 ? q.correctOptionIds : [q.optionIds[0]!], correct: i === 0 });
    }
  }
});

afterAll(() => t?.cleanup());

const all = (): Promise<KeyedStatement[]> => Array.fromAsync(xapiStatements(t.db, catalog, { siteUrl: SITE }));

describe('exported statements', () => {
  it('all validate against the 1.0.3 schema, with unique ids, covering every kind of record', async () => {
    const statements = await all();
    // 2 users × 2 lesson completions, 2 attempts, 2 × 3 answers, 1 course completion (user a passed)
    expect(statements).toHaveLength(4 + 2 + 6 + 1);
    for (const { statement } of statements) {
      const parsed = StatementSchema.safeParse(statement);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(JSON.stringify(statement)).not.toContain('null');
    }
    expect(new Set(statements.map((s) => s.statement.id)).size).toBe(statements.length);
    const verbs = statements.map((s) => s.statement.verb.id.split('/').at(-1)).sort();
    expect([...new Set(verbs)]).toEqual(['answered', 'completed', 'failed', 'passed']);
    const passed = statements.find((s) => s.statement.verb.id.endsWith('/passed'))!.statement;
    expect(passed.result).toEqual({ score: { scaled: 1, raw: 3, min: 0, max: 3 }, success: true, completion: true, duration: 'PT65.5S' });
    expect(passed.actor.account.homePage).toBe(SITE);
    expect(passed.actor.account.name).not.toContain('@');
    expect(statements.find((s) => s.recordKey.startsWith('course-completed:'))!.statement.object.definition.type).toBe('http://adlnet.gov/expapi/activities/course'); // first-cycle records from before versions keep the ids they always had: a re-push never sends them as new statements
    const completed = statements.filter((s) => s.statement.verb.id.endsWith('/completed')).map((s) => s.statement);
    expect(completed).toHaveLength(5);
    for (const statement of completed) {
      const [kind, id] = statement.object.id.split('/').slice(-2);
      expect(statement.id).toBe(statementId(SITE, `${kind}-completed:${statement.actor.account.name}:${id}`));
    }
    // every training record says its cycle (first-cycle records from before versions: no version), under SITE_URL
    for (const { statement } of statements) expect(statement.context, statement.id).toEqual({ extensions: { [`${SITE}/xapi/extensions/cycle`]: 1 } });
  });

  it('are identical on re-export (stable UUID v5 ids and content)', async () => {
    expect(await all()).toEqual(await all());
  });

  it('the schema refuses what the brief forbids', async () => {
    const good = (await all())[0]!.statement;
    const bad = [
      { ...good, extra: 1 },
      { ...good, id: 'not-a-uuid' },
      { ...good, timestamp: '2026-10-01T00:00:00Z' },
      { ...good, timestamp: new Date(Date.now() + 3_600_000).toISOString() },
      { ...good, actor: { ...good.actor, mbox: 'mailto:a@example.com' } },
      { ...good, result: { score: { scaled: 1.5, raw: 3, min: 0, max: 3 } } },
      { ...good, result: { success: null } },
    ];
    for (const statement of bad) expect(StatementSchema.safeParse(statement).success).toBe(false);
  });
});

interface Lrs {
  url: string;
  stored: Map<string, unknown>;
  receipts: Map<string, number>;
  conflicts: number;
  requests: number;
  /** Called per request; return 'drop-before' to cut the connection unprocessed, 'drop-after' to store then cut it. */
  fault: (request: number) => 'drop-before' | 'drop-after' | null;
  close: () => Promise<void>;
}

async function startLrs(): Promise<Lrs> {
  const lrs: Omit<Lrs, 'url' | 'close'> = { stored: new Map(), receipts: new Map(), conflicts: 0, requests: 0, fault: () => null };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      lrs.requests++;
      const fault = lrs.fault(lrs.requests);
      if (fault === 'drop-before') return req.socket.destroy();
      if (req.method !== 'POST' || req.url !== '/xapi/statements') return res.writeHead(404).end();
      if (req.headers['x-experience-api-version'] !== XAPI_VERSION) return res.writeHead(400).end('version');
      if (req.headers.authorization !== `Basic ${Buffer.from('lrs:secret').toString('base64')}`) return res.writeHead(401).end();
      const statements = JSON.parse(body) as { id: string }[];
      if (!Array.isArray(statements) || !statements.every((s) => StatementSchema.safeParse(s).success)) return res.writeHead(400).end('invalid');
      if (statements.some((s) => lrs.stored.has(s.id) && !isDeepStrictEqual(lrs.stored.get(s.id), s))) {
        lrs.conflicts++;
        return res.writeHead(409).end('conflict');
      }
      for (const s of statements) {
        if (!lrs.stored.has(s.id)) lrs.receipts.set(s.id, (lrs.receipts.get(s.id) ?? 0) + 1);
        lrs.stored.set(s.id, s);
      }
      if (fault === 'drop-after') return req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(statements.map((s) => s.id)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    ...lrs,
    get stored() {
      return lrs.stored;
    },
    get receipts() {
      return lrs.receipts;
    },
    get conflicts() {
      return lrs.conflicts;
    },
    get requests() {
      return lrs.requests;
    },
    set fault(f) {
      lrs.fault = f;
    },
    get fault() {
      return lrs.fault;
    },
    url: `http://127.0.0.1:${port}/xapi`,
    close: () => new Promise((r) => server.close(() => r())),
  } as Lrs;
}

describe('pushing to an LRS', () => {
  it('delivers each statement exactly once across an interrupted push and two more pushes', async () => {
    const lrs = await startLrs();
    try {
      const options = { endpoint: lrs.url, username: 'lrs', password: 'secret', batchSize: 3, retries: 0 };
      const total = (await all()).length;
      // Request 2 is stored by the LRS but the answer is lost; request 4 is cut before processing.
      lrs.fault = (n) => (n === 2 ? 'drop-after' : n === 4 ? 'drop-before' : null);
      const first = await pushStatements(t.db, await all(), options);
      expect(first.error).toMatch(/network/);
      expect(first.sent).toBe(3);
      lrs.fault = () => null;
      const second = await pushStatements(t.db, await all(), options);
      expect(second.error).toBeNull();
      expect(second.sent + first.sent).toBe(total);
      const third = await pushStatements(t.db, await all(), options);
      expect(third).toMatchObject({ sent: 0, alreadyDelivered: total, error: null });

      expect(lrs.stored.size).toBe(total);
      // the pushed statements carry the same context as the download
      for (const stored of lrs.stored.values()) expect((stored as Statement).context?.extensions?.[`${SITE}/xapi/extensions/cycle`]).toBe(1);
      expect([...lrs.receipts.values()].every((n) => n === 1)).toBe(true);
      expect(lrs.conflicts).toBe(0);
      expect(await rawDrizzle(t.db).select().from(xapiDeliveries)).toHaveLength(total);
    } finally {
      await lrs.close();
    }
  });

  it('answers 409 to a re-sent id with other content', async () => {
    const lrs = await startLrs();
    try {
      const statement = (await all())[0]!.statement;
      const post = (body: unknown) =>
        fetch(`${lrs.url}/statements`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-experience-api-version': XAPI_VERSION, authorization: `Basic ${Buffer.from('lrs:secret').toString('base64')}` },
          body: JSON.stringify([body]),
        });
      expect((await post(statement)).status).toBe(200);
      expect((await post(statement)).status).toBe(200);
      expect((await post({ ...statement, result: { completion: false } })).status).toBe(409);
    } finally {
      await lrs.close();
    }
  });
});
