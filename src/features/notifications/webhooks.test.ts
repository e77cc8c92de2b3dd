import { describe, expect, it } from 'vitest';
import { validateCard } from './fixtures/adaptive-card.ts';
import { departmentWeek, kpiSummary } from './fixtures/snapshots.ts';
import type { ChannelPost } from './team-triggers.ts';
import { channelPosts } from './team-triggers.ts';
import type { SlackBlock } from './webhooks.ts';
import { SLACK_LIMITS, slackPayload, slackProblems, teamsPayload } from './webhooks.ts';

const SITE = 'https://manabi.example.co.jp';
const week = departmentWeek({ newOverdue: ['佐藤 花子', '鈴木 一郎'], expired: ['田中 三郎'], newComments: 3 });
const [departmentPost, programmePost] = channelPosts({ departments: [week], programme: kpiSummary('2026-12') }, '2027-01-04') as [ChannelPost, ChannelPost];

describe('Teams Workflows payload', () => {
  it('is a message with one Adaptive Card 1.5 that validates against the official schema', () => {
    for (const post of [departmentPost, programmePost]) {
      for (const locale of ['ja', 'en'] as const) {
        const message = teamsPayload(post, { siteUrl: SITE, locale });
        expect(message.type).toBe('message');
        expect(message.attachments).toHaveLength(1);
        expect(message.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
        const card = message.attachments[0]!.content;
        expect(card.version).toBe('1.5');
        expect(validateCard(card), JSON.stringify(validateCard.errors)).toBe(true);
      }
    }
  });

  it('says counts and links to the site, never the names', () => {
    const message = teamsPayload(departmentPost, { siteUrl: SITE, locale: 'ja' });
    const json = JSON.stringify(message);
    expect(json).not.toContain('佐藤');
    expect(json).not.toContain('田中');
    expect(json).toContain('営業部の週間まとめ');
    expect(json).toContain('2027年1月4日の週');
    expect(json).toContain('"title":"新たに期限を過ぎた人","value":"2人"');
    expect(json).toContain(`"url":"${SITE}/champion"`);
    const en = JSON.stringify(teamsPayload(programmePost, { siteUrl: SITE, locale: 'en' }));
    expect(en).toContain('"title":"Usage rate","value":"62% (baseline 40%)"');
    expect(en).toContain(`"url":"${SITE}/en/admin"`);
  });

  it('the schema check can fail: a card with a fact without value or an unknown property is refused', () => {
    const card = structuredClone(teamsPayload(departmentPost, { siteUrl: SITE, locale: 'ja' }).attachments[0]!.content) as { body: { facts?: unknown[] }[] };
    card.body[2]!.facts = [{ title: 'x' }];
    expect(validateCard(card)).toBe(false);
    expect(validateCard({ ...teamsPayload(departmentPost, { siteUrl: SITE, locale: 'ja' }).attachments[0]!.content, msteams: { width: 'Full' } })).toBe(false);
  });
});

describe('Slack Block Kit payload', () => {
  it('has a header, context and sections within the limits, and a text fallback', () => {
    for (const post of [departmentPost, programmePost]) {
      const message = slackPayload(post, { siteUrl: SITE, locale: 'ja' });
      expect(slackProblems(message)).toEqual([]);
      expect(message.blocks.map((b) => b.type)).toEqual(['header', 'context', 'section', 'section']);
      expect(message.text.length).toBeGreaterThan(0);
    }
    const message = slackPayload(departmentPost, { siteUrl: SITE, locale: 'en' });
    expect(message.text).toContain('Weekly summary for 営業部');
    expect(JSON.stringify(message)).not.toContain('佐藤');
    expect(message.blocks[3]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: `<${SITE}/en/champion|Open the department view>` } });
  });

  it('escapes Slack’s control characters and clips a long heading', () => {
    const [post] = channelPosts({ departments: [departmentWeek({ department: { id: 'x', name: `R&D <script> ${'長'.repeat(200)}` } })], programme: null }, '2027-01-04');
    const message = slackPayload(post!, { siteUrl: SITE, locale: 'ja' });
    expect(slackProblems(message)).toEqual([]);
    const header = message.blocks[0] as Extract<SlackBlock, { type: 'header' }>;
    expect(header.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    // The header is plain_text, shown as written; the fallback text is mrkdwn and escaped.
    expect(header.text.text.startsWith('R&D <script> 長')).toBe(true);
    expect(message.text.startsWith('R&amp;D &lt;script&gt; 長')).toBe(true);
    expect(message.text).not.toContain('<script>');
  });

  it('the limits check can fail: too many blocks, too long a section, a header in mrkdwn, no fallback', () => {
    const section = (text: string): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
    expect(slackProblems({ text: 'x', blocks: Array.from({ length: 51 }, () => section('a')) })).toEqual(['blocks: 51, at most 50']);
    expect(slackProblems({ text: 'x', blocks: [section('a'.repeat(3001))] })).toEqual(['blocks[0].text: text is 3001 characters, at most 3000']);
    expect(slackProblems({ text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'a' } }] })).toEqual([
      'blocks[0].text: a text object of type plain_text is required',
    ]);
    expect(slackProblems({ text: '', blocks: [{ type: 'section' }] })).toEqual(['text: a fallback text is required', 'blocks[0]: text or fields is required']);
    expect(slackProblems({ text: 'x', blocks: [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'a' })) }] })).toEqual([
      'blocks[0].fields: 11, at most 10',
    ]);
  });
});
