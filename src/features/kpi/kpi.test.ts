/**
 * KPI definitions on a small hand-built organisation with known answers, through the real
 * SQL loader on a real SQLite file.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityMonths, attemptAnswers, certificates, checkins, helpdeskInquiries, lessonFeedback, quizAttempts, users } from '../../../db/schema/index.ts';
import { combineFacts, computeKpis, targetMet, type DepartmentFacts, type KpiSet } from './kpi.ts';
import { ensureDefaultAssignments, syncEnrolments } from '../programme/assignments.server.ts';
import { loadFacts, loadFactsOfPeriods, periodOf } from './facts.server.ts';
import { correctOptionsOf } from './questions.ts';
import { rebuildRollups } from './rollups.server.ts';
import { ensureDepartment } from '../users/users.server.ts';
import { addUser, tempDb, type TempDb } from '../../../tests/helpers/db.ts';
import { fixtureCatalog } from '../../../tests/helpers/fixture.ts';
import { rawDrizzle } from '../../platform/db.server.ts';

const TZ = 'Asia/Tokyo';
const catalog = fixtureCatalog();
const at = (iso: string) => new Date(`${iso}+09:00`);
let t: TempDb;
let facts: DepartmentFacts[];
let baselineFacts: DepartmentFacts[];
let sales: number;
let hr: number;
const period = periodOf('2026-09', '2026-11', TZ);
const baselinePeriod = periodOf('2026-06', '2026-08', TZ);

function kpis(departmentIds: number[] | null): KpiSet {
  return computeKpis(combineFacts(facts, departmentIds), period, { facts: combineFacts(baselineFacts, departmentIds), period: baselinePeriod }, correctOptionsOf(catalog), [
    'basic',
    'applied',
    'specialist',
  ]);
}

beforeAll(async () => {
  t = tempDb();
  const db = t.db;
  sales = await ensureDepartment(rawDrizzle(db), 'Sales');
  hr = await ensureDepartment(rawDrizzle(db), 'HR');
  const u: Record<string, number> = {};
  for (const name of ['s1', 's2', 's3', 's4']) u[name] = await addUser(db, { email: `${name}@x.jp`, department: 'Sales' });
  for (const name of ['h1', 'h2', 'h3']) u[name] = await addUser(db, { email: `${name}@x.jp`, department: 'HR' });
  await rawDrizzle(db).update(users).set({ active: false }).where(eq(users.id, u.h3!));
  await ensureDefaultAssignments(rawDrizzle(db));
  await syncEnrolments(rawDrizzle(db));

  const active = async (name: string, month: string) =>
    await rawDrizzle(db)
      .insert(activityMonths)
      .values({ userId: u[name]!, month, firstAt: at(`${month}-02T10:00:00`) });
  for (const name of ['s1', 's2', 's3', 'h1']) await active(name, '2026-11');
  await active('s1', '2026-10');
  await active('s1', '2026-07');

  const checkin = async (name: string, month: string, hoursSaved: number) =>
    await rawDrizzle(db).insert(checkins).values({ userId: u[name]!, month, hoursSaved, tasks: null, updatedAt: new Date() });
  await checkin('s1', '2026-11', 4);
  await checkin('s2', '2026-11', 2.5);
  await checkin('h1', '2026-11', 1);
  await checkin('s1', '2026-10', 2);

  const inquiries = async (month: string, departmentId: number | null, count: number) =>
    await rawDrizzle(db).insert(helpdeskInquiries).values({ month, departmentId, count, updatedAt: new Date() });
  await inquiries('2026-06', null, 30);
  await inquiries('2026-07', null, 20);
  await inquiries('2026-08', null, 10);
  await inquiries('2026-11', sales, 5);
  await inquiries('2026-11', hr, 3);
  await inquiries('2026-11', null, 2);

  await rawDrizzle(db)
    .insert(certificates)
    .values({ code: 'c'.repeat(24), userId: u.s1!, tierId: 'basic', holderName: 's1', issuedAt: at('2026-10-15T12:00:00') });
  await rawDrizzle(db)
    .insert(certificates)
    .values({ code: 'd'.repeat(24), userId: u.s2!, tierId: 'basic', holderName: 's2', issuedAt: at('2026-11-10T12:00:00') });

  // Quiz basic-ai-essentials: how-it-writes (b), customer-list (b), check-output (confidential+facts)
  let n = 0;
  const attempt = async (name: string, when: string, answers: [string, string[]][]) => {
    const id = `attempt${String(n++).padStart(17, '0')}`;
    const key = catalog.quiz('basic-ai-essentials')!.questions;
    const graded = answers.map(([q, chosen]) => {
      const correct = [...key.find((k) => k.id === q)!.correctOptionIds].sort();
      return { questionId: q, chosenOptionIds: [...chosen].sort(), correct: JSON.stringify([...chosen].sort()) === JSON.stringify(correct) };
    });
    const score = graded.filter((g) => g.correct).length;
    await rawDrizzle(db)
      .insert(quizAttempts)
      .values({ id, userId: u[name]!, quizId: 'basic-ai-essentials', startedAt: at(when), submittedAt: at(when), score, maxScore: 3, passed: score * 100 >= 70 * 3 });
    await rawDrizzle(db)
      .insert(attemptAnswers)
      .values(graded.map((g) => ({ attemptId: id, ...g })));
  };
  await attempt('s1', '2026-10-03T09:00:00', [
    ['how-it-writes', ['a']],
    ['customer-list', ['b']],
    ['check-output', ['facts']],
  ]);
  await attempt('s1', '2026-10-04T09:00:00', [
    ['how-it-writes', ['b']],
    ['customer-list', ['b']],
    ['check-output', ['facts', 'confidential']],
  ]);
  await attempt('s2', '2026-11-05T09:00:00', [
    ['how-it-writes', ['b']],
    ['customer-list', ['b']],
    ['check-output', ['confidential', 'facts']],
  ]);
  await attempt('h1', '2026-11-06T09:00:00', [
    ['how-it-writes', ['a']],
    ['customer-list', ['c']],
    ['check-output', ['trust']],
  ]);

  await rawDrizzle(db)
    .insert(lessonFeedback)
    .values({ userId: u.s1!, lessonId: 'safe-use-basics', rating: 4, locale: 'ja', updatedAt: at('2026-11-08T10:00:00') });
  await rawDrizzle(db)
    .insert(lessonFeedback)
    .values({ userId: u.h1!, lessonId: 'safe-use-basics', rating: 2, comment: 'わかりにくい', locale: 'ja', updatedAt: at('2026-11-09T10:00:00') });

  // The rows above were written directly, not through the write paths: derive the roll-ups.
  await rebuildRollups(db, catalog, TZ);
  facts = await loadFacts(db, period);
  baselineFacts = await loadFacts(db, baselinePeriod);
});

afterAll(() => t?.cleanup());

describe('KPIs on a known organisation', () => {
  it('usage rate = monthly active ÷ active headcount, per department and company, with baseline', () => {
    const company = kpis(null);
    expect(company.headcount).toBe(6);
    expect(company.usageRate.value).toBeCloseTo(4 / 6);
    expect(company.usageRate.trend.map((p) => p.value)).toEqual([0, 1 / 6, 4 / 6]);
    expect(company.usageRate.baseline).toBeCloseTo(1 / 6 / 3);
    expect(kpis([sales]).usageRate.value).toBeCloseTo(0.75);
    expect(kpis([hr]).usageRate.value).toBeCloseTo(0.5);
  });

  it('completion rate per tier = completed ÷ assigned (defaults assign Basic to everyone)', () => {
    const company = kpis(null);
    expect(company.completion.basic).toMatchObject({ assigned: 6, completed: 2 });
    expect(company.completion.basic!.value).toBeCloseTo(2 / 6);
    expect(company.completion.basic!.trend.map((p) => p.value)).toEqual([0, 1 / 6, 2 / 6]);
    expect(company.completion.applied!.assigned).toBe(0);
    expect(company.completion.applied!.value).toBeNull();
    expect(kpis([sales]).completion.basic!.value).toBeCloseTo(0.5);
  });

  it('quiz: pass rate, first-attempt pass rate, mean score', () => {
    const company = kpis(null);
    expect(company.passRate.value).toBeCloseTo(2 / 3);
    expect(company.firstAttemptPassRate.value).toBeCloseTo(1 / 3);
    expect(company.meanScore.value).toBeCloseTo((100 / 3 + 100 + 100 + 0) / 4);
    expect(kpis([sales]).firstAttemptPassRate.value).toBeCloseTo(1 / 2);
  });

  it('per question: share correct and the most chosen wrong option', () => {
    const q = kpis(null).questions.find((x) => x.questionId === 'basic-ai-essentials/how-it-writes')!;
    expect(q).toEqual({ questionId: 'basic-ai-essentials/how-it-writes', answers: 4, correctRate: 0.5, mostChosenWrong: { optionId: 'a', count: 2 } });
    const multiple = kpis(null).questions.find((x) => x.questionId === 'basic-ai-essentials/check-output')!;
    // s1 chose only "facts" (a correct option, so not a wrong one); h1 chose "trust"
    expect(multiple.mostChosenWrong).toEqual({ optionId: 'trust', count: 1 });
    expect(kpis(null).questions[0]!.correctRate).toBeLessThanOrEqual(kpis(null).questions.at(-1)!.correctRate!);
  });

  it('lists questions with the same figures in the order of their ids, whatever order the database grouped them in', () => {
    const combined = combineFacts(facts, null);
    const same = { answers: 2, correct: 1, wrongOptions: {} };
    const ids = (questions: DepartmentFacts['questions']): string[] =>
      computeKpis({ ...combined, questions }, period, null, correctOptionsOf(catalog), ['basic', 'applied', 'specialist']).questions.map((q) => q.questionId);
    expect(ids({ 'q/c': same, 'q/b': same, 'q/a': same })).toEqual(['q/a', 'q/b', 'q/c']);
    expect(ids({ 'q/a': same, 'q/c': same, 'q/b': same })).toEqual(['q/a', 'q/b', 'q/c']);
  });

  it('hours saved: the month’s sum, per person over headcount, and the range total', () => {
    const company = kpis(null);
    expect(company.hoursSaved.value).toBe(7.5);
    expect(company.hoursSaved.total).toBe(9.5);
    expect(company.hoursPerPerson.value).toBeCloseTo(7.5 / 6);
    expect(kpis([sales]).hoursPerPerson.value).toBeCloseTo(6.5 / 4);
  });

  it('help-desk inquiries against the baseline', () => {
    const company = kpis(null);
    expect(company.inquiries.value).toBe(10);
    expect(company.inquiries.baseline).toBe(20);
    expect(company.inquiries.change).toBe(-10);
    expect(kpis([sales]).inquiries.value).toBe(5);
  });

  it('satisfaction: mean rating', () => {
    expect(kpis(null).satisfaction).toMatchObject({ value: 3, responses: 2 });
  });

  it('targets: met or not', () => {
    expect(targetMet(0.75, 'gte', 0.6)).toBe(true);
    expect(targetMet(0.5, 'gte', 0.6)).toBe(false);
    expect(targetMet(10, 'lte', 12)).toBe(true);
    expect(targetMet(null, 'gte', 1)).toBeNull();
  });
});

describe('several periods in one read (the dashboard and its baseline)', () => {
  it('gives each period the same facts as loading it alone, in any order, an empty period included', async () => {
    const when = at('2026-12-01T09:00:00').getTime();
    const empty = periodOf('2026-10', '2026-09', TZ);
    const alone = [await loadFacts(t.db, period, when), await loadFacts(t.db, baselinePeriod, when), await loadFacts(t.db, empty, when)];
    expect(alone[0]).not.toEqual(alone[1]);
    expect(await loadFactsOfPeriods(t.db, [period, baselinePeriod, empty], when)).toEqual(alone);
    expect(await loadFactsOfPeriods(t.db, [empty, baselinePeriod, period], when)).toEqual([...alone].reverse());
  });

  it('leaves the per-question facts out of a baseline without changing any KPI', async () => {
    const [main, base] = await loadFactsOfPeriods(t.db, [period, baselinePeriod], undefined, { questionsOfFirstOnly: true });
    expect(main).toEqual(facts);
    expect(base).toEqual(baselineFacts.map((f) => ({ ...f, questions: {} })));
    const tiers = ['basic', 'applied', 'specialist'];
    for (const ids of [null, [sales], [hr]]) {
      const lean = computeKpis(combineFacts(main!, ids), period, { facts: combineFacts(base!, ids), period: baselinePeriod }, correctOptionsOf(catalog), tiers);
      expect(lean).toEqual(kpis(ids));
    }
  });
});
