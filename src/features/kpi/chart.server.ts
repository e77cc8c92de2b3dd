/**
 * Trend charts as server-rendered SVG with Observable Plot (no JavaScript in the browser).
 * Plot needs a DOM; linkedom provides one on the server. Plot's inline <style> is dropped:
 * the equivalent rules live in the site's stylesheet (so the CSP needs no inline styles).
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { formatMonthAxis } from '../../platform/dates.ts';
import { formatValue, type Unit } from '../../platform/i18n/format.ts';
import type { Locale } from '../../platform/i18n/locales.ts';

const { document } = parseHTML('<!doctype html><html><body></body></html>');

export interface TrendOptions {
  unit: Unit;
  locale: Locale;
  /** Drawn as a dashed line. */
  baseline?: number | null;
  target?: number | null;
  width?: number;
  height?: number;
}

/** Axis text in SVG units; with the default width the chart is drawn near 1:1, so labels stay ≥ 12 px on screen. */
const FONT_SIZE = 13;

/** The value axis: rates and percentages always 0–100 %, ratings 1–5, counts and hours from 0 to above the largest value. */
export function yDomain(unit: Unit, values: number[]): [number, number] {
  const top = Math.max(0, ...values);
  switch (unit) {
    case 'rate':
      return [0, Math.max(1, top)];
    case 'percent':
      return [0, Math.max(100, top)];
    case 'rating':
      return [1, 5];
    default:
      return [0, top > 0 ? top : 1];
  }
}

/**
 * The trend as SVG, or null when no month has data. Months before the first with data are left
 * out (no points before the programme existed); later months without data are gaps in the line.
 */
export function trendSvg(points: { month: string; value: number | null }[], options: TrendOptions): string | null {
  const first = points.findIndex((p) => p.value !== null);
  if (first === -1) return null;
  // Short month labels ("6月", "Jun"); the year is in the table and the page's period line.
  const short = (month: string) => formatMonthAxis(month, options.locale);
  const data = points.slice(first).map((p) => ({ label: p.month, value: p.value }));
  const labelStep = data.length <= 4 ? 1 : Math.ceil(data.length / 4);
  const known = data.filter((d) => d.value !== null);
  const lines = [options.baseline, options.target].filter((v): v is number => v !== null && v !== undefined);
  const domain = yDomain(options.unit, [...known.map((d) => d.value!), ...lines]);
  const marks: Plot.Markish[] = [Plot.ruleY([domain[0]], { stroke: '#c8d0cc' })];
  if (options.baseline !== null && options.baseline !== undefined) {
    marks.push(Plot.ruleY([options.baseline], { stroke: '#8a5a00', strokeDasharray: '4 3' }));
  }
  if (options.target !== null && options.target !== undefined) {
    marks.push(Plot.ruleY([options.target], { stroke: '#1f6b35', strokeDasharray: '2 2' }));
  }
  marks.push(
    // Months without data are gaps in the line (Plot skips null values).
    Plot.lineY(data, { x: 'label', y: 'value', stroke: '#1f5f56', strokeWidth: 2 }),
    Plot.dot(known, { x: 'label', y: 'value', fill: '#1f5f56', r: 3 }),
  );
  const svg = Plot.plot({
    document,
    width: options.width ?? 280,
    height: options.height ?? 130,
    marginLeft: options.locale === 'ja' ? 54 : 46,
    marginRight: 12,
    marginTop: 12,
    marginBottom: 24,
    style: { background: 'transparent' },
    x: {
      type: 'point',
      label: null,
      domain: data.map((d) => d.label),
      // At most four labels, counted back from the latest month, so 13-unit text never collides.
      tickFormat: (month: string, i: number) => ((data.length - 1 - i) % labelStep === 0 ? short(month) : ''),
    },
    y: {
      label: null,
      grid: true,
      ticks: 3,
      domain,
      nice: options.unit === 'count' || options.unit === 'hours',
      tickFormat: (v: number) => formatValue(v, options.unit, options.locale),
    },
    marks,
  }) as unknown as SVGSVGElement;
  for (const style of svg.querySelectorAll('style')) style.remove();
  svg.removeAttribute('style');
  svg.setAttribute('font-size', String(FONT_SIZE));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'trend-chart');
  return svg.outerHTML;
}
