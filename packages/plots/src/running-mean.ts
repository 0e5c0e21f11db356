// Running mean with a shaded uncertainty band (e.g. ± MCSE) and an optional
// reference, to show whether an estimate has settled and where.
import { finiteExtent, pairStats, sharedLength, unionExtent, usableDomain } from './data';
import { DEFAULT_MAX_POINTS, downsampleIndices } from './downsample';
import { createFrame, renderSvg, type LegendEntry } from './frame';
import { seriesColor } from './palette';
import { drawReferences, referenceExtent, referenceLegend, referenceNotes } from './reference';
import { drawSeries } from './trace';
import type { PlotSize, ReferenceLine, Thinning } from './types';

export interface RunningMeanPlotInput extends PlotSize, Thinning {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly x: ArrayLike<number>;
  readonly mean: ArrayLike<number>;
  readonly lower: ArrayLike<number>;
  readonly upper: ArrayLike<number>;
  readonly referenceLine?: ReferenceLine;
  /** Legend label of the line (default "running mean"). */
  readonly meanLabel?: string;
  /** Legend label of the band (default "± MCSE"). */
  readonly bandLabel?: string;
}

interface BandPoint {
  readonly x: number;
  readonly lo: number;
  readonly hi: number;
}

export function runningMeanPlot(input: RunningMeanPlotInput): string {
  const maxPoints = input.maxPoints ?? DEFAULT_MAX_POINTS;
  const refs = input.referenceLine ? [input.referenceLine] : [];
  const n = sharedLength(input.x, input.mean, input.lower, input.upper);
  const meanStats = pairStats(input.x, input.mean, n);
  const band = bandPoints(input, n);
  const bandFinite = band.filter(finiteBand);
  const yExtent = unionExtent(
    meanStats.yExtent,
    finiteExtent(bandFinite.map((b) => b.lo)),
    finiteExtent(bandFinite.map((b) => b.hi)),
    referenceExtent(refs),
  );
  const xExtent = unionExtent(meanStats.xExtent, finiteExtent(bandFinite.map((b) => b.x)));
  const color = seriesColor(0);

  const legend: LegendEntry[] = [
    { label: input.meanLabel ?? 'running mean', color, kind: 'line' },
    { label: input.bandLabel ?? '± MCSE', color, kind: 'band' },
    ...referenceLegend(refs),
  ];
  const notes = [
    ...(meanStats.nonFinite > 0 ? [`${meanStats.nonFinite} non-finite mean value${meanStats.nonFinite === 1 ? '' : 's'} skipped`] : []),
    ...(n > maxPoints ? [`thinned to ≤${maxPoints} points`] : []),
    ...referenceNotes(refs),
  ];
  const message = n === 0 ? 'No data to plot' : meanStats.xExtent === undefined && bandFinite.length === 0 ? 'No finite values to plot' : undefined;

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

  const idx = downsampleIndices(n, maxPoints);
  const area = frame.d3
    .area<BandPoint>()
    .defined(finiteBand)
    .x((b) => frame.x(b.x))
    .y0((b) => frame.y(b.lo))
    .y1((b) => frame.y(b.hi))
    .digits(2)(idx.map((i) => band[i]!));
  if (area) frame.data.append('path').attr('d', area).attr('fill', color).attr('fill-opacity', 0.2).attr('stroke', 'none');
  drawSeries(frame, idx.map((i) => ({ x: input.x[i]!, y: input.mean[i]! })), color);
  drawReferences(frame, refs);
  return renderSvg(frame);
}

const finiteBand = (b: BandPoint): boolean => Number.isFinite(b.x) && Number.isFinite(b.lo) && Number.isFinite(b.hi);

function bandPoints(input: RunningMeanPlotInput, n: number): BandPoint[] {
  return Array.from({ length: n }, (_, i) => {
    const a = input.lower[i]!, b = input.upper[i]!;
    // Tolerate swapped bounds rather than drawing an inside-out band.
    return { x: input.x[i]!, lo: Math.min(a, b), hi: Math.max(a, b) };
  });
}
