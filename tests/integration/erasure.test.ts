/**
 * Issue 14, item 5 ("Keep the records"), over real HTTP against the fixture build and a real
 * SQLite file: a learner with training records (lessons, a passed quiz and its certificate, a
 * policy acknowledgement, feedback, a check-in, a practice answer) whose name was changed once
 * by an import is erased by an admin. Every KPI and evidence figure — the KPI export, the
 * dashboard's cards and tables, the champion's department view, the xAPI statements, the
 * evidence CSVs (equal once the identity columns are mapped to the pseudonym) — is the same
 * before and after; the old names and the email appear nowhere: not on any admin page, in any
 * export or the audit log, in any table, nor in the bytes of the database file and its WAL.
 * The form refuses learners and champions, oneself and a wrong confirmation, changing nothing.
 */
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditLog,
  certificates,
  lessonFeedback,
  loginTokens,
  notificationEvents,
  notificationOptOuts,
  notificationOutbox,
  notificationTokens,
  practiceAnswers,
  quizAttempts,
  users,
} from '../../db/schema/index.ts';
import { issueToken } from '../../src/features/notifications/tokens.server.ts';
import { erasedDisplayName, erasedEmail } from '../../src/features/users/erasure.ts';
import { rawDrizzle } from '../../src/platform/db.server.ts';
import { onPostgres, sqlRows } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { get, signIn } from '../helpers/http.ts';
import { dumpDatabase, post, snapshot, startApp, submit, type App } from '../security/support.ts';
import { first } from '../../src/platform/query.ts';

const EMAIL = 'quintessa.watanabe@example.com';
// A rename that changes the row's length: SQLite then writes the row anew and leaves the old copy
// (name and email) in the page's free space, where only rewriting the file (VACUUM) removes it.
const OLD_NAME = '田中 クインテッサ・ローズ';
const NAME = '渡辺 クインテッサ';
const FORGOTTEN = [EMAIL, 'quintessa.watanabe', OLD_NAME, NAME];
const PASSWORD = 'security suite password';

const catalog = fixtureCatalog();
const course = catalog.course('basic-ai-essentials')!;
const quiz = catalog.quiz('basic-ai-essentials')!;
const lesson = course.lessons[0]!;

let app: App;
let id: number;
let sales: number;
let code: string;

const row = async () => first(await rawDrizzle(app.db).select().from(users).where(eq(users.id, id)))!;
const admin = (path: string, action: string, fields: Record<string, string>) => submit(app.url, `${path}?_action=admin.${action}`, app.cookies.ada, fields);
const text = async (path: string, who = 'ada'): Promise<string> => {
  const response = await get(app.url, path, app.cookies[who]);
  expect(response.status, path).toBe(200);
  return response.text();
};
/** What a page says between two markers, as text: the figures without the markup around them. */
const between = (html: string, from: string, to: string): string => {
  const start = html.indexOf(from);
  const end = html.indexOf(to, start);
  expect(start, from).toBeGreaterThan(-1);
  expect(end, to).toBeGreaterThan(start);
  return html
    .slice(start, end)
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
};

const EXPORTS = ['users.csv', 'completions.csv', 'attempts.csv', 'policies.csv', 'kpis.csv', 'xapi.json'];

/** Every figure we promise not to change, as text. */
async function figures(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of EXPORTS) out[file] = await text(`/admin/exports/${file}`);
  out['roster.csv'] = await text(`/champion/roster.csv?department=${sales}`);
  for (const prefix of ['', '/en']) {
    // The dashboard from its scope line to the comments (the comments are free text, cleared).
    out[`${prefix}/admin`] = between(await text(`${prefix}/admin`), '<h2 class="scope"', '<section aria-labelledby="comments"');
    // The department view up to the list of feedback (which names people), with the rating line.
    out[`${prefix}/champion`] = between(await text(`${prefix}/champion?department=${sales}`), '<p class="lead"', '<ul class="feedback"');
  }
  return out;
}

