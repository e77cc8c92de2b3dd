/**
 * Read-then-write paths and background work across instances (issue 18, item 3): two pools on one
 * PostgreSQL database stand for two Manabi instances, each call sent to both at once. A check that
 * finds nothing and then inserts must still give one row and a clear answer to the others (admin
 * user creation, SCIM, departments, the help-desk counts); a day's notifications planned and sent
 * by both instances reach each person once (a real SMTP server counts the Message-IDs).
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departments, helpdeskInquiries, notificationOutbox, settings, users, xapiPushJobs } from '../../db/schema/index.ts';
import { ROLLUP_VERSION_KEY, rebuildAndRecord } from '../../src/features/kpi/rollup-version.server.ts';
import { completeLesson } from '../../src/features/progress/progress.server.ts';
import { rows } from '../../src/platform/query.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { resumeInterruptedJobs, type StatementSource, startPushJob } from '../../src/features/exports/xapi-jobs.server.ts';
import { endpointKey } from '../../src/features/exports/xapi-push.server.ts';
import type { XapiSettings } from '../../src/platform/config-types.ts';
import { learner, snapshot } from '../../src/features/notifications/fixtures/snapshots.ts';
import { queueDay } from '../../src/features/notifications/outbox.server.ts';
import { createSender, resetInterruptedSends } from '../../src/features/notifications/sender.server.ts';
import { saveInquiries } from '../../src/features/programme/helpdesk.server.ts';
import { ScimError } from '../../src/features/scim/errors.ts';
import { createScimUser } from '../../src/features/scim/users.server.ts';
import { addUserWithLink } from '../../src/features/users/user-changes.server.ts';
import { ensureDepartment } from '../../src/features/users/users.server.ts';
import type { Db } from '../../src/platform/db.server.ts';
import { addUser } from '../helpers/db.ts';
import { startReceiver, startSmtp, type TestReceiver, type TestSmtp } from '../helpers/mail.ts';
import { openInstances, type PostgresCluster, startPostgres } from '../helpers/postgres.ts';

const PER_INSTANCE = 6;
const ROUNDS = 4;

let cluster: PostgresCluster;
let a: Db;
let b: Db;
let adminId: number;

beforeAll(async () => {
  cluster = await startPostgres();
  [a, b] = await openInstances(cluster, 6);
  adminId = await addUser(a, { email: 'admin@example.co.jp', role: 'admin' });
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await cluster?.stop();
});

/** The same call on each instance at once, PER_INSTANCE times each; settled, so one throw shows as such. */
const onBoth = <T>(work: (db: Db, i: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> =>
  Promise.allSettled(Array.from({ length: PER_INSTANCE * 2 }, (_, i) => work(i % 2 ? a : b, i)));

const fulfilled = <T>(results: PromiseSettledResult<T>[]): T[] => {
  const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected.length > 0) throw rejected[0]!.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
};

const count = async (query: ReturnType<typeof sql>): Promise<number> =>
  Number((await a.read(async (q) => await (q as unknown as { execute: (s: unknown) => Promise<{ rows: { n: number }[] }> }).execute(query))).rows[0]!.n);

describe('a check, then an insert, on two instances at once', () => {
  it('an admin adding one person on both: one account, the others told the e-mail is taken', async () => {
    const caller = { actor: { id: adminId, email: 'admin@example.co.jp' }, ip: null };
    for (let round = 0; round < ROUNDS; round++) {
      const email = `new${round}@example.co.jp`;
      const answers = fulfilled(await onBoth((db) => addUserWithLink(db, caller, { email, name: '新 人', department: `新設部${round}`, role: 'learner' })));
      expect(answers.filter((r) => r.ok)).toHaveLength(1);
      expect(answers.filter((r) => !r.ok).map((r) => ('error' in r ? r.error : null))).toEqual(Array(PER_INSTANCE * 2 - 1).fill('email_taken'));
      expect(await count(sql`select count(*) as n from users where lower(email) = ${email}`)).toBe(1);
      expect(await count(sql`select count(*) as n from departments where name = ${`新設部${round}`}`)).toBe(1);
    }
  });

  it('one new department asked for by several writes: one row, the same id for all', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const ids = fulfilled(await onBoth((db) => db.write(async (tx) => await ensureDepartment(tx, `Sales ${round}`))));
      expect(new Set(ids).size).toBe(1);
      const rows = await a.read(
        async (q) =>
          await q
            .select()
            .from(departments)
            .where(eq(departments.name, `Sales ${round}`)),
      );
      expect(rows.map((r) => r.id)).toEqual([ids[0]]);
    }
  });

  it('SCIM creating one userName on both: one user, the others a 409 uniqueness error', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const email = `scim${round}@example.co.jp`;
      const fields = {
        email,
        displayName: 'SCIM 太郎',
        givenName: null,
        familyName: null,
        locale: 'ja' as const,
        active: true,
        externalId: null,
        department: `SCIM部${round}`,
        managerId: null,
      };
      const results = await onBoth((db) => createScimUser(db, fields));
      const unexpected = results.flatMap((r) => (r.status === 'rejected' && !(r.reason instanceof ScimError) ? [r.reason] : []));
      expect(unexpected).toEqual([]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
        expect(r.reason).toBeInstanceOf(ScimError);
        expect((r.reason as ScimError).status).toBe(409);
      }
      expect(await count(sql`select count(*) as n from users where lower(email) = ${email}`)).toBe(1);
    }
  });

  it("one month's help-desk count saved on both: one row per department and for the company", async () => {
    const departmentId = await a.write(async (tx) => await ensureDepartment(tx, 'Help 部'));
    for (const target of [departmentId, null]) {
      const month = target === null ? '2026-10' : '2026-11';
      fulfilled(await onBoth((db, i) => saveInquiries(db, { month, departmentId: target, count: 10 + i, updatedBy: adminId })));
      const rows = await a.read(async (q) => await q.select().from(helpdeskInquiries).where(eq(helpdeskInquiries.month, month)));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.departmentId).toBe(target);
      expect(rows[0]!.count).toBeGreaterThanOrEqual(10);
    }
  });
});

