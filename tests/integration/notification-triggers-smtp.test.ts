/**
 * Each learner trigger as e-mail in a real SMTP server with auth: a real SQLite file with the
 * real migrations, the snapshot loader, the outbox and the sender (what the server's scheduler
 * runs each tick, `runOnce`), the clock walked through two January weeks at 09:05 in Tokyo.
 * Lea (ja) and Alex (en) are assigned basic on Tuesday 5 January, due Wednesday 13 January; Cara
 * holds a basic certificate whose last valid day is Wednesday 3 February. Everyone has the
 * fixture's required policy to confirm and the month's check-in. 9–11 January are a weekend and
 * a public holiday (成人の日). Cham is the sales champion (weekly digest, on Mondays by default),
 * Admin the admin (the monthly KPI summary, on the month's first working day).
 */
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificates, notificationOptOuts } from '../../db/schema/index.ts';
import { runOnce } from '../../src/features/notifications/scheduler.server.ts';
import { createSender, type Sender } from '../../src/features/notifications/sender.server.ts';
import { loadNotificationSnapshot } from '../../src/features/notifications/snapshot.server.ts';
import { addDays, sendInstant } from '../../src/features/notifications/working-days.ts';
import { buildPolicyCatalog } from '../../src/features/policies/policies.ts';
import { readPolicies } from '../../src/features/policies/read-policies.ts';
import { createAssignment } from '../../src/features/programme/assignments.server.ts';
import { setPreferredLocale } from '../../src/features/users/users-profile.server.ts';
import { findDepartmentId } from '../../src/features/users/users.server.ts';
import { fixedClock, setClock } from '../../src/platform/clock.ts';
import { addUser, tempDb, type TempDb } from '../helpers/db.ts';
import { fixtureCatalog } from '../helpers/fixture.ts';
import { startSmtp, type TestSmtp } from '../helpers/mail.ts';

const TZ = 'Asia/Tokyo';
const SITE = 'https://manabi.example.co.jp';
const at = (day: string, hour = 9): Date => new Date(sendInstant(day, { timeZone: TZ, hour }).getTime() + 5 * 60_000);
const sources = { catalog: fixtureCatalog(), policies: buildPolicyCatalog(readPolicies('tests/fixtures/content').entries) };

let t: TempDb;
let smtp: TestSmtp;
let sender: Sender;
const ids: Record<string, number> = {};
/** Every e-mail received, with the day it was sent on. */
const mails: { day: string; mail: ParsedMail }[] = [];

const address = (mail: ParsedMail): string => (Array.isArray(mail.to) ? mail.to[0]! : mail.to!).value[0]!.address!;
const on = (day: string, who: string): ParsedMail[] => mails.filter((m) => m.day === day && address(m.mail) === `${who}@example.com`).map((m) => m.mail);
const only = (day: string, who: string): ParsedMail => {
  const found = on(day, who);
  expect(found, `${who} on ${day}`).toHaveLength(1);
  return found[0]!;
};

beforeAll(async () => {
  smtp = await startSmtp();
  sender = createSender({ smtpUrl: smtp.url, mailFrom: 'Manabi <manabi@example.co.jp>', sendTimeoutMs: 5000, retries: 2, retryBaseMs: 60_000, concurrency: 2, random: () => 0.5 });
  t = tempDb();
  setClock(fixedClock(at('2026-12-01')));
  const admin = await addUser(t.db, { email: 'admin@example.com', role: 'admin', department: 'IT' });
  for (const name of ['lea', 'alex', 'cara', 'olive']) ids[name] = await addUser(t.db, { email: `${name}@example.com`, name });
  ids.cham = await addUser(t.db, { email: 'cham@example.com', role: 'champion', name: 'cham' });
  await setPreferredLocale(t.db, ids.alex!, 'en');
  await t.db.write(async (tx) => {
    // Cara: valid until the end of Wednesday 3 February 2027.
    await tx.insert(certificates).values({
      code: 'cara-basic-1',
      userId: ids.cara!,
      tierId: 'basic',
      cycle: 1,
      holderName: 'cara',
      issuedAt: sendInstant('2026-02-04', { timeZone: TZ, hour: 0 }),
      validUntil: sendInstant('2027-02-04', { timeZone: TZ, hour: 0 }),
    });
    // Olive switched the check-in off.
    await tx.insert(notificationOptOuts).values({ userId: ids.olive!, kind: 'check-in' });
  });
  const sales = (await t.db.read(async (q) => await findDepartmentId(q, '営業部')))!;
  setClock(fixedClock(at('2027-01-05', 8)));
  await createAssignment(t.db, { tierId: 'basic', target: { kind: 'department', departmentId: sales }, due: { kind: 'date', date: '2027-01-13' }, createdBy: admin });
  const config = { siteUrl: SITE, timeZone: TZ, smtpUrl: smtp.url, mailFrom: 'Manabi <manabi@example.co.jp>', sendTimeoutMs: 5000, retries: 2, retryBaseMs: 60_000 };
  for (let day = '2027-01-04'; day <= '2027-01-14'; day = addDays(day, 1)) {
    setClock(fixedClock(at(day)));
    const before = smtp.received.length;
    await runOnce(t.db, sender, config, (db, today) => loadNotificationSnapshot(db, today, sources), at(day));
    for (const mail of smtp.received.slice(before)) mails.push({ day, mail });
  }
}, 120_000);

