import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import type { EmailOptions, RenderedEmail } from './email.ts';
import { renderDigestEmail } from './email.ts';
import { APPLIED, BASIC, champion, departmentWeek, kpiSummary, learner, snapshot } from './fixtures/snapshots.ts';
import type { LearnerSnapshot, NotificationSnapshot } from './model.ts';
import { planDigests } from './plan.ts';

const SITE = 'https://manabi.example.co.jp';
const TOKEN = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA';
const OPTIONS: EmailOptions = { siteUrl: SITE, unsubscribe: { token: TOKEN, mailto: null } };

function state(fields: Partial<LearnerSnapshot> = {}, extra: Partial<NotificationSnapshot> = {}): NotificationSnapshot {
  return snapshot({
    learners: [
      learner({
        userId: '1',
        name: '佐藤 花子',
        email: 'hanako@example.co.jp',
        assignments: [
          { id: 'a1', tier: BASIC, assignedOn: '2026-11-01', dueOn: '2026-12-20', completed: false },
          { id: 'a2', tier: APPLIED, assignedOn: '2026-12-01', dueOn: '2027-01-11', completed: false },
        ],
        policies: [
          { id: 'ai-use', title: { ja: 'AI利用方針', en: 'AI use policy' }, version: 2, effectiveOn: '2027-01-01', required: true, applies: true, acknowledgedVersion: 1 },
        ],
        ...fields,
      }),
    ],
    checkIn: { month: '2027-01', opensOn: '2027-01-01' },
    ...extra,
  });
}

function render(snap: NotificationSnapshot, day = '2027-01-04', options: EmailOptions = OPTIONS): RenderedEmail {
  const digests = planDigests(snap, day);
  expect(digests).toHaveLength(1);
  return renderDigestEmail(digests[0]!, options);
}

