// Scatter plot of one or more (x, y) series, e.g. student vs teacher
// predictions, with an optional dashed y = x diagonal. Large series are
// thinned deterministically (evenly spaced indices) to at most `maxPoints` points in all.
import { pairStats, unionExtent, usableDomain } from './data';
import { checkInteger } from './histogram';
import { createFrame, renderSvg, type LegendEntry } from './frame';
import { num } from './format';
import { referenceStyle, seriesColor } from './palette';
import type { PlotSize, Thinning } from './types';

export interface ScatterSeries {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly label: string;
}

export interface ScatterPlotInput extends PlotSize, Thinning {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ScatterSeries[];
  /** Draw the y = x line; both axes then share one range. */
  readonly diagonal?: boolean;
}

/** Default cap on the points drawn, over all series together. */
export const SCATTER_MAX_POINTS = 3000;

export function scatterPlot(input: ScatterPlotInput): string {
  const maxPoints = checkInteger('maxPoints', input.maxPoints ?? SCATTER_MAX_POINTS, 2);
  const stats = input.series.map((s) => pairStats(s.x, s.y));
  const total = stats.reduce((a, s) => a + s.n, 0);
  // Each series keeps a share of the budget proportional to its size.
  // Floors, so the shares never add up to more than maxPoints.
  const quota = stats.map((s) => (total <= maxPoints ? s.n : Math.floor((maxPoints * s.n) / total)));
  let xExtent = unionExtent(...stats.map((s) => s.xExtent));
  let yExtent = unionExtent(...stats.map((s) => s.yExtent));
  const diagonal = input.diagonal === true;
  if (diagonal) xExtent = yExtent = unionExtent(xExtent, yExtent);

  const skipped = stats.reduce((a, s) => a + s.nonFinite, 0);
  const style = referenceStyle(0);
  const legend: LegendEntry[] = [
    ...input.series.map((s, i) => ({ label: s.label, color: seriesColor(i), kind: 'dot' as const })),
    ...(diagonal && xExtent ? [{ label: 'y = x', color: style.color, kind: 'dashed' as const, dash: style.dash }] : []),
  ];
  const notes = [
    ...(skipped > 0 ? [`${skipped} non-finite point${skipped === 1 ? '' : 's'} skipped`] : []),
    ...(total > maxPoints ? [`thinned to ≤${maxPoints} of ${total} points`] : []),
  ];
  const message =
    input.series.length === 0
      ? 'No series to plot'
      : total === 0
        ? 'No data to plot'
        : !xExtent
          ? 'No finite points to plot'
          : undefined;

  const frame = createFrame({
    title: input.title,
    xLabel: input.xLabel,
    yLabel: input.yLabel,
    width: input.width,
    height: input.height,
    x: { kind: 'linear', domain: usableDomain(xExtent) },
    y: { kind: 'linear', domain: usableDomain(yExtent) },
    legend,
    notes,
    message,
  });
  input.series.forEach((s, si) => {
    const g = frame.data.append('g').attr('fill', seriesColor(si)).attr('fill-opacity', 0.55);
    for (const i of pick(stats[si]!.n, quota[si]!)) {
      const x = s.x[i]!, y = s.y[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      g.append('circle').attr('cx', num(frame.x(x))).attr('cy', num(frame.y(y))).attr('r', 2.25);
    }
  });
  if (diagonal && xExtent) {
    const [lo, hi] = usableDomain(xExtent);
    frame.overlay
      .append('line')
      .attr('x1', num(frame.x(lo)))
      .attr('y1', num(frame.y(lo)))
      .attr('x2', num(frame.x(hi)))
      .attr('y2', num(frame.y(hi)))
      .attr('stroke', style.color)
      .attr('stroke-width', 1.5)
      .attr('stroke-dasharray', style.dash);
  }
  return renderSvg(frame);
}

/**
 * min(n, q) indices spread evenly over 0…n−1 (⌊i·n/q⌋): deterministic like
 * striding, but uses the whole budget instead of rounding the stride up.
 */
function pick(n: number, q: number): number[] {
  if (q >= n) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: Math.max(0, q) }, (_, i) => Math.floor((i * n) / q));
}
