/**
 * Charts and KPIs that tell the truth: no data (not 0) before the programme existed or when the
 * baseline period is empty, axes that hold their points, legible axis text, best-attempt averages.
 */
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { computeKpis, emptyFacts, type DepartmentFacts } from './kpi.ts';
import { emptyTierFacts } from './certification.ts';
import { bestAverage } from './champion.server.ts';
import { trendSvg, yDomain } from './chart.server.ts';
import { periodOf } from './facts.server.ts';

const TZ = 'Asia/Tokyo';
const period = periodOf('2026-01', '2026-06', TZ);
const baselinePeriod = periodOf('2025-10', '2025-12', TZ);

/** Ten people, active from April (when the first user was created) on; check-ins from May. */
function facts(): DepartmentFacts {
  const f = emptyFacts(1);
  f.headcount = 10;
  f.activeByMonth = { '2026-04': 4, '2026-05': 6, '2026-06': 7 };
  f.hoursByMonth = { '2026-05': { sum: 12, respondents: 4 }, '2026-06': { sum: 20, respondents: 6 } };
  f.inquiriesByMonth = { '2025-11': 30, '2026-06': 12 };
  f.tiers = { basic: { ...emptyTierFacts(), assigned: 10, completedByMonth: { '2026-05': 1 } } };
  return f;
}

function kpisFrom(dataStart: string | null) {
  return computeKpis(facts(), period, { facts: facts(), period: baselinePeriod }, {}, ['basic'], dataStart);
}

describe('KPIs before the programme existed', () => {
  it('usage and completion have no data before the first month, instead of a fake 0 %', () => {
    const k = kpisFrom('2026-04');
    expect(k.usageRate.trend.map((p) => p.value)).toEqual([null, null, null, 0.4, 0.6, 0.7]);
    expect(k.completion.basic!.trend.map((p) => p.value)).toEqual([null, null, null, 0, 0.1, 0.1]);
    // Without the start month (the old behaviour) the same months read 0 %.
    expect(kpisFrom(null).usageRate.trend[0]!.value).toBe(0);
  });

  it('a baseline period before the programme is "no data", with no change, not "0 %, +70 points"', () => {
    const k = kpisFrom('2026-04');
    expect(k.usageRate).toMatchObject({ baseline: null, change: null, baselineEmpty: true });
    expect(k.completion.basic).toMatchObject({ baseline: null, change: null, baselineEmpty: true });
    expect(kpisFrom(null).usageRate).toMatchObject({ baseline: 0, change: 0.7, baselineEmpty: false });
  });

  it('months nobody answered the check-in have no hours (not 0 h); inquiries keep their pre-programme baseline', () => {
    const k = kpisFrom('2026-04');
    expect(k.hoursSaved.trend.map((p) => p.value)).toEqual([null, null, null, null, 12, 20]);
    expect(k.hoursSaved).toMatchObject({ value: 20, baseline: null, baselineEmpty: true, total: 32 });
    expect(k.hoursPerPerson.trend.at(-1)!.value).toBe(2);
    expect(k.inquiries).toMatchObject({ value: 12, baseline: 30, change: -18, baselineEmpty: false });
  });

  it('without a baseline period nothing is flagged as an empty baseline', () => {
    const k = computeKpis(facts(), period, null, {}, ['basic'], '2026-04');
    expect(k.usageRate.baselineEmpty).toBe(false);
    expect(k.meanScore.baselineEmpty).toBe(false);
  });
});

function parse(svg: string): Document {
  return parseHTML(`<!doctype html><html><body>${svg}</body></html>`).document;
}

describe('trend charts', () => {
  const points = [
    { month: '2026-01', value: null },
    { month: '2026-02', value: null },
    { month: '2026-03', value: 0.2 },
    { month: '2026-04', value: null },
    { month: '2026-05', value: 0.5 },
    { month: '2026-06', value: 0.6 },
  ];

  it('draws no point or month label before the first month with data; later gaps stay gaps', () => {
    const doc = parse(trendSvg(points, { unit: 'rate', locale: 'ja' })!);
    expect(doc.querySelectorAll('circle').length).toBe(3);
    const labels = [...doc.querySelectorAll('text')].map((t) => t.textContent);
    expect(labels).not.toContain('1月');
    expect(labels).not.toContain('2月');
    expect(labels).toContain('6月');
  });

  it('no data at all: no chart (the card says so)', () => {
    expect(trendSvg([{ month: '2026-01', value: null }], { unit: 'rate', locale: 'en' })).toBeNull();
  });

  it('axis text is 13 units on a 280-unit chart, and the CSP-breaking inline style is gone', () => {
    const doc = parse(trendSvg(points, { unit: 'rate', locale: 'en' })!);
    const svg = doc.querySelector('svg')!;
    expect(Number(svg.getAttribute('font-size'))).toBeGreaterThanOrEqual(13);
    expect(svg.getAttribute('viewBox')).toBe('0 0 280 130');
    expect(svg.getAttribute('style')).toBeNull();
    expect(doc.querySelector('style')).toBeNull();
  });

  it('value axes hold every point: percentages 0–100, ratings 1–5, counts from 0 above the largest', () => {
    expect(yDomain('percent', [74.6, 73.6])).toEqual([0, 100]);
    expect(yDomain('rate', [0.2])).toEqual([0, 1]);
    expect(yDomain('rating', [3.04])).toEqual([1, 5]);
    expect(yDomain('count', [120, 77])).toEqual([0, 120]);
    expect(yDomain('hours', [])).toEqual([0, 1]);
  });

  it('the mean-score dot sits inside the plotting area, below the top of the axis', () => {
    const svg = trendSvg(
      [
        { month: '2026-05', value: 73.6 },
        { month: '2026-06', value: 99.5 },
      ],
      { unit: 'percent', locale: 'en', baseline: 74.6 },
    )!;
    const doc = parse(svg);
    const ys = [...doc.querySelectorAll('circle')].map((c) => Number(c.getAttribute('cy')));
    // The axis runs 0–100 % from y = 106 to y = 12 (marginTop): 99.5 % just below the top, 73.6 % in the upper half.
    // Scaled to the data alone (the old axis), the highest dot sat on the frame and 73.6 % on the floor.
    expect(ys[1]).toBeGreaterThan(12);
    expect(ys[0]).toBeCloseTo(106 - 94 * 0.736, 0);
  });
});

describe('champion quiz average', () => {
  it('counts each quiz’s best attempt, as the completion rules do', () => {
    // One quiz: 50 % then 100 %; another: 80 %. Best per quiz → (100 + 80) / 2, not the attempts' mean.
    expect(bestAverage([{ best: 100 }, { best: 80 }])).toBe(90);
    expect(bestAverage([])).toBeNull();
  });
});