beforeAll(async () => {
  app = await startApp({
    users: {
      ada: { role: 'admin', department: 'IT', name: 'Ada Admin' },
      cham: { role: 'champion', department: '営業部', name: 'Cham Pion' },
      lea: { department: '営業部', name: 'Lea Learner' },
      'quintessa.watanabe': { department: '営業部', name: OLD_NAME },
    },
  });
  id = app.ids['quintessa.watanabe']!;
  sales = (await row()).departmentId!;
  const cookie = app.cookies['quintessa.watanabe'];

  // Her record: every lesson of the course, the quiz passed (the tier's certificate, issued to her name then).
  for (const l of course.lessons) expect((await post(app.url, `/learn/${course.id}/${l.id}?_action=lesson.complete`, cookie, { lessonId: l.id })).status).toBe(303);
  await post(app.url, `/quiz/${quiz.id}?_action=quiz.start`, cookie, { quizId: quiz.id });
  const attempt = first(await rawDrizzle(app.db).select().from(quizAttempts).where(eq(quizAttempts.userId, id)))!.id;
  const answers: [string, string][] = [
    ['quizId', quiz.id],
    ['attemptId', attempt],
  ];
  for (const q of quiz.questions) for (const o of q.correctOptionIds) answers.push([`answer.${q.id}`, o]);
  expect((await post(app.url, `/quiz/${quiz.id}?_action=quiz.submit`, cookie, answers)).status).toBe(303);
  code = first(await rawDrizzle(app.db).select().from(certificates).where(eq(certificates.userId, id)))!.code;
  expect((await post(app.url, '/policies/ai-usage?_action=policy.acknowledge', cookie, { policyId: 'ai-usage', version: '2' })).status).toBe(303);
  // Free text that names her, as people write.
  const at = `/learn/${course.id}/${lesson.id}`;
  expect((await post(app.url, `${at}?_action=lesson.feedback`, cookie, { lessonId: lesson.id, rating: '4', comment: `${NAME}です。分かりやすかった` })).status).toBe(303);
  // A long first draft (its text spills into overflow pages), then a short one: the freed pages keep the old text.
  const draft = `${NAME}の下書き（${EMAIL}）。`.repeat(80);
  expect((await post(app.url, `${at}?_action=practice.save`, cookie, { lessonId: lesson.id, taskId: 'first-draft', answer: draft })).status).toBe(303);
  expect((await post(app.url, `${at}?_action=practice.save`, cookie, { lessonId: lesson.id, taskId: 'first-draft', answer: `署名: ${NAME}` })).status).toBe(303);
  expect((await post(app.url, '/home?_action=checkin.save', cookie, { hoursSaved: '3', tasks: `${OLD_NAME}の議事録` })).status).toBe(303);
  await post(app.url, `${at}?_action=lesson.feedback`, app.cookies.lea, { lessonId: lesson.id, rating: '2', comment: '長すぎる' });

  // An import renames her (the log keeps both names), a failed sign-in with her address, a link.
  const form = new FormData();
  form.set('file', new File([`email,name,department,role\n${EMAIL},${NAME},営業部,learner\n`], 'rename.csv', { type: 'text/csv' }));
  form.set('update', 'on');
  const imported = await fetch(`${app.url}/admin/users?_action=admin.importUsers`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: app.cookies.ada!, origin: app.url },
    body: form,
  });
  expect(imported.status).toBe(303);
  expect((await row()).displayName).toBe(NAME);
  expect((await signIn(app.url, EMAIL, 'not the password')).page.status).toBe(401);
  expect((await admin('/admin/users', 'createLoginLink', { userId: String(id) })).status).toBe(200);
  // What notifications keep of her and of Lea: an e-mail with its event (her address and name in
  // the stored message), an unsubscribe link, a calendar feed, an opt-out.
  await app.db.write(async (tx) => {
    for (const [who, address, name] of [
      [id, EMAIL, NAME],
      [app.ids.lea!, 'lea@example.com', 'Lea Learner'],
    ] as const) {
      const outboxId = first(
        await tx
          .insert(notificationOutbox)
          .values({
            key: `${who}:digest:email:2026-12-01`,
            channel: 'email',
            userId: who,
            day: '2026-12-01',
            kinds: ['assignment-new'],
            messageId: `<${who}-digest@example.com>`,
            payload: { to: { name, address }, subject: `${name}さん、新しい課題`, text: name, html: name, headers: {} },
            nextAttemptAt: new Date(0),
            updatedAt: new Date(0),
          })
          .returning({ id: notificationOutbox.id }),
      )!.id;
      await tx.insert(notificationEvents).values({ key: `${who}:assignment-new:1:2026-12-01`, outboxId, kind: 'assignment-new' });
      await issueToken(tx, 'unsubscribe', who);
      await issueToken(tx, 'calendar', who);
      await tx.insert(notificationOptOuts).values({ userId: who, kind: 'check-in' });
    }
  });
  // Deactivated first: erasure must change nothing beyond what deactivation already did.
  expect((await admin('/admin/users', 'setActive', { userId: String(id), active: 'false' })).status).toBe(200);
});