const urlsIn = (text: string): string[] => text.match(/https?:\/\/[^\s"<>]+/g) ?? [];

describe('digest e-mail', () => {
  it('is in Japanese for a Japanese reader, sections most urgent first, links on SITE_URL', () => {
    const mail = render(state());
    expect(mail.to).toEqual({ name: '佐藤 花子', address: 'hanako@example.co.jp' });
    expect(mail.subject).toBe('【Manabi】期限を過ぎた研修があります ほか3件');
    expect(mail.text).toContain('佐藤 花子さん');
    expect(mail.text).toContain('「基礎」の期限は2026年12月20日でした（15日経過）。できるだけ早く受講してください。');
    expect(mail.text).toContain('「AI利用方針」第2版をお読みになり、内容を確認してください。');
    expect(mail.text).toContain('「応用」の期限は2027年1月11日です（あと7日）。');
    expect(mail.text).toContain('2027年1月にAIで節約できた時間を教えてください。');
    const order = ['■ 期限を過ぎた研修があります', '■ 確認が必要なポリシーがあります', '■ 期限が近い研修があります', '■ 今月の振り返りが始まりました'].map((h) =>
      mail.text.indexOf(h),
    );
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(urlsIn(mail.text)).toEqual([`${SITE}/tiers/basic`, `${SITE}/policies/ai-use`, `${SITE}/tiers/applied`, `${SITE}/home`, `${SITE}/account`]);
  });

  it('is in English for an English reader, with /en/ links', () => {
    const mail = render(state({ locale: 'en', name: 'Alex Smith' }));
    expect(mail.subject).toBe('Manabi: Training past its due date (and 3 more)');
    expect(mail.text).toContain('Hello Alex Smith,');
    expect(mail.text).toContain('Basic was due on 20 December 2026 (15 days ago). Please complete it as soon as you can.');
    expect(mail.text).toContain('Applied is due on 11 January 2027 (in 7 days).');
    expect(mail.text).toContain('Please read version 2 of AI use policy and confirm it.');
    expect(urlsIn(mail.text)).toContain(`${SITE}/en/tiers/basic`);
    expect(urlsIn(mail.html)).toContain(`${SITE}/en/account`);
    expect(mail.html).toContain('<html lang="en">');
  });

  it('builds links under a SITE_URL with a path, and names the site in the Message-ID', () => {
    const mail = render(state(), '2027-01-04', { siteUrl: 'https://intra.example.com/manabi/', unsubscribe: null });
    expect(urlsIn(mail.text)[0]).toBe('https://intra.example.com/manabi/tiers/basic');
    expect(mail.messageId).toMatch(/^<[0-9a-f]{40}@intra\.example\.com>$/);
  });

  it('escapes everything from the database; HTML with inline styles only, no scripts, links only to the site', () => {
    const evil = '<script>alert(1)</script>"><img src=x onerror=alert(1)>';
    const mail = render(
      state({ name: evil, assignments: [{ id: 'a1', tier: { id: 'basic', title: { ja: evil, en: evil } }, assignedOn: '2026-11-01', dueOn: '2026-12-20', completed: false }] }),
    );
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    const { document } = parseHTML(mail.html);
    expect(document.querySelectorAll('script, style, link, img, iframe, form, object').length).toBe(0);
    for (const element of document.querySelectorAll('*')) {
      for (const attribute of element.getAttributeNames()) expect(attribute, element.tagName).not.toMatch(/^on|^class$/);
    }
    const anchors = [...document.querySelectorAll('a')];
    expect(anchors.length).toBeGreaterThan(0);
    for (const a of anchors) {
      expect(a.getAttribute('href')!.startsWith(`${SITE}/`)).toBe(true);
      expect(a.getAttribute('style')).toBeTruthy();
    }
    expect(document.querySelectorAll('p, h2').length).toBe(document.querySelectorAll('p[style], h2[style]').length);
  });

  it('carries no token or password in any body; the unsubscribe token only in the header', () => {
    const mail = render(state());
    for (const body of [mail.text, mail.html]) {
      expect(body).not.toContain(TOKEN);
      expect(body).not.toMatch(/token|password|パスワード/i);
      for (const url of urlsIn(body)) expect(new URL(url).search).toBe('');
    }
    expect(mail.headers['List-Unsubscribe']).toContain(TOKEN);
  });
});

describe('headers', () => {
  it('has List-Unsubscribe and one-click (RFC 8058) for the optional kinds in it', () => {
    const mail = render(state(), '2027-01-04', { siteUrl: SITE, unsubscribe: { token: TOKEN, mailto: 'unsubscribe@manabi.example.co.jp' } });
    expect(mail.headers['List-Unsubscribe']).toBe(`<${SITE}/unsubscribe/${TOKEN}?kinds=check-in>, <mailto:unsubscribe@manabi.example.co.jp?subject=unsubscribe>`);
    expect(mail.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(mail.headers['Auto-Submitted']).toBe('auto-generated');
  });

  it('points an English reader at the English unsubscribe page', () => {
    const mail = render(state({ locale: 'en', name: 'Alex Smith' }));
    expect(mail.headers['List-Unsubscribe']).toMatch(new RegExp(`^<${SITE}/en/unsubscribe/${TOKEN}\\?kinds=check-in>`));
  });

  it('has none for an e-mail of mandatory kinds only, and no one-click on a plain-http site', () => {
    const mandatory = render(state({ checkInSubmitted: true }));
    expect(mandatory.headers['List-Unsubscribe']).toBeUndefined();
    expect(mandatory.headers['List-Unsubscribe-Post']).toBeUndefined();
    expect(mandatory.text).not.toContain('アカウントページでいつでも止められます');
    const local = render(state(), '2027-01-04', { siteUrl: 'http://localhost:4321', unsubscribe: { token: TOKEN, mailto: null } });
    expect(local.headers['List-Unsubscribe']).toBe(`<http://localhost:4321/unsubscribe/${TOKEN}?kinds=check-in>`);
    expect(local.headers['List-Unsubscribe-Post']).toBeUndefined();
  });

  it('names every optional kind of the e-mail in the one-click address', () => {
    const extra = { champions: [champion({ userId: '1', week: departmentWeek() })], admins: [{ ...learner({ userId: '1' }), kpi: kpiSummary('2026-12') }] };
    const mail = render(state({}, extra));
    expect(new URL(mail.headers['List-Unsubscribe']!.slice(1, -1)).searchParams.get('kinds')).toBe('check-in,champion-weekly,admin-monthly');
    expect(mail.text).toContain('営業部の週間まとめ');
    expect(mail.text).toContain('新たに期限を過ぎた人：1人');
    expect(mail.text).toContain('佐藤 花子');
    expect(mail.text).toContain('利用率：62%（ベースライン 40%）');
    expect(mail.text).toContain('修了率：81%（ベースラインなし）');
    expect(mail.text).toContain('節約できた時間：1,250.5時間（ベースライン 900時間）');
  });

  it('gives the same Message-ID for the same e-mail, another for another day or person', () => {
    const a = render(state()).messageId;
    expect(render(state()).messageId).toBe(a);
    expect(render(state(), '2027-01-05').messageId).not.toBe(a);
    expect(render(state({ userId: '2' })).messageId).not.toBe(a);
  });

  it('refuses a guessable token, a foreign mailto or a SITE_URL with credentials', () => {
    const digest = planDigests(state(), '2027-01-04')[0]!;
    expect(() => renderDigestEmail(digest, { siteUrl: SITE, unsubscribe: { token: 'abc', mailto: null } })).toThrow(/at least 128 random bits/);
    expect(() => renderDigestEmail(digest, { siteUrl: SITE, unsubscribe: { token: TOKEN, mailto: 'a@b.c>, <https://evil.example' } })).toThrow(/plain address/);
    expect(() => renderDigestEmail(digest, { siteUrl: 'https://user:pw@manabi.example', unsubscribe: null })).toThrow(/user, password/);
    expect(() => renderDigestEmail(digest, { siteUrl: 'javascript:alert(1)', unsubscribe: null })).toThrow(/http or https/);
  });
});