describe('notifications on two instances', () => {
  const DAY = '2027-01-05';
  const PEOPLE = 30;
  let smtp: TestSmtp;

  beforeAll(async () => {
    smtp = await startSmtp({ delayMs: 20 });
  });
  afterAll(async () => {
    await smtp?.close();
  });

  it('a day planned by both is queued once, and sent by both reaches each person once', async () => {
    const people = await Promise.all(Array.from({ length: PEOPLE }, (_, i) => addUser(a, { email: `mail${i}@example.co.jp` })));
    const assignment = { id: 'a1', tier: { id: 'basic', title: { ja: '基礎', en: 'Basic' } }, assignedOn: DAY, dueOn: '2027-02-26', completed: false };
    const day = snapshot({
      learners: people.map((userId, i) => learner({ userId: String(userId), name: `受講者 ${i}`, email: `mail${i}@example.co.jp`, locale: 'ja', assignments: [assignment] })),
    });
    const plans = fulfilled(await onBoth((db) => queueDay(db, day, DAY, { siteUrl: 'https://manabi.example.co.jp', emailEnabled: true })));
    expect(plans.reduce((sum, p) => sum + p.emailsQueued, 0)).toBe(PEOPLE);
    const options = { smtpUrl: smtp.url, mailFrom: 'Manabi <manabi@example.co.jp>', sendTimeoutMs: 5000, retries: 2, retryBaseMs: 60_000, concurrency: 4, random: () => 0.5 };
    const senders = [createSender(options), createSender(options)];
    try {
      const reports = await Promise.all([senders[0]!.sendDue(a), senders[1]!.sendDue(b)]);
      expect(reports.map((r) => r.sent).reduce((x, y) => x + y, 0)).toBe(PEOPLE);
      // Both took part, so the claims really raced.
      expect(reports.every((r) => r.sent > 0)).toBe(true);
    } finally {
      for (const s of senders) s.close();
    }
    const ids = smtp.messageIds();
    expect(ids).toHaveLength(PEOPLE);
    expect(new Set(ids).size).toBe(PEOPLE);
    const states = await a.read(async (q) => await q.select({ state: notificationOutbox.state }).from(notificationOutbox));
    expect(states.every((s) => s.state === 'sent')).toBe(true);
  });

  it('an instance starting takes back only sends left past their lease, not the ones another instance is making', async () => {
    const userId = await addUser(a, { email: 'lease@example.co.jp' });
    const at = new Date();
    const row = (key: string, updatedAt: Date) => ({
      key,
      channel: 'email' as const,
      userId,
      day: DAY,
      kinds: ['assignment-new'],
      messageId: `<${key}@manabi.example>`,
      payload: { to: { name: '', address: 'lease@example.co.jp' }, subject: 's', text: 't', html: '<p>t</p>', headers: {} },
      state: 'sending' as const,
      nextAttemptAt: updatedAt,
      createdAt: updatedAt,
      updatedAt,
    });
    await a.write(async (tx) => {
      await tx.insert(notificationOutbox).values([row('in-flight', at), row('abandoned', new Date(at.getTime() - 10 * 60_000))]);
    });
    expect(await resetInterruptedSends(b, 5 * 60_000)).toBe(1);
    const states = await a.read(async (q) =>
      Object.fromEntries(
        (await q.select({ key: notificationOutbox.key, state: notificationOutbox.state }).from(notificationOutbox).where(eq(notificationOutbox.userId, userId))).map((r) => [
          r.key,
          r.state,
        ]),
      ),
    );
    expect(states).toEqual({ 'in-flight': 'sending', abandoned: 'queued' });
    await a.write(async (tx) => {
      await tx.delete(users).where(eq(users.id, userId));
    });
  });
});

