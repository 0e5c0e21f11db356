// Trace plot: one line per MCMC chain against iteration (or any x, e.g.
// wall-clock seconds), with an optional dashed reference such as the true λ.
// `yScale: 'log'` suits training-loss curves that span decades.
import { pairStats, positiveOnly, thinnedPoints, unionExtent, usableDomain, usableLogDomain, type XY } from './data';
import { DEFAULT_MAX_POINTS } from './downsample';
import { createFrame, renderSvg, type Frame, type LegendEntry } from './frame';
import { num } from './format';
import { seriesColor } from './palette';
import { drawReferences, referenceExtent, referenceLegend, referenceNotes } from './reference';
import type { PlotSize, ReferenceLine, Thinning } from './types';

export interface TraceChain {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** Legend label; defaults to "chain <index>". */
  readonly label?: string;
}

export interface TracePlotInput extends PlotSize, Thinning {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly chains: readonly TraceChain[];
  readonly referenceLine?: ReferenceLine;
  /** 'log': base-10 y axis; values <= 0 are skipped (gaps) and counted in a note. Default 'linear'. */
  readonly yScale?: 'linear' | 'log';
}

export function tracePlot(input: TracePlotInput): string {
  const maxPoints = input.maxPoints ?? DEFAULT_MAX_POINTS;
  const log = input.yScale === 'log';
  if (input.yScale !== undefined && input.yScale !== 'linear' && !log) {
    throw new Error(`yScale must be 'linear' or 'log', got ${String(input.yScale)}`);
  }
  const given = input.referenceLine ? [input.referenceLine] : [];
  // On a log axis a reference <= 0 cannot be drawn: say so instead.
  const refs = log ? given.filter((r) => !(r.value <= 0)) : given;
  const unplottableRefs = given.filter((r) => !refs.includes(r));
  let nonPositive = 0;
  const chains = input.chains.map((c) => {
    if (!log) return c;
    const p = positiveOnly(c.y, c.x);
    nonPositive += p.nonPositive;
    return { ...c, y: p.values };
  });
  const stats = chains.map((c) => pairStats(c.x, c.y));
  const xExtent = unionExtent(...stats.map((s) => s.xExtent));
  const yExtent = unionExtent(...stats.map((s) => s.yExtent), referenceExtent(refs));
  const anyFinite = stats.some((s) => s.xExtent !== undefined);

  const legend: LegendEntry[] =
    chains.length > 1 || refs.length > 0
      ? [
          ...chains.map((c, i) => ({ label: c.label ?? `chain ${i}`, color: seriesColor(i), kind: 'line' as const })),
          ...referenceLegend(refs),
        ]
      : [];

  const skipped = stats.reduce((a, s) => a + s.nonFinite, 0) - nonPositive;
  const thinned = stats.some((s) => s.n > maxPoints);
  const notes = [
    ...(skipped > 0 ? [`${skipped} non-finite value${skipped === 1 ? '' : 's'} skipped`] : []),
    ...(nonPositive > 0 ? [`${nonPositive} value${nonPositive === 1 ? '' : 's'} <= 0 skipped (log scale)`] : []),
    ...(thinned ? [`lines thinned to ≤${maxPoints} points`] : []),
    ...referenceNotes(refs),
    ...unplottableRefs.map((r) => `reference "${r.label}" is ${r.value}, not drawn on a log scale`),
  ];

  const message =
    chains.length === 0
      ? 'No chains to plot'
      : stats.every((s) => s.n === 0)
        ? 'No data to plot'
        : !anyFinite
          ? log && nonPositive > 0
            ? 'No positive values to plot on a log scale'
            : 'No finite values to plot'
          : undefined;

  const frame = createFrame({
    title: input.title,
    xLabel: input.xLabel,
    yLabel: input.yLabel,
    width: input.width,
    height: input.height,
    x: { kind: 'linear', domain: usableDomain(xExtent) },
    y: log ? { kind: 'log', domain: usableLogDomain(yExtent) } : { kind: 'linear', domain: usableDomain(yExtent) },
    legend,
    notes,
    message,
  });

  chains.forEach((c, i) => drawSeries(frame, thinnedPoints(c.x, c.y, maxPoints), seriesColor(i)));
  drawReferences(frame, refs);
  return renderSvg(frame);
}

const finitePoint = (p: XY): boolean => Number.isFinite(p.x) && Number.isFinite(p.y);

/**
 * A polyline with gaps at non-finite points. A lone finite point would be an
 * invisible zero-length line, so it is drawn as a dot instead.
 */
export function drawSeries(frame: Frame, points: readonly XY[], color: string, width = 1.25): void {
  const finite = points.filter(finitePoint);
  if (finite.length === 1) {
    const p = finite[0]!;
    frame.data.append('circle').attr('cx', num(frame.x(p.x))).attr('cy', num(frame.y(p.y))).attr('r', 2.5).attr('fill', color);
    return;
  }
  const d = frame.d3
    .line<XY>()
    .defined(finitePoint)
    .x((p) => frame.x(p.x))
    .y((p) => frame.y(p.y))
    .digits(2)(points);
  if (!d) return;
  frame.data
    .append('path')
    .attr('d', d)
    .attr('fill', 'none')
    .attr('stroke', color)
    .attr('stroke-width', width)
    .attr('stroke-linejoin', 'round')
    // Round caps make isolated points between gaps ("M x,y Z") show as dots.
    .attr('stroke-linecap', 'round')
    .attr('stroke-opacity', 0.9);
}