afterAll(async () => {
  await app?.stop();
});

describe('the erase form', () => {
  it('is refused to learners and champions, at the page and at /_actions/, changing nothing', async () => {
    const before = await snapshot(app.db, { audit_log: '*', sessions: ['last_active_at'] });
    for (const who of ['lea', 'cham']) {
      for (const target of [`/admin/users/${id}?_action=admin.eraseUser`, '/_actions/admin.eraseUser']) {
        const response = await post(app.url, target, app.cookies[who], { userId: String(id), confirmEmail: EMAIL });
        expect(response.status, `${who} ${target}`).toBe(403);
      }
      expect((await get(app.url, `/admin/users/${id}`, app.cookies[who])).status).toBe(403);
    }
    expect(await snapshot(app.db, { audit_log: '*', sessions: ['last_active_at'] })).toEqual(before);
  });

  it('refuses a confirmation that is not the user’s email, and self-erasure, changing nothing', async () => {
    const before = await snapshot(app.db, { sessions: ['last_active_at'] });
    for (const typed of ['', 'quintessa.watanabe@example.co', NAME, 'lea@example.com']) {
      const page = await admin(`/admin/users/${id}`, 'eraseUser', { userId: String(id), confirmEmail: typed });
      expect(page.status, typed).toBe(400);
      const html = await page.text();
      expect(html).toContain('入力したメールアドレスがこのユーザーのものと一致しません。何も変更していません。');
      expect(html).toContain('aria-invalid="true"');
    }
    const self = await admin(`/admin/users/${app.ids.ada}`, 'eraseUser', { userId: String(app.ids.ada), confirmEmail: 'ada@example.com' });
    expect(self.status).toBe(400);
    expect(await self.text()).toContain('自分の個人データは消去できません。');
    const english = await submit(app.url, `/en/admin/users/${id}?_action=admin.eraseUser`, app.cookies.ada, { userId: String(id), confirmEmail: 'nope@example.com' });
    expect(english.status).toBe(400);
    expect(await english.text()).toContain('The email you typed does not match this user’s. Nothing was changed.');
    expect(await snapshot(app.db, { sessions: ['last_active_at'] })).toEqual(before);
    // The own page offers no form at all.
    expect(await text(`/admin/users/${app.ids.ada}`)).not.toContain('admin.eraseUser');
  });
});

