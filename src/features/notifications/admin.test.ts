import { describe, expect, it } from 'vitest';
import { validateCard } from './fixtures/adaptive-card.ts';
import { applyWebhookChange, decodeCursor, encodeCursor, renderTestEmail, testPostBody, webhookChange } from './admin.ts';
import { slackProblems } from './webhooks.ts';

describe('webhookChange', () => {
  it('keeps on blank, removes on "remove" (even with a value typed), sets an https URL', () => {
    expect(webhookChange('', false)).toEqual({ kind: 'keep' });
    expect(webhookChange('   ', false)).toEqual({ kind: 'keep' });
    expect(webhookChange(null, false)).toEqual({ kind: 'keep' });
    expect(webhookChange('https://hooks.slack.com/x', true)).toEqual({ kind: 'remove' });
    expect(webhookChange(' https://hooks.slack.com/services/T/B/x ', false)).toEqual({ kind: 'set', url: 'https://hooks.slack.com/services/T/B/x' });
  });

  it('refuses anything but a plain https URL', () => {
    expect(webhookChange('http://hooks.slack.com/x', false)).toEqual({ problem: 'notify.admin.webhook.notHttps' });
    expect(webhookChange('HTTP://hooks.slack.com/x', false)).toEqual({ problem: 'notify.admin.webhook.notHttps' });
    expect(webhookChange('javascript:alert(1)', false)).toEqual({ problem: 'notify.admin.webhook.notHttps' });
    expect(webhookChange('hooks.slack.com/x', false)).toEqual({ problem: 'notify.admin.webhook.notUrl' });
    expect(webhookChange('https://u:p@hooks.slack.com/x', false)).toEqual({ problem: 'notify.admin.webhook.credentials' });
    expect(webhookChange(`https://hooks.slack.com/${'a'.repeat(2048)}`, false)).toEqual({ problem: 'notify.admin.webhook.tooLong' });
  });

  it('applies a change to the stored value', () => {
    expect(applyWebhookChange('https://a.example/1', { kind: 'keep' })).toBe('https://a.example/1');
    expect(applyWebhookChange('https://a.example/1', { kind: 'remove' })).toBeNull();
    expect(applyWebhookChange(null, { kind: 'set', url: 'https://b.example/2' })).toBe('https://b.example/2');
  });
});

describe('list cursors', () => {
  it('round-trip, and anything else is the first page', () => {
    expect(decodeCursor(encodeCursor({ at: 1_790_000_000_000, id: 42 }))).toEqual({ at: 1_790_000_000_000, id: 42 });
    for (const bad of [null, undefined, '', '1.', '.1', '1.2.3', '-1.2', '1e3.2', `${'9'.repeat(16)}.1`]) expect(decodeCursor(bad), String(bad)).toBeNull();
  });
});

describe('renderTestEmail', () => {
  const options = { siteUrl: 'https://manabi.example.co.jp', messageId: '<abc@manabi.example.co.jp>', sentAt: '2026年12月1日 9:00' };

  it('is in the admin’s language, with the link to the page and the headers of every notification', () => {
    const ja = renderTestEmail({ name: '山田 太郎', address: 'yamada@example.co.jp', locale: 'ja' }, options);
    expect(ja.subject).toBe('【Manabi】テスト送信');
    expect(ja.text).toContain('山田 太郎さん');
    expect(ja.text).toContain('https://manabi.example.co.jp/admin/notifications');
    expect(ja.html).toContain('<html lang="ja">');
    expect(ja.headers).toEqual({ 'Message-ID': '<abc@manabi.example.co.jp>', 'Auto-Submitted': 'auto-generated' });
    const en = renderTestEmail({ name: 'Ada', address: 'ada@example.com', locale: 'en' }, options);
    expect(en.subject).toBe('Manabi: test e-mail');
    expect(en.text).toContain('https://manabi.example.co.jp/en/admin/notifications');
  });

  it('escapes the name in the HTML', () => {
    const mail = renderTestEmail({ name: '<img src=x onerror=alert(1)>', address: 'a@example.com', locale: 'en' }, options);
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('testPostBody', () => {
  const options = { siteUrl: 'https://manabi.example.co.jp', sentAt: '2026年12月1日 9:00' };

  it('is a valid Slack Block Kit message, escaped', () => {
    const body = testPostBody('slack', { channelName: 'R&D <営業>', locale: 'ja' }, options);
    expect(slackProblems(body)).toEqual([]);
    expect(JSON.stringify(body)).toContain('R&amp;D &lt;営業&gt;');
    expect(JSON.stringify(body)).not.toContain('<営業>');
  });

  it('is a Workflows message with one Adaptive Card 1.5 and a link to the page', () => {
    const body = testPostBody('teams', { channelName: 'Sales', locale: 'en' }, options) as { attachments: { content: Record<string, unknown> }[] };
    expect(body).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null }] });
    expect(body.attachments[0]!.content).toMatchObject({
      type: 'AdaptiveCard',
      version: '1.5',
      actions: [{ type: 'Action.OpenUrl', url: 'https://manabi.example.co.jp/en/admin/notifications' }],
    });
    expect(validateCard(body.attachments[0]!.content), JSON.stringify(validateCard.errors)).toBe(true);
  });
});