describe('xAPI pushes on two instances', () => {
  let lrs: TestReceiver;
  beforeAll(async () => {
    lrs = await startReceiver();
  });
  afterAll(async () => {
    await lrs?.close();
  });

  const settings = (): XapiSettings => ({ endpoint: `${lrs.url}/xapi`, username: null, password: null, batchTimeoutMs: 5000, retries: 0, retryBaseMs: 100 });
  const none: StatementSource = async () => [];

  it('a push started on both at once is one job', async () => {
    const caller = { actor: null, ip: null };
    for (let round = 0; round < ROUNDS; round++) {
      const endpoint = { ...settings(), endpoint: `${lrs.url}/xapi-${round}` };
      // The job stays running while the others ask (its statements take a moment to come).
      const slow: StatementSource = async () => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return [];
      };
      const answers = fulfilled(await onBoth((db) => startPushJob(db, endpoint, caller, slow)));
      expect(answers.filter((r) => r.started)).toHaveLength(1);
      expect(new Set(answers.map((r) => r.job.id)).size).toBe(1);
    }
  });

  it('an instance starting resumes only a job silent past its lease, not one another instance is running', async () => {
    const endpoint = endpointKey(settings().endpoint);
    const at = Date.now();
    const job = (updatedAt: number) => ({ endpoint, state: 'running' as const, createdAt: new Date(updatedAt), updatedAt: new Date(updatedAt) });
    const [live, silent] = await a.write(
      async (tx) =>
        await tx
          .insert(xapiPushJobs)
          .values([job(at), job(at - 30 * 60_000)])
          .returning({ id: xapiPushJobs.id }),
    );
    const resumed = fulfilled(await Promise.allSettled([resumeInterruptedJobs(a, settings(), none), resumeInterruptedJobs(b, settings(), none)]));
    expect(resumed.reduce((x, y) => x + y, 0)).toBe(1);
    const rows = await a.read(
      async (q) =>
        await q
          .select({ id: xapiPushJobs.id, resumedAt: xapiPushJobs.resumedAt })
          .from(xapiPushJobs)
          .where(inArray(xapiPushJobs.id, [live!.id, silent!.id])),
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.resumedAt !== null]))).toEqual({ [live!.id]: false, [silent!.id]: true });
  });
});

describe('roll-up rebuilds on two instances', () => {
  it("two instances starting at once with stale roll-ups rebuild them once, and the figures are one rebuild's", async () => {
    const catalog = fixtureCatalog();
    const lesson = catalog.tiers[0]!.courses[0]!.lessons[0]!;
    for (let i = 0; i < 5; i++) {
      const userId = await addUser(a, { email: `rollup${i}@example.co.jp`, department: i % 2 ? '営業部' : '開発部' });
      await completeLesson(a, catalog, { id: userId, displayName: `rollup${i}` }, lesson.id, 'Asia/Tokyo');
    }
    const figures = async (): Promise<Record<string, number>> =>
      Object.fromEntries(
        await Promise.all(
          (
            await a.read(
              async (q) =>
                await rows<{ name: string }>(
                  q,
                  sql`select tablename as name from pg_tables where schemaname = current_schema() and (left(tablename, 4) = 'kpi_' or tablename = 'quiz_pairs')`,
                ),
            )
          ).map(async ({ name }) => [name, await count(sql`select count(*) as n from ${sql.identifier(name)}`)] as const),
        ),
      );
    await rebuildAndRecord(a, catalog, 'Asia/Tokyo');
    const once = await figures();
    for (let round = 0; round < ROUNDS; round++) {
      await a.write(async (tx) => {
        await tx.delete(settings).where(eq(settings.key, ROLLUP_VERSION_KEY));
      });
      const rebuilt = fulfilled(await onBoth((db) => rebuildAndRecord(db, catalog, 'Asia/Tokyo', { unlessCurrent: true })));
      expect(rebuilt.filter(Boolean)).toHaveLength(1);
      expect(await figures()).toEqual(once);
    }
  });
});
