/**
 * Renewal cycles on the fixture curriculum: a window that opens, a certificate that expires, what
 * a renewal asks (everything, or the quizzes plus revised lessons), reviews after a major revision,
 * and that a renewal never locks the next tier.
 */
import { describe, expect, it } from 'vitest';
import type { Catalog, LessonNode, Revision, TierNode, TierRenewal } from '../curriculum/catalog.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { certificateValid, tierCycle, validityEnd, type CertificateEntry, type CompletionEntry } from './cycles.ts';
import { computeProgress, type LearnerRecord } from './progress.ts';

const TZ = 'Asia/Tokyo';
const day = 86_400_000;
const issued = new Date('2026-01-10T03:00:00Z');
const until = new Date('2027-01-10T03:00:00Z');

/** The fixture catalog with the basic tier's renewal rule (and optionally one lesson's major revision) set. */
function catalogWith(renewal: TierRenewal | null, revised: { lessonId: string; revision: Revision } | null = null): Catalog {
  const catalog = fixtureCatalog();
  const basic = catalog.tier('basic')! as TierNode;
  basic.renewal = renewal;
  if (revised) {
    const lesson = catalog.lesson(revised.lessonId)! as LessonNode;
    lesson.majorRevision = revised.revision;
    lesson.revisions = [revised.revision];
  }
  return catalog;
}

const YEARLY: TierRenewal = { validForMonths: 12, renewWindowDays: 30, takes: 'changed' };
const BASIC_LESSONS = ['what-is-generative-ai', 'safe-use-basics'];
const BASIC_QUIZ = 'basic-ai-essentials';

function completedBasic(cycle = 1, majorRevision: string | null = null): LearnerRecord {
  const certificate: CertificateEntry = { tierId: 'basic', cycle, code: `c${cycle}`, issuedAt: issued, validUntil: until };
  return {
    completions: BASIC_LESSONS.map((lessonId): CompletionEntry => ({ lessonId, cycle, contentVersion: 'v1', majorRevision })),
    attempts: [{ quizId: BASIC_QUIZ, cycle, attempts: 1, bestPercent: 100, passed: true }],
    certificates: [certificate],
  };
}

const at = (date: Date) => ({ now: date, timeZone: TZ });

describe('tierCycle', () => {
  const tier = catalogWith(YEARLY).tier('basic')!;
  const cert: CertificateEntry = { tierId: 'basic', cycle: 1, code: 'c1', issuedAt: issued, validUntil: until };

  it('is the first cycle before any certificate', () => {
    expect(tierCycle(tier, null, issued)).toMatchObject({ number: 1, status: 'first', renewBy: null, takes: 'all' });
  });

  it('stays certified until the window opens 30 days before the end, then opens cycle 2; expired after the end', () => {
    const opens = new Date('2026-12-11T03:00:00Z');
    expect(tierCycle(tier, cert, new Date(opens.getTime() - 1))).toMatchObject({ number: 1, status: 'certified', renewalOpensAt: opens });
    expect(tierCycle(tier, cert, opens)).toMatchObject({ number: 2, status: 'renewal-open', renewBy: until, takes: 'changed' });
    expect(tierCycle(tier, cert, until)).toMatchObject({ number: 2, status: 'expired', renewBy: until });
  });

  it('never renews a certificate without an end', () => {
    const forever = { ...cert, validUntil: null };
    expect(tierCycle(tier, forever, new Date('2040-01-01T00:00:00Z'))).toMatchObject({ number: 1, status: 'certified', renewalOpensAt: null });
  });

  it('asks for everything again when the tier says full', () => {
    const full = catalogWith({ ...YEARLY, takes: 'full' }).tier('basic')!;
    expect(tierCycle(full, cert, until).takes).toBe('all');
  });
});