afterAll(async () => {
  setClock(null);
  sender?.close();
  await smtp?.close();
  t?.cleanup();
});

describe('every learner trigger, as e-mail', () => {
  it('the first working day of the month: the check-in and the policy, one e-mail each; Cara’s certificate expires in 30 days', () => {
    const lea = only('2027-01-04', 'lea');
    expect(lea.text).toContain('確認が必要なポリシーがあります');
    expect(lea.text).toContain('今月の振り返りが始まりました');
    expect(lea.text).toContain(`${SITE}/policies/ai-usage`);
    const alex = only('2027-01-04', 'alex');
    expect(alex.subject).toMatch(/^Manabi: /);
    expect(alex.text).toContain(`${SITE}/en/policies/ai-usage`);
    const cara = only('2027-01-04', 'cara');
    expect(cara.text).toMatch(/修了証.*30日/);
    // Olive opted out of the check-in: her e-mail has the policy only, and no unsubscribe header.
    const olive = only('2027-01-04', 'olive');
    expect(olive.text).not.toContain('今月の振り返りが始まりました');
    const unsubscribe = (mail: ParsedMail): boolean => mail.headerLines.some((h) => h.key === 'list-unsubscribe');
    expect(unsubscribe(olive)).toBe(false);
    expect(unsubscribe(lea)).toBe(true);
  });

  it('the day of the assignment: "new assignment" with its due date', () => {
    expect(only('2027-01-05', 'lea').text).toContain('「基礎」が割り当てられました');
    expect(only('2027-01-05', 'alex').text).toMatch(/Basic/);
  });

  it('the renewal window opens 30 days before the certificate ends', () => {
    expect(mails.filter((m) => address(m.mail) === 'cara@example.com').map((m) => m.day)).toContain('2027-01-05');
    expect(only('2027-01-05', 'cara').text).toMatch(/更新/);
  });

  it('seven days before the due date, and the working day before it', () => {
    expect(only('2027-01-06', 'lea').text).toContain('（あと7日）');
    expect(only('2027-01-06', 'alex').text).toMatch(/in 7 days/);
    expect(only('2027-01-12', 'lea').text).toContain('（あと1日）');
  });

  it('nothing on the weekend or the public holiday', () => {
    for (const day of ['2027-01-09', '2027-01-10', '2027-01-11']) expect(mails.filter((m) => m.day === day)).toEqual([]);
  });

  it('overdue on the first day after the due date', () => {
    expect(only('2027-01-14', 'lea').text).toContain('期限を過ぎた研修があります');
  });

  it('the champion’s weekly digest on Monday, and on Tuesday when Monday is a holiday; the admin’s monthly summary', () => {
    const first = only('2027-01-04', 'cham');
    expect(first.text).toContain('営業部の週間まとめ');
    expect(first.text).toContain('ポリシーをまだ確認していない人');
    expect(first.text).toContain(`${SITE}/champion`);
    expect(on('2027-01-11', 'cham')).toEqual([]);
    const second = only('2027-01-12', 'cham');
    expect(second.text).toContain('営業部の週間まとめ');
    // The digest names people only to their champion: Lea's own e-mails never carry it.
    for (const { mail } of mails.filter((m) => address(m.mail) === 'lea@example.com')) expect(mail.text).not.toContain('週間まとめ');
    const summary = only('2027-01-04', 'admin');
    expect(summary.text).toMatch(/KPIまとめ/);
    expect(summary.text).toContain('利用率');
    expect(mails.filter((m) => address(m.mail) === 'admin@example.com' && /KPIまとめ/.test(m.mail.text ?? '')).map((m) => m.day)).toEqual(['2027-01-04']);
  });

  it('never two e-mails to a person on one day, and every Message-ID once', () => {
    const perDay = new Map<string, number>();
    for (const { day, mail } of mails) perDay.set(`${day} ${address(mail)}`, (perDay.get(`${day} ${address(mail)}`) ?? 0) + 1);
    expect([...perDay.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(smtp.messageIds()).size).toBe(smtp.messageIds().length);
  });
});
