/**
 * A digest as an e-mail: subject, plain text, HTML and headers, ready for nodemailer. The HTML
 * is one table at most 600 pixels wide with inline styles only (no <style>, no scripts, no
 * images), the layout Outlook's Word engine renders; every value from the database is escaped.
 */
import type { ContentItem, SectionContent } from './content.ts';
import { sectionContent } from './content.ts';
import { messageIdFor, pages, siteBase, siteLink, unsubscribeUrl } from './links.ts';
import type { Digest } from './plan.ts';
import type { NotificationText } from './strings.ts';
import { notificationText } from './strings.ts';
import { isPlainEmail } from '../../platform/input/email.ts';

export interface EmailOptions {
  /** SITE_URL: every link is built on it. */
  siteUrl: string;
  /** The recipient's unsubscribe token (stored hashed by the server) and, optionally, a mailto address for the same. */
  unsubscribe: { token: string; mailto: string | null } | null;
}

export interface RenderedEmail {
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** Extra headers: Message-ID, Auto-Submitted, and List-Unsubscribe(-Post) when the e-mail has optional kinds. */
  headers: Record<string, string>;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const FONT = "'Hiragino Sans','Hiragino Kaku Gothic ProN',Meiryo,'Yu Gothic',Arial,sans-serif";
export const TEXT = `margin:0 0 8px;font-family:${FONT};font-size:16px;line-height:1.6;color:#1f2328;`;
export const SMALL = `margin:0 0 8px;font-family:${FONT};font-size:13px;line-height:1.6;color:#57606a;`;
export const HEADING = `margin:24px 0 8px;font-family:${FONT};font-size:18px;line-height:1.4;font-weight:bold;color:#1f2328;`;
export const LINK = 'color:#0b57d0;text-decoration:underline;';

function itemText(item: ContentItem, t: NotificationText): string[] {
  const lines: string[] = [];
  if (item.text) lines.push(item.text);
  if (item.detail) lines.push(`  ${item.detail}`);
  if (item.link) lines.push(t('mail.linkLine', { label: item.link.label, url: item.link.url }));
  return lines;
}

function itemHtml(item: ContentItem): string {
  const parts: string[] = [];
  if (item.text) parts.push(`<p style="${TEXT}">${escapeHtml(item.text)}</p>`);
  if (item.detail) parts.push(`<p style="${TEXT}padding-left:16px;color:#57606a;">${escapeHtml(item.detail)}</p>`);
  if (item.link) parts.push(`<p style="${TEXT}margin-bottom:16px;"><a href="${escapeHtml(item.link.url)}" style="${LINK}">${escapeHtml(item.link.label)}</a></p>`);
  return parts.join('\n');
}

function sectionsText(sections: SectionContent[], t: NotificationText): string {
  return sections.map((section) => [t('mail.section', { heading: section.heading }), ...section.items.flatMap((item) => itemText(item, t))].join('\n')).join('\n\n');
}

function sectionsHtml(sections: SectionContent[]): string {
  return sections.map((section) => [`<h2 style="${HEADING}">${escapeHtml(section.heading)}</h2>`, ...section.items.map(itemHtml)].join('\n')).join('\n');
}

export const HR = '<hr style="border:0;border-top:1px solid #dde1e6;margin:24px 0 16px;">';

/**
 * The frame of every Manabi e-mail around `body` (lines of HTML): one table at most 600 pixels
 * wide, inline styles only. Outlook's Word engine ignores max-width: it gets a fixed 600-pixel
 * table in a conditional comment; other clients shrink to the screen.
 */
export function emailHtml(locale: string, subject: string, body: readonly string[]): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${locale}">`,
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="margin:0;padding:0;background-color:#f4f5f7;">',
    '<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="background-color:#f4f5f7;">',
    '<tr><td align="center" style="padding:24px 12px;">',
    '<!--[if mso]><table role="presentation" width="600" cellspacing="0" cellpadding="0" border="0"><tr><td><![endif]-->',
    '<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="width:100%;max-width:600px;background-color:#ffffff;border:1px solid #dde1e6;">',
    '<tr><td style="padding:24px;">',
    ...body,
    '</td></tr></table>',
    '<!--[if mso]></td></tr></table><![endif]-->',
    '</td></tr></table>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function renderDigestEmail(digest: Digest, options: EmailOptions): RenderedEmail {
  const { recipient } = digest;
  const locale = recipient.locale;
  const t = notificationText(locale);
  const sections = digest.sections.map((section) => sectionContent(section, locale, options.siteUrl));
  const eventCount = digest.eventKeys.length;
  const first = sections[0]!.heading;
  const subject = eventCount > 1 ? t('subject.more', { heading: first, count: eventCount - 1 }) : t('subject.one', { heading: first });
  const settings = { label: t('mail.settings'), url: siteLink(options.siteUrl, pages.account(locale)) };
  const hasOptional = digest.optionalKinds.length > 0;
  const hasMandatory = digest.sections.length > digest.optionalKinds.length;
  const footer = [t('mail.footerAuto'), ...(hasMandatory ? [t('mail.footerMandatory')] : []), ...(hasOptional ? [t('mail.footerOptional')] : [])];

  const text = [t('mail.greeting', { name: recipient.name }), '', t('mail.intro'), '', sectionsText(sections, t), '', '--', ...footer, t('mail.linkLine', settings), ''].join('\n');

  const html = emailHtml(locale, subject, [
    `<p style="${TEXT}">${escapeHtml(t('mail.greeting', { name: recipient.name }))}</p>`,
    `<p style="${TEXT}">${escapeHtml(t('mail.intro'))}</p>`,
    sectionsHtml(sections),
    HR,
    ...footer.map((line) => `<p style="${SMALL}">${escapeHtml(line)}</p>`),
    `<p style="${SMALL}"><a href="${escapeHtml(settings.url)}" style="${LINK}">${escapeHtml(settings.label)}</a></p>`,
  ]);

  const messageId = messageIdFor(digest.key, options.siteUrl);
  const headers: Record<string, string> = {
    'Message-ID': messageId,
    // RFC 3834: automatic, so out-of-office replies are not sent back.
    'Auto-Submitted': 'auto-generated',
  };
  if (hasOptional && options.unsubscribe) {
    const url = unsubscribeUrl(options.siteUrl, options.unsubscribe.token, digest.optionalKinds, locale);
    const { mailto } = options.unsubscribe;
    if (mailto !== null && !isPlainEmail(mailto)) throw new RangeError(`Not a plain address for the unsubscribe mailto: ${JSON.stringify(mailto)}`);
    const targets = [`<${url}>`, ...(options.unsubscribe.mailto ? [`<mailto:${options.unsubscribe.mailto}?subject=unsubscribe>`] : [])];
    headers['List-Unsubscribe'] = targets.join(', ');
    // RFC 8058: one-click only over HTTPS (a development site on http gets the plain header).
    if (siteBase(options.siteUrl).protocol === 'https:') headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return { to: { name: recipient.name, address: recipient.email }, subject, text, html, messageId, headers };
}
