/**
 * The transcript's shaping on the fixture curriculum: two cycles of Basic with their dates, a
 * review of a revised lesson, records the curriculum no longer has, policy acknowledgements,
 * standings at a moment, and the CSV rows.
 */
import { describe, expect, it } from 'vitest';
import { FIXTURE_CONTENT, ROOT, fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { buildPolicyCatalog } from '../policies/policies.ts';
import { readPolicies } from '../policies/read-policies.ts';
import { standingAt } from './standing.ts';
import { buildTranscript, shortVersion, transcriptCsvRows, TRANSCRIPT_CSV_HEADER, type TranscriptRecords } from './transcript.ts';

const catalog = fixtureCatalog();
const policies = buildPolicyCatalog(readPolicies(FIXTURE_CONTENT, ROOT).entries);
const TZ = 'Asia/Tokyo';
const at = (iso: string): Date => new Date(iso);
const NOW = at('2027-03-01T00:00:00Z');
const V1 = 'a1b2c3d4e5f6a7b8c9d0';
const V2 = 'ffeeddccbbaa99887766';

/** Cycle 1 (2026, expired), cycle 2 (2027, valid): the renewal the acceptance test asks for. */
const records: TranscriptRecords = {
  completions: [
    { lessonId: 'what-is-generative-ai', cycle: 1, contentVersion: '', completedAt: at('2026-01-05T01:00:00Z') },
    { lessonId: 'safe-use-basics', cycle: 1, contentVersion: '', completedAt: at('2026-01-05T02:00:00Z') },
    // the same lesson again in cycle 1, in a revised version: a review
    { lessonId: 'safe-use-basics', cycle: 1, contentVersion: V1, completedAt: at('2026-02-01T02:00:00Z') },
    { lessonId: 'safe-use-basics', cycle: 2, contentVersion: V2, completedAt: at('2027-02-10T02:00:00Z') },
    { lessonId: 'retired-lesson', cycle: 1, contentVersion: '', completedAt: at('2025-12-01T00:00:00Z') },
  ],
  attempts: [
    { id: 'att-2', quizId: 'basic-ai-essentials', cycle: 1, contentVersion: '', submittedAt: at('2026-01-06T00:00:00Z'), score: 3, maxScore: 3, passed: true },
    { id: 'att-1', quizId: 'basic-ai-essentials', cycle: 1, contentVersion: '', submittedAt: at('2026-01-05T23:00:00Z'), score: 1, maxScore: 3, passed: false },
    { id: 'att-3', quizId: 'basic-ai-essentials', cycle: 2, contentVersion: V2, submittedAt: at('2027-02-11T00:00:00Z'), score: 2, maxScore: 3, passed: true },
  ],
  certificates: [
    { tierId: 'basic', cycle: 2, code: 'code2', issuedAt: at('2027-02-11T00:00:00Z'), validUntil: at('2028-01-06T00:00:00Z') },
    { tierId: 'basic', cycle: 1, code: 'code1', issuedAt: at('2026-01-06T00:00:00Z'), validUntil: at('2027-01-06T00:00:00Z') },
    { tierId: 'retired-tier', cycle: 1, code: 'code3', issuedAt: at('2025-06-01T00:00:00Z'), validUntil: null },
  ],
  acknowledgements: [
    { policyId: 'ai-usage', version: 2, locale: 'en', acknowledgedAt: at('2027-01-02T00:00:00Z') },
    { policyId: 'ai-usage', version: 1, locale: 'ja', acknowledgedAt: at('2026-01-02T00:00:00Z') },
    { policyId: 'withdrawn', version: 3, locale: 'ja', acknowledgedAt: at('2026-06-02T00:00:00Z') },
  ],
};

describe('the transcript', () => {
  const transcript = buildTranscript(catalog, policies, records, { locale: 'ja', now: NOW, timeZone: TZ });

  it('lists each tier with every cycle in order, with its dates and certificate', () => {
    expect(transcript.empty).toBe(false);
    expect(transcript.tiers.map((t) => [t.tierId, t.title])).toEqual([
      ['basic', '基礎'],
      ['retired-tier', null],
      [null, null],
    ]);
    const basic = transcript.tiers[0]!;
    expect(basic.standing).toBe('certified');
    expect(basic.cycles.map((c) => [c.number, c.startedAt?.toISOString(), c.certificate?.code, c.certificate?.valid])).toEqual([
      [1, '2026-01-05T01:00:00.000Z', 'code1', false],
      [2, '2027-02-10T02:00:00.000Z', 'code2', true],
    ]);
    // a certificate of a tier the curriculum no longer has, and a lesson whose tier is unknown: kept, by id
    expect(transcript.tiers[1]!.cycles[0]).toMatchObject({ number: 1, startedAt: null, certificate: { code: 'code3', valid: true }, events: [] });
    expect(transcript.tiers[2]!.cycles[0]!.events).toEqual([expect.objectContaining({ kind: 'completion', itemId: 'retired-lesson', title: null })]);
  });

  it('orders the events by date, titles them in the reader’s language, and marks a revised lesson read again as a review', () => {
    const [first, second] = transcript.tiers[0]!.cycles;
    expect(first!.events.map((e) => [e.kind, e.itemId, e.kind === 'completion' ? e.review : e.passed])).toEqual([
      ['completion', 'what-is-generative-ai', false],
      ['completion', 'safe-use-basics', false],
      ['attempt', 'basic-ai-essentials', false],
      ['attempt', 'basic-ai-essentials', true],
      ['completion', 'safe-use-basics', true],
    ]);
    expect(first!.events[0]!.title).toBe('生成AIとは何か');
    expect(second!.events.map((e) => e.contentVersion)).toEqual([V2, V2]);
    expect(second!.events[1]).toMatchObject({ kind: 'attempt', attemptId: 'att-3', score: 2, max: 3, percent: 66.7, passed: true, title: '生成AIの基本 確認テスト' });
    const english = buildTranscript(catalog, policies, records, { locale: 'en', now: NOW, timeZone: TZ });
    expect(english.tiers[0]!.title).toBe('Basic');
    expect(english.tiers[0]!.cycles[0]!.events[0]!.title).toBe('What generative AI is');
  });

  it('lists policy acknowledgements oldest first, with the current version, and keeps a withdrawn policy by id', () => {
    expect(transcript.policies.map((p) => [p.policyId, p.version, p.currentVersion, p.locale, p.title])).toEqual([
      ['ai-usage', 1, 2, 'ja', 'テスト用AI利用ポリシー'],
      ['withdrawn', 3, null, 'ja', null],
      ['ai-usage', 2, 2, 'en', 'テスト用AI利用ポリシー'],
    ]);
  });

  it('is empty without any record', () => {
    const none = buildTranscript(catalog, null, { completions: [], attempts: [], certificates: [], acknowledgements: [] }, { locale: 'en', now: NOW, timeZone: TZ });
    expect(none).toEqual({ tiers: [], policies: [], empty: true });
  });

  it('writes one CSV row per event with full versions and dates with the zone’s offset', () => {
    const rows = transcriptCsvRows(transcript, TZ);
    expect(rows.every((r) => r.length === TRANSCRIPT_CSV_HEADER.length)).toBe(true);
    expect(rows.map((r) => r[0])).toEqual([
      ...['completion', 'completion', 'attempt', 'attempt', 'review', 'certificate'],
      ...['completion', 'attempt', 'certificate'],
      'certificate',
      'completion',
      ...['policy', 'policy', 'policy'],
    ]);
    const row = (type: string, n = 0) => Object.fromEntries(TRANSCRIPT_CSV_HEADER.map((h, i) => [h, rows.filter((r) => r[0] === type)[n]![i]]));
    expect(row('attempt', 2)).toEqual({
      type: 'attempt',
      tier_id: 'basic',
      cycle: 2,
      item_id: 'basic-ai-essentials',
      item_title: '生成AIの基本 確認テスト',
      content_version: V2,
      date: '2027-02-11T09:00:00.000+09:00',
      score: 2,
      max_score: 3,
      passed: 'yes',
      certificate_code: '',
      valid_until: '',
      policy_version: '',
      locale: '',
    });
    expect(row('certificate', 0)).toMatchObject({
      tier_id: 'basic',
      cycle: 1,
      certificate_code: 'code1',
      date: '2026-01-06T09:00:00.000+09:00',
      valid_until: '2027-01-06T09:00:00.000+09:00',
    });
    expect(row('certificate', 2)).toMatchObject({ tier_id: 'retired-tier', item_title: '', valid_until: '' });
    expect(row('review')).toMatchObject({ item_id: 'safe-use-basics', content_version: V1 });
    expect(row('completion', 3)).toMatchObject({ tier_id: '', item_id: 'retired-lesson', item_title: '', content_version: '' });
    expect(row('policy', 2)).toMatchObject({ item_id: 'ai-usage', policy_version: 2, locale: 'en', tier_id: '', cycle: '' });
  });

  it('shows versions short, and none as not recorded', () => {
    expect(shortVersion(V1)).toBe('a1b2c3d');
    expect(shortVersion('')).toBeNull();
  });
});

describe('standing on a tier at a moment', () => {
  const certificates = records.certificates.filter((c) => c.tierId === 'basic');
  it('counts only certificates issued by then, and tells certified, expiring within 30 days, expired and never apart', () => {
    expect(standingAt(certificates, at('2025-12-31T00:00:00Z'), TZ)).toEqual({ standing: 'never', certificate: null });
    expect(standingAt(certificates, at('2026-06-01T00:00:00Z'), TZ)).toMatchObject({ standing: 'certified', certificate: { code: 'code1' } });
    // 30 days before the end is expiring; 31 days before is not
    expect(standingAt(certificates, at('2026-12-07T00:00:00Z'), TZ).standing).toBe('expiring');
    expect(standingAt(certificates, at('2026-12-06T00:00:00Z'), TZ).standing).toBe('certified');
    // at its end it has expired; the renewal issued later does not count before its issue
    expect(standingAt(certificates, at('2027-01-06T00:00:00Z'), TZ)).toMatchObject({ standing: 'expired', certificate: { code: 'code1' } });
    expect(standingAt(certificates, at('2027-02-11T00:00:00Z'), TZ)).toMatchObject({ standing: 'certified', certificate: { code: 'code2' } });
    expect(standingAt([{ cycle: 1, issuedAt: at('2020-01-01T00:00:00Z'), validUntil: null }], NOW, TZ).standing).toBe('certified');
  });
});
