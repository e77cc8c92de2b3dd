/**
 * Trend charts as server-rendered SVG with Observable Plot (no JavaScript in the browser).
 * Plot needs a DOM; linkedom provides one on the server. Plot's inline <style> is dropped:
 * the equivalent rules live in the site's stylesheet (so the CSP needs no inline styles).
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { formatMonthAxis } from '../dates.ts';
import { formatValue, type Unit } from '../format.ts';
import type { Locale } from '../locales.ts';

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

export function trendSvg(points: { month: string; value: number | null }[], options: TrendOptions): string {
  // Short month labels ("6月", "Jun"); the year is in the table and the page's period line.
  const short = (month: string) => formatMonthAxis(month, options.locale);
  const data = points.map((p) => ({ label: p.month, value: p.value }));
  const known = data.filter((d) => d.value !== null);
  const marks: Plot.Markish[] = [Plot.ruleY([0], { stroke: '#c8d0cc' })];
  if (options.baseline !== null && options.baseline !== undefined) {
    marks.push(Plot.ruleY([options.baseline], { stroke: '#8a5a00', strokeDasharray: '4 3' }));
  }
  if (options.target !== null && options.target !== undefined) {
    marks.push(Plot.ruleY([options.target], { stroke: '#1f6b35', strokeDasharray: '2 2' }));
  }
  marks.push(
    // Months without data are gaps in the line (Plot skips null values).
    Plot.lineY(data, { x: 'label', y: 'value', stroke: '#1f5f56', strokeWidth: 2 }),
    Plot.dot(known, { x: 'label', y: 'value', fill: '#1f5f56', r: 2.5 }),
  );
  const svg = Plot.plot({
    document,
    width: options.width ?? 320,
    height: options.height ?? 120,
    marginLeft: 44,
    marginBottom: 22,
    style: { fontSize: '10px', background: 'transparent' },
    x: {
      type: 'point',
      label: null,
      domain: data.map((d) => d.label),
      tickFormat: (month: string, i: number) => (data.length > 7 && i % Math.ceil(data.length / 6) !== 0 ? '' : short(month)),
    },
    y: {
      label: null,
      grid: true,
      ticks: 3,
      tickFormat: (v: number) => formatValue(v, options.unit, options.locale),
      ...(options.unit === 'rate' ? { domain: [0, Math.max(1, ...known.map((d) => d.value ?? 0))] } : {}),
    },
    marks,
  }) as unknown as SVGSVGElement;
  svg.querySelectorAll('style').forEach((style) => style.remove());
  svg.removeAttribute('style');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'trend-chart');
  return svg.outerHTML;
}
