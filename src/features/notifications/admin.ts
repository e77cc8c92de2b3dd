/**
 * The admin's notification pages, the pure part: webhook fields as changes (keep, set, remove),
 * the list cursors, and the test e-mail an admin sends to themself (the layout of email.ts).
 */
import { emailHtml, escapeHtml, HR, LINK, SMALL, TEXT } from './email.ts';
import type { RenderedEmail } from './email.ts';
import type { Locale } from './external.ts';
import { formatMessage } from './external.ts';
import { pages, siteLink } from './links.ts';
import { messages } from '../../platform/i18n/index.ts';

/** What an admin's form asks for one webhook: a blank field keeps it, "remove" clears it. */
export type WebhookChange = { kind: 'keep' } | { kind: 'remove' } | { kind: 'set'; url: string };

export const WEBHOOK_URL_MAX = 2048;

/** The reason a webhook field is refused (a message key under `notify.admin.webhook.`), or null. */
export type WebhookProblem = 'notify.admin.webhook.notUrl' | 'notify.admin.webhook.notHttps' | 'notify.admin.webhook.credentials' | 'notify.admin.webhook.tooLong';

/** A typed URL as a change, or the problem with it; `remove` wins over a typed value. */
export function webhookChange(raw: string | null | undefined, remove: boolean): WebhookChange | { problem: WebhookProblem } {
  if (remove) return { kind: 'remove' };
  const value = (raw ?? '').trim();
  if (value === '') return { kind: 'keep' };
  if (value.length > WEBHOOK_URL_MAX) return { problem: 'notify.admin.webhook.tooLong' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'notify.admin.webhook.notUrl' };
  }
  // The secret travels in the path: never in clear text over http.
  if (url.protocol !== 'https:' || url.hostname === '') return { problem: 'notify.admin.webhook.notHttps' };
  if (url.username || url.password) return { problem: 'notify.admin.webhook.credentials' };
  return { kind: 'set', url: url.href };
}

export function applyWebhookChange(current: string | null, change: WebhookChange): string | null {
  if (change.kind === 'keep') return current;
  return change.kind === 'remove' ? null : change.url;
}

/** Where a list continues: the next-attempt instant and id of the last row shown (`<ms>.<id>`). */
export interface OutboxCursor {
  at: number;
  id: number;
}

export function encodeCursor(cursor: OutboxCursor): string {
  return `${cursor.at}.${cursor.id}`;
}

export function decodeCursor(value: string | null | undefined): OutboxCursor | null {
  const match = /^(\d{1,15})\.(\d{1,12})$/.exec(value ?? '');
  if (!match) return null;
  return { at: Number(match[1]), id: Number(match[2]) };
}

/** The test e-mail has the digest's shape, so the sender sends it as any other. */
export type TestEmail = RenderedEmail;

const text = (locale: Locale, key: string, params: Record<string, string | number> = {}): string =>
  formatMessage(locale, (messages[locale] as Record<string, string>)[`notify.admin.testMail.${key}`] ?? key, params, `notify.admin.testMail.${key}`);

/** The test e-mail, in the admin's language, plain text and HTML in the digest's layout. */
export function renderTestEmail(to: { name: string; address: string; locale: Locale }, options: { siteUrl: string; messageId: string; sentAt: string }): TestEmail {
  const { locale } = to;
  const subject = text(locale, 'subject');
  const link = { label: text(locale, 'link'), url: siteLink(options.siteUrl, `${pages.admin(locale)}/notifications`) };
  const lines = [text(locale, 'greeting', { name: to.name }), text(locale, 'body'), text(locale, 'when', { at: options.sentAt })];
  const footer = text(locale, 'footer');
  const plain = [...lines.flatMap((line) => [line, '']), `${link.label}: ${link.url}`, '', '--', footer, ''].join('\n');
  const html = emailHtml(locale, subject, [
    ...lines.map((line) => `<p style="${TEXT}">${escapeHtml(line)}</p>`),
    `<p style="${TEXT}"><a href="${escapeHtml(link.url)}" style="${LINK}">${escapeHtml(link.label)}</a></p>`,
    HR,
    `<p style="${SMALL}">${escapeHtml(footer)}</p>`,
  ]);
  const headers = { 'Message-ID': options.messageId, 'Auto-Submitted': 'auto-generated' };
  return { to: { name: to.name, address: to.address }, subject, text: plain, html, messageId: options.messageId, headers };
}

/** The test post to a channel: a one-card Teams message (Adaptive Card 1.5) or a Slack Block Kit message, in the admin's language. */
export function testPostBody(channel: 'teams' | 'slack', to: { channelName: string; locale: Locale }, options: { siteUrl: string; sentAt: string }): Record<string, unknown> {
  const { locale } = to;
  const heading = text(locale, 'postHeading');
  const body = text(locale, 'postBody', { channel: to.channelName, at: options.sentAt });
  const link = { label: text(locale, 'link'), url: siteLink(options.siteUrl, `${pages.admin(locale)}/notifications`) };
  if (channel === 'slack') {
    // Slack reads &, < and > as markup in mrkdwn and in the fallback text.
    const escapeSlack = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return {
      text: escapeSlack(`${heading}\n${body}`),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: heading } },
        { type: 'section', text: { type: 'mrkdwn', text: escapeSlack(body) } },
        { type: 'section', text: { type: 'mrkdwn', text: `<${link.url}|${escapeSlack(link.label)}>` } },
      ],
    };
  }
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    lang: locale,
    body: [
      { type: 'TextBlock', text: heading, style: 'heading', size: 'Large', weight: 'Bolder', wrap: true },
      { type: 'TextBlock', text: body, wrap: true },
    ],
    actions: [{ type: 'Action.OpenUrl', title: link.label, url: link.url }],
  };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
}