describe('erasing a user’s personal data', () => {
  let before: Record<string, string>;
  let publicId: string;

  it('keeps every KPI and evidence figure, and the records under the same id', async () => {
    await figures(); // the admin's own first visits of the month are counted before the snapshot
    before = await figures();
    publicId = (await row()).publicId;
    const records = async (): Promise<Record<string, number>> => {
      const counts: Record<string, number> = {};
      for (const table of [
        'lesson_completions',
        'quiz_attempts',
        'attempt_answers',
        'certificates',
        'policy_acknowledgements',
        'lesson_feedback',
        'checkins',
        'practice_answers',
        'activity_months',
      ]) {
        const where = table === 'attempt_answers' ? 'attempt_id in (select id from quiz_attempts where user_id = ?)' : 'user_id = ?';
        counts[table] = (await sqlRows<{ n: number }>(app.db, `select cast(count(*) as integer) n from ${table} where ${where}`, id))[0]!.n;
      }
      return counts;
    };
    const kept = await records();
    expect(
      Object.values(kept).every((n) => Number(n) > 0),
      JSON.stringify(kept),
    ).toBe(true);

    const page = await admin(`/admin/users/${id}`, 'eraseUser', { userId: String(id), confirmEmail: ` ${EMAIL.toUpperCase()} ` });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`個人データを消去しました。学習記録は公開ID ${publicId} のもとに残っています。`);
    expect(await records()).toEqual(kept);

    const after = await figures();
    // The evidence exports: identical once her identity columns read as the pseudonym.
    const mapped = (csv: string) => csv.replaceAll(EMAIL, erasedEmail(publicId)).replaceAll(NAME, erasedDisplayName(publicId));
    for (const file of ['users.csv', 'completions.csv', 'attempts.csv', 'policies.csv', 'roster.csv']) {
      expect(before[file], file).toContain(EMAIL);
      expect(after[file], file).toBe(mapped(before[file]!));
    }
    // The figures themselves: byte for byte.
    for (const key of ['kpis.csv', 'xapi.json', '/admin', '/en/admin', '/champion', '/en/champion']) expect(after[key], key).toBe(before[key]);
    expect(after['xapi.json']).toContain(publicId);
  });

  it('leaves her name and email nowhere: pages, exports, the audit log, any table, the file’s bytes', async () => {
    const pages = [
      '/admin/users',
      `/admin/users?q=${encodeURIComponent(EMAIL)}`,
      `/admin/users?q=${encodeURIComponent(NAME)}`,
      `/admin/users/${id}`,
      '/admin',
      `/champion?department=${sales}`,
      '/admin/policies',
      '/admin/exports',
      `/verify/${code}`,
    ];
    const seen: Record<string, string> = {};
    for (const prefix of ['', '/en']) for (const path of pages) seen[prefix + path] = await text(prefix + path);
    // Every page of the audit log, following its "older" links.
    let next: string | null = '/admin/audit';
    for (let i = 0; next && i < 50; i++) {
      const html = await text(next);
      seen[next] = html;
      next = /href="(\/admin\/audit\?[^"]*before=\d+[^"]*)"/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? null;
    }
    for (const file of EXPORTS) seen[file] = await text(`/admin/exports/${file}`);
    seen['roster.csv'] = await text(`/champion/roster.csv?department=${sales}`);

    // A search by the old address or name finds no one (the page repeats what was typed, in its box and links).
    for (const q of [EMAIL, NAME]) {
      for (const [prefix, none] of [
        ['', '該当するユーザーはいません。'],
        ['/en', 'No user matches.'],
      ]) {
        const found = seen[`${prefix}/admin/users?q=${encodeURIComponent(q)}`]!;
        expect(found).toContain(none);
        expect(found).not.toContain('class="data-table users"');
        delete seen[`${prefix}/admin/users?q=${encodeURIComponent(q)}`];
      }
    }
    for (const [where, body] of Object.entries(seen)) for (const old of FORGOTTEN) expect(body.includes(old), `${old} on ${where}`).toBe(false);
    expect(seen[`/admin/users/${id}`]).toContain(`削除済みユーザー ${publicId.slice(0, 4).toUpperCase()}`);
    expect(seen[`/en/admin/users/${id}`]).toContain(`Erased user ${publicId.slice(0, 4).toUpperCase()}`);
    expect(seen[`/verify/${code}`]).toContain(erasedDisplayName(publicId));

    // Every table, every column.
    const dump = await dumpDatabase(app.db);
    for (const old of FORGOTTEN) expect(dump.includes(old), `${old} in a table`).toBe(false);
    // The bytes of the file and its write-ahead log: no old version of a row in free space either
    // (SQLite; what stays in PostgreSQL's files until VACUUM is in the README).
    for (const file of onPostgres ? [] : [app.file, `${app.file}-wal`]) {
      if (!fs.existsSync(file)) continue;
      const bytes = fs.readFileSync(file);
      for (const old of FORGOTTEN) expect(bytes.includes(Buffer.from(old, 'utf8')), `${old} in the bytes of ${file}`).toBe(false);
    }

    // What stays, and what is cleared: the rating and the fact of the practice; not the text.
    expect(first(await rawDrizzle(app.db).select().from(lessonFeedback).where(eq(lessonFeedback.userId, id)))).toMatchObject({ rating: 4, comment: null });
    expect(first(await rawDrizzle(app.db).select().from(practiceAnswers).where(eq(practiceAnswers.userId, id)))!.answer).toBe('[erased]');
    expect(await rawDrizzle(app.db).select().from(loginTokens).where(eq(loginTokens.userId, id))).toEqual([]);
    // Her messages (with their events), links and opt-outs are gone; Lea's are untouched.
    const notifications = async (who: number) => ({
      outbox: (await rawDrizzle(app.db).select().from(notificationOutbox).where(eq(notificationOutbox.userId, who))).length,
      events: (
        await sqlRows<{ n: number }>(
          app.db,
          'select cast(count(*) as integer) n from notification_events e join notification_outbox o on o.id = e.outbox_id where o.user_id = ?',
          who,
        )
      )[0]!.n,
      tokens: (await rawDrizzle(app.db).select().from(notificationTokens).where(eq(notificationTokens.userId, who))).length,
      optOuts: (await rawDrizzle(app.db).select().from(notificationOptOuts).where(eq(notificationOptOuts.userId, who))).length,
    });
    expect(await notifications(id)).toEqual({ outbox: 0, events: 0, tokens: 0, optOuts: 0 });
    expect(await notifications(app.ids.lea!)).toEqual({ outbox: 1, events: 1, tokens: 2, optOuts: 1 });
    expect(await rawDrizzle(app.db).select().from(notificationEvents)).toHaveLength(1);
    const erase = await rawDrizzle(app.db).select().from(auditLog).where(eq(auditLog.action, 'user.erase'));
    expect(erase).toHaveLength(1);
    expect(erase[0]).toMatchObject({ actorUserId: app.ids.ada, actorLabel: 'ada@example.com', targetId: String(id), details: { publicId } });
    await expect(sqlRows(app.db, "update audit_log set actor_label = 'x' where id = ?", erase[0]!.id)).rejects.toThrow(/append-only/);
  });

  it('is for good: no sign-in by the old or the placeholder address, no reactivation, no second erasure', async () => {
    expect((await signIn(app.url, EMAIL, PASSWORD)).cookie).toBeNull();
    expect((await signIn(app.url, erasedEmail(publicId), PASSWORD)).cookie).toBeNull();
    const reactivate = await admin('/admin/users', 'setActive', { userId: String(id), active: 'true' });
    expect(reactivate.status).toBe(400);
    expect(await reactivate.text()).toContain('この人の個人データは消去済みのため、変更も再有効化もできません。');
    const promote = await admin('/admin/users', 'updateUser', { userId: String(id), role: 'admin', departmentId: '' });
    expect(promote.status).toBe(400);
    expect(await row()).toMatchObject({ active: false, role: 'learner', departmentId: sales });
    const again = await admin(`/admin/users/${id}`, 'eraseUser', { userId: String(id), confirmEmail: erasedEmail(publicId) });
    expect(again.status).toBe(400);
    // The list offers no form that could bring the account back.
    const list = await text('/admin/users');
    const cell = list.slice(list.indexOf(`/admin/users/${id}"`), list.indexOf('</tr>', list.indexOf(`/admin/users/${id}"`)));
    expect(cell).not.toContain('admin.setActive');
    expect(cell).not.toContain('admin.updateUser');
  });
});