describe('progress in a renewal cycle', () => {
  it('a changed renewal asks for the quiz only; the lessons read carry over; certified again after the quiz', () => {
    const catalog = catalogWith(YEARLY);
    const record = completedBasic();
    expect(computeProgress(catalog, record, at(new Date('2026-06-01T00:00:00Z'))).tier('basic')!.complete).toBe(true);

    const renewing = computeProgress(catalog, record, at(new Date('2026-12-20T00:00:00Z')));
    const basic = renewing.tier('basic')!;
    expect(basic.cycle).toMatchObject({ number: 2, status: 'renewal-open' });
    expect(basic).toMatchObject({ complete: false, lessonsDone: 2, quizzesPassed: 0 });
    expect(renewing.next).toEqual({ kind: 'quiz', courseId: 'basic-ai-essentials', quizId: BASIC_QUIZ });
    // The old cycle's pass is kept, not counted for the new cycle.
    expect(record.attempts).toHaveLength(1);

    const renewed: LearnerRecord = { ...record, attempts: [...record.attempts, { quizId: BASIC_QUIZ, cycle: 2, attempts: 1, bestPercent: 90, passed: true }] };
    expect(computeProgress(catalog, renewed, at(new Date('2026-12-21T00:00:00Z'))).tier('basic')!.complete).toBe(true);
  });

  it('a full renewal asks for every lesson and quiz again', () => {
    const catalog = catalogWith({ ...YEARLY, takes: 'full' });
    const basic = computeProgress(catalog, completedBasic(), at(new Date('2027-02-01T00:00:00Z'))).tier('basic')!;
    expect(basic.cycle.status).toBe('expired');
    expect(basic).toMatchObject({ lessonsDone: 0, quizzesPassed: 0, complete: false });
  });

  it('never locks the next tier while the first one is renewed', () => {
    const catalog = catalogWith({ ...YEARLY, takes: 'full' });
    const progress = computeProgress(catalog, completedBasic(), at(new Date('2027-02-01T00:00:00Z')));
    expect(progress.tier('applied')!.lock).toBeNull();
    expect(progress.course('applied-department-pilot')!.lock).toBeNull();
  });

  it('a tier never certified still locks what requires it', () => {
    const catalog = catalogWith(YEARLY);
    const progress = computeProgress(catalog, { completions: [], attempts: [], certificates: [] }, at(issued));
    expect(progress.tier('applied')!.lock).toEqual({ kind: 'tier', ids: ['basic'] });
  });
});

describe('major and minor revisions', () => {
  const major: Revision = { date: '2026-11-20', significance: 'major', note: { ja: '新しい社内規程に合わせました', en: 'Updated for the new company rule' } };

  it('asks those who read the older version to review it; a completion of the new version settles it', () => {
    const catalog = catalogWith(YEARLY, { lessonId: 'safe-use-basics', revision: major });
    const record = completedBasic();
    const progress = computeProgress(catalog, record, at(new Date('2026-11-25T00:00:00Z')));
    expect(progress.reviews.map((l) => l.id)).toEqual(['safe-use-basics']);
    // Certified work is not undone by a revision: the tier stays complete.
    expect(progress.tier('basic')!.complete).toBe(true);

    const reviewed: LearnerRecord = {
      ...record,
      completions: [...record.completions, { lessonId: 'safe-use-basics', cycle: 1, contentVersion: 'v2', majorRevision: '2026-11-20' }],
    };
    expect(computeProgress(catalog, reviewed, at(new Date('2026-11-26T00:00:00Z'))).reviews).toEqual([]);
  });

  it('asks nothing of someone who read the revised version, or of someone who never read it', () => {
    const catalog = catalogWith(YEARLY, { lessonId: 'safe-use-basics', revision: major });
    expect(computeProgress(catalog, completedBasic(1, '2026-11-20'), at(new Date('2026-11-25T00:00:00Z'))).reviews).toEqual([]);
    expect(computeProgress(catalog, { completions: [], attempts: [], certificates: [] }, at(issued)).reviews).toEqual([]);
  });

  it('a changed renewal asks again for the revised lesson, not for the others', () => {
    const catalog = catalogWith(YEARLY, { lessonId: 'safe-use-basics', revision: major });
    const progress = computeProgress(catalog, completedBasic(), at(new Date('2026-12-20T00:00:00Z')));
    expect(progress.lessonDone('what-is-generative-ai')).toBe(true);
    expect(progress.lessonDone('safe-use-basics')).toBe(false);
    expect(progress.tier('basic')).toMatchObject({ lessonsDone: 1, quizzesPassed: 0 });
  });
});

describe('validity', () => {
  it('counts calendar months in the app time zone; an early renewal extends from the old end', () => {
    expect(validityEnd(issued, 12, null, TZ)).toEqual(until);
    expect(validityEnd(issued, null, null, TZ)).toBeNull();
    const early = new Date(until.getTime() - 10 * day);
    expect(validityEnd(early, 12, until, TZ)).toEqual(new Date('2028-01-10T03:00:00Z'));
    const late = new Date(until.getTime() + 10 * day);
    expect(validityEnd(late, 12, until, TZ)).toEqual(new Date(late.getTime() + 365 * day));
  });

  it('a certificate is valid from its issue until (not including) its end', () => {
    const cert = { issuedAt: issued, validUntil: until };
    expect(certificateValid(cert, issued)).toBe(true);
    expect(certificateValid(cert, new Date(until.getTime() - 1))).toBe(true);
    expect(certificateValid(cert, until)).toBe(false);
    expect(certificateValid({ issuedAt: issued, validUntil: null }, new Date('2099-01-01T00:00:00Z'))).toBe(true);
  });
});
