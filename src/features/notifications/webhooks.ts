/**
 * Channel posts as webhook payloads: a Microsoft Teams Workflows message carrying an Adaptive
 * Card 1.5, and a Slack Block Kit message. A channel is read by many: it gets counts and a link,
 * never the names (those go to the champion by e-mail only).
 */
import type { Fact } from './content.ts';
import { departmentFacts, kpiFacts } from './content.ts';
import type { Locale } from './external.ts';
import { formatDay, formatMonth } from './external.ts';
import { pages, siteLink } from './links.ts';
import { notificationText } from './strings.ts';
import type { ChannelPost } from './team-triggers.ts';
import { mondayOfIsoWeek } from './working-days.ts';

export interface ChannelOptions {
  siteUrl: string;
  /** The channel's language (a department setting). */
  locale: Locale;
}

interface ChannelContent {
  heading: string;
  period: string;
  facts: Fact[];
  link: { label: string; url: string };
}

function channelContent(post: ChannelPost, options: ChannelOptions): ChannelContent {
  const { locale, siteUrl } = options;
  const t = notificationText(locale);
  if (post.data.kind === 'champion-weekly') {
    const { digest, week } = post.data;
    return {
      heading: t('champion.heading', { department: digest.department.name }),
      period: t('channel.week', { day: formatDay(mondayOfIsoWeek(week), locale) }),
      facts: departmentFacts(digest, locale, false),
      link: { label: t('link.champion'), url: siteLink(siteUrl, pages.champion(locale)) },
    };
  }
  const { kpi } = post.data;
  return {
    heading: t('admin.heading', { month: formatMonth(kpi.month, locale) }),
    period: t('channel.month', { month: formatMonth(kpi.month, locale) }),
    facts: kpiFacts(kpi, locale),
    link: { label: t('link.admin'), url: siteLink(siteUrl, pages.admin(locale)) },
  };
}

/** Teams refuses a message over 28 KB. */
export const TEAMS_MAX_BYTES = 28 * 1024;

export interface TeamsMessage {
  type: 'message';
  attachments: { contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: Record<string, unknown> }[];
}

/** A Workflows ("When a Teams webhook request is received") message with one Adaptive Card 1.5. */
export function teamsPayload(post: ChannelPost, options: ChannelOptions): TeamsMessage {
  const content = channelContent(post, options);
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    lang: options.locale,
    body: [
      { type: 'TextBlock', text: content.heading, style: 'heading', size: 'Large', weight: 'Bolder', wrap: true },
      { type: 'TextBlock', text: content.period, isSubtle: true, spacing: 'None', wrap: true },
      { type: 'FactSet', facts: content.facts.map((fact) => ({ title: fact.label, value: fact.value })) },
    ],
    actions: [{ type: 'Action.OpenUrl', title: content.link.label, url: content.link.url }],
  };
  const message: TeamsMessage = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
  const bytes = Buffer.byteLength(JSON.stringify(message));
  if (bytes > TEAMS_MAX_BYTES) throw new RangeError(`Teams message of ${bytes} bytes is over the ${TEAMS_MAX_BYTES}-byte limit`);
  return message;
}

/** Block Kit's limits for what these messages use (api.slack.com/reference/block-kit). */
export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, fields: 10, fieldText: 2000, headerText: 150, contextElements: 10, contextText: 3000, fallbackText: 40_000 } as const;

type TextObject = { type: 'plain_text' | 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

export interface SlackMessage {
  /** The notification and screen-reader fallback. */
  text: string;
  blocks: SlackBlock[];
}

/** Slack's three control characters in mrkdwn and plain text. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function slackPayload(post: ChannelPost, options: ChannelOptions): SlackMessage {
  const content = channelContent(post, options);
  const fields = content.facts.slice(0, SLACK_LIMITS.fields).map((fact) => ({
    type: 'mrkdwn' as const,
    text: clip(`*${escapeSlack(fact.label)}*\n${escapeSlack(fact.value)}`, SLACK_LIMITS.fieldText),
  }));
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(content.heading, SLACK_LIMITS.headerText) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: clip(escapeSlack(content.period), SLACK_LIMITS.contextText) }] },
    { type: 'section', fields },
    { type: 'section', text: { type: 'mrkdwn', text: `<${content.link.url}|${escapeSlack(content.link.label)}>` } },
  ];
  // The top-level text is read as mrkdwn too: escaped like the blocks.
  const fallback = escapeSlack([content.heading, content.period, ...content.facts.map((fact) => `${fact.label}: ${fact.value}`)].join('\n'));
  const message = { text: clip(fallback, SLACK_LIMITS.fallbackText), blocks };
  const problems = slackProblems(message);
  if (problems.length > 0) throw new RangeError(`Invalid Slack message: ${problems.join('; ')}`);
  return message;
}

/** Block Kit's required fields and limits for the blocks used here; empty when the message is valid. */
export function slackProblems(message: unknown): string[] {
  const problems: string[] = [];
  const text = (value: unknown, where: string, max: number, types: readonly string[]): void => {
    const object = value as Partial<TextObject> | null;
    if (typeof object !== 'object' || object === null || !types.includes(object.type ?? ''))
      return void problems.push(`${where}: a text object of type ${types.join(' or ')} is required`);
    if (typeof object.text !== 'string' || object.text.length === 0) return void problems.push(`${where}: text is required`);
    if (object.text.length > max) problems.push(`${where}: text is ${object.text.length} characters, at most ${max}`);
  };
  const m = message as Partial<SlackMessage> | null;
  if (typeof m?.text !== 'string' || m.text.trim() === '') problems.push('text: a fallback text is required');
  else if (m.text.length > SLACK_LIMITS.fallbackText) problems.push(`text: at most ${SLACK_LIMITS.fallbackText} characters`);
  if (!Array.isArray(m?.blocks) || m.blocks.length === 0) return [...problems, 'blocks: at least one block is required'];
  if (m.blocks.length > SLACK_LIMITS.blocks) problems.push(`blocks: ${m.blocks.length}, at most ${SLACK_LIMITS.blocks}`);
  m.blocks.forEach((block: SlackBlock, i) => {
    const where = `blocks[${i}]`;
    if (block.type === 'header') text(block.text, `${where}.text`, SLACK_LIMITS.headerText, ['plain_text']);
    else if (block.type === 'section') {
      if (block.text === undefined && block.fields === undefined) problems.push(`${where}: text or fields is required`);
      if (block.text !== undefined) text(block.text, `${where}.text`, SLACK_LIMITS.sectionText, ['plain_text', 'mrkdwn']);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length === 0) problems.push(`${where}.fields: at least one field`);
        else if (block.fields.length > SLACK_LIMITS.fields) problems.push(`${where}.fields: ${block.fields.length}, at most ${SLACK_LIMITS.fields}`);
        for (const [j, field] of (block.fields ?? []).entries()) text(field, `${where}.fields[${j}]`, SLACK_LIMITS.fieldText, ['plain_text', 'mrkdwn']);
      }
    } else if (block.type === 'context') {
      if (!Array.isArray(block.elements) || block.elements.length === 0) problems.push(`${where}.elements: at least one element`);
      else if (block.elements.length > SLACK_LIMITS.contextElements) problems.push(`${where}.elements: at most ${SLACK_LIMITS.contextElements}`);
      for (const [j, element] of (block.elements ?? []).entries()) text(element, `${where}.elements[${j}]`, SLACK_LIMITS.contextText, ['plain_text', 'mrkdwn']);
    } else if (block.type !== 'divider') problems.push(`${where}: unknown block type ${JSON.stringify((block as { type?: unknown }).type)}`);
  });
  return problems;
}
