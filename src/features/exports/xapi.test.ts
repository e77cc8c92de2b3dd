/** Statements' context extensions (cycle, content version, validity) and course completions per cycle. */
import { describe, expect, it } from 'vitest';
import type { LessonNode, TierNode } from '../curriculum/catalog.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { courseCompletions } from './xapi-courses.ts';
import { buildStatement, extensionIri, StatementSchema } from './xapi.ts';

const SITE = 'https://manabi.example.co.jp/';
const statement = (context: Parameters<typeof buildStatement>[1]['context']) =>
  buildStatement(
    { siteUrl: SITE },
    { recordKey: 'k', actorId: 'actor', verb: 'completed', activity: { type: 'lesson', path: 'lesson/x', name: { en: 'X' } }, at: new Date('2026-01-01T00:00:00Z'), context },
  );

describe('context extensions', () => {
  it('carry the cycle and the content version under SITE_URL, and validate', () => {
    const s = statement({ cycle: 2, contentVersion: 'abc1234def' });
    expect(s.context).toEqual({
      extensions: { 'https://manabi.example.co.jp/xapi/extensions/cycle': 2, 'https://manabi.example.co.jp/xapi/extensions/content-version': 'abc1234def' },
    });
    expect(StatementSchema.safeParse(s).success).toBe(true);
    // a record from before versions: no empty version; a certificate: its end
    expect(statement({ cycle: 1, contentVersion: '' }).context).toEqual({ extensions: { [extensionIri(SITE, 'cycle')]: 1 } });
    const certificate = statement({ cycle: 1, validUntil: new Date('2027-01-01T00:00:00Z') });
    expect(certificate.context?.extensions?.[extensionIri(SITE, 'valid-until')]).toBe('2027-01-01T00:00:00.000Z');
    expect(StatementSchema.safeParse(certificate).success).toBe(true);
    expect(statement(undefined).context).toBeUndefined();
  });

  it('are refused when unknown, empty or of the wrong kind', () => {
    const good = statement({ cycle: 1 });
    const cycle = extensionIri(SITE, 'cycle');
    for (const extensions of [
      {},
      { [cycle]: 0 },
      { [cycle]: 1.5 },
      { [cycle]: '1' },
      { [cycle]: 1, [extensionIri(SITE, 'content-version')]: '' },
      { [cycle]: 1, 'https://manabi.example.co.jp/xapi/extensions/other': 'x' },
      { [cycle]: 1, [extensionIri(SITE, 'valid-until')]: '2027-01-01' },
      { cycle: 1 },
    ]) {
      expect(StatementSchema.safeParse({ ...good, context: { extensions } }).success, JSON.stringify(extensions)).toBe(false);
    }
    expect(StatementSchema.safeParse({ ...good, context: { extensions: { [cycle]: 1 }, platform: 'x' } }).success).toBe(false);
  });
});

describe('course completions per cycle', () => {
  const lessons = (cycle: number, at: number) => ['what-is-generative-ai', 'safe-use-basics'].map((id, i) => ({ id, cycle, at: at + i }));
  const pass = (cycle: number, at: number) => ({ id: 'basic-ai-essentials', cycle, at });

  it('completes a course once per cycle, at the last of its lessons and passes', () => {
    const catalog = fixtureCatalog();
    expect(courseCompletions(catalog, [...lessons(1, 100), ...lessons(2, 500)], [pass(1, 50), pass(1, 300), pass(2, 600)])).toEqual([
      { courseId: 'basic-ai-essentials', cycle: 1, at: 101 },
      { courseId: 'basic-ai-essentials', cycle: 2, at: 600 },
    ]);
    // not passed: not complete
    expect(courseCompletions(catalog, lessons(1, 100), [])).toEqual([]);
  });

  it('carries earlier lessons into a renewal that takes what changed, not into a full one', () => {
    const catalog = fixtureCatalog();
    const basic = catalog.tier('basic')! as TierNode;
    basic.renewal = { validForMonths: 12, renewWindowDays: 30, takes: 'changed' };
    expect(courseCompletions(catalog, lessons(1, 100), [pass(1, 150), pass(2, 900)])).toEqual([
      { courseId: 'basic-ai-essentials', cycle: 1, at: 150 },
      { courseId: 'basic-ai-essentials', cycle: 2, at: 900 },
    ]);
    basic.renewal = { ...basic.renewal, takes: 'full' };
    expect(courseCompletions(catalog, lessons(1, 100), [pass(1, 150), pass(2, 900)])).toEqual([{ courseId: 'basic-ai-essentials', cycle: 1, at: 150 }]);
  });

  it('carries an earlier read only if no major revision came between it and the renewal', () => {
    const catalog = fixtureCatalog();
    const basic = catalog.tier('basic')! as TierNode;
    basic.renewal = { validForMonths: 12, renewWindowDays: 30, takes: 'changed' };
    const revised = catalog.lesson('safe-use-basics')! as LessonNode;
    const day = (iso: string): number => Date.parse(`${iso}T03:00:00Z`);
    revised.revisions = [{ date: '2026-06-01', significance: 'major', note: { en: 'New rules' } }];
    revised.majorRevision = revised.revisions[0]!;
    const readIn1 = [
      { id: 'what-is-generative-ai', cycle: 1, at: day('2026-01-10'), majorRevision: null },
      { id: 'safe-use-basics', cycle: 1, at: day('2026-01-11'), majorRevision: null },
    ];
    const passes = [pass(1, day('2026-01-12')), pass(2, day('2026-12-20'))];
    // revised in June, renewal passed in December without re-reading it: cycle 2 is not complete
    expect(courseCompletions(catalog, readIn1, passes)).toEqual([{ courseId: 'basic-ai-essentials', cycle: 1, at: day('2026-01-12') }]);
    // re-read in cycle 2: complete
    const reread = { id: 'safe-use-basics', cycle: 2, at: day('2026-12-19'), majorRevision: '2026-06-01' };
    expect(courseCompletions(catalog, [...readIn1, reread], passes).map((c) => c.cycle)).toEqual([1, 2]);
    // reviewed in cycle 1 after the revision: that read carries
    const review = { id: 'safe-use-basics', cycle: 1, at: day('2026-07-01'), majorRevision: '2026-06-01' };
    expect(courseCompletions(catalog, [...readIn1, review], passes)).toEqual([
      { courseId: 'basic-ai-essentials', cycle: 1, at: day('2026-01-12') },
      { courseId: 'basic-ai-essentials', cycle: 2, at: day('2026-12-20') },
    ]);
    // a revision after the renewal was complete does not take it back (the export is stable)
    revised.revisions = [{ date: '2027-01-05', significance: 'major', note: { en: 'Later' } }];
    revised.majorRevision = revised.revisions[0]!;
    expect(courseCompletions(catalog, readIn1, passes).map((c) => c.cycle)).toEqual([1, 2]);
    // a minor revision never blocks
    revised.revisions = [{ date: '2026-06-01', significance: 'minor', note: { en: 'Typo' } }];
    revised.majorRevision = null;
    expect(courseCompletions(catalog, readIn1, passes).map((c) => c.cycle)).toEqual([1, 2]);
  });
});
