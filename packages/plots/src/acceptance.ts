// Acceptance per chain against step (HMC/MH acceptance probability, or the
// MALA acceptance diagnostic of an SGLD run), on a fixed [0, 1] axis with the
// healthy target drawn dashed: a line (e.g. 0.8 for HMC) or a band
// (e.g. 0.9–0.95 for MALA). The legend gives each chain's mean.
import { downsampleIndices, DEFAULT_MAX_POINTS } from './downsample';
import { finiteExtent, usableDomain, type XY } from './data';
import { createFrame, drawHorizontalLine, renderSvg, type Frame, type LegendEntry } from './frame';
import { num } from './format';
import { referenceStyle, seriesColor } from './palette';
import { drawSeries } from './trace';
import type { PlotSize, Thinning } from './types';

export interface AcceptancePlotInput extends PlotSize, Thinning {
  readonly title: string;
  /** Step of each value, shared by all chains (default 0, 1, 2, …). */
  readonly x?: ArrayLike<number>;
  /** Acceptance values in [0, 1], one array per chain. */
  readonly chains: readonly ArrayLike<number>[];
  /** Healthy target: a value (dashed line) or [low, high] (dashed band). */
  readonly target?: number | readonly [number, number];
  /** Legend label of the target (default "target 0.8" / "target 0.9–0.95"). */
  readonly targetLabel?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
}

const TARGET = referenceStyle(0);
const BAND_FILL = '#9E9E9E';

export function acceptancePlot(input: AcceptancePlotInput): string {
  const maxPoints = input.maxPoints ?? DEFAULT_MAX_POINTS;
  const chains = input.chains;
  const lengthOf = (c: ArrayLike<number>): number => (input.x ? Math.min(input.x.length, c.length) : c.length);
  const xAt = (i: number): number => (input.x ? input.x[i]! : i);
  let nonFinite = 0;
  let outside = 0;
  const means = chains.map((c) => {
    let sum = 0;
    let k = 0;
    for (let i = 0; i < lengthOf(c); i++) {
      const v = c[i]!;
      if (!Number.isFinite(v) || !Number.isFinite(xAt(i))) {
        nonFinite++;
        continue;
      }
      if (v < 0 || v > 1) outside++;
      sum += Math.min(1, Math.max(0, v));
      k++;
    }
    return k > 0 ? sum / k : Number.NaN;
  });
  const longest = Math.max(0, ...chains.map(lengthOf));
  const xs = input.x ? Array.from({ length: longest }, (_, i) => input.x![i]!) : longest > 0 ? [0, longest - 1] : [];
  const drawnAny = means.some((m) => !Number.isNaN(m));
  const target = validTarget(input.target);

  const legend: LegendEntry[] = [
    ...chains.map((_, i): LegendEntry => ({
      label: `chain ${i}${Number.isNaN(means[i]!) ? '' : ` · mean ${means[i]!.toFixed(2)}`}`,
      color: seriesColor(i),
      kind: 'line',
    })),
    ...(target === undefined
      ? []
      : [
          typeof target === 'number'
            ? { label: input.targetLabel ?? `target ${target}`, color: TARGET.color, kind: 'dashed' as const, dash: TARGET.dash }
            : { label: input.targetLabel ?? `target ${target[0]}–${target[1]}`, color: BAND_FILL, kind: 'band' as const },
        ]),
  ];
  const thinned = chains.some((c) => lengthOf(c) > maxPoints);
  const notes = [
    ...(nonFinite > 0 ? [`${nonFinite} non-finite value${nonFinite === 1 ? '' : 's'} skipped`] : []),
    ...(outside > 0 ? [`${outside} value${outside === 1 ? '' : 's'} outside [0, 1] clamped`] : []),
    ...(thinned ? [`lines thinned to ≤${maxPoints} points`] : []),
  ];
  const message =
    chains.length === 0
      ? 'No chains to plot'
      : longest === 0
        ? 'No data to plot'
        : !drawnAny
          ? 'No finite values to plot'
          : undefined;

  const frame = createFrame({
    title: input.title,
    xLabel: input.xLabel ?? 'step',
    yLabel: input.yLabel ?? 'acceptance',
    width: input.width,
    height: input.height,
    x: { kind: 'linear', domain: usableDomain(finiteExtent(xs)) },
    y: { kind: 'linear', domain: [0, 1] },
    legend,
    notes,
    message,
  });
  if (Array.isArray(target)) drawBand(frame, target as readonly [number, number]);
  chains.forEach((c, ci) => {
    const points: XY[] = downsampleIndices(lengthOf(c), maxPoints).map((i) => {
      const v = c[i]!;
      return { x: xAt(i), y: Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : Number.NaN };
    });
    drawSeries(frame, points, seriesColor(ci), 1);
  });
  if (typeof target === 'number') drawHorizontalLine(frame, target, TARGET);
  return renderSvg(frame);
}

function validTarget(t: AcceptancePlotInput['target']): number | readonly [number, number] | undefined {
  if (t === undefined) return undefined;
  const ok = (v: number): boolean => Number.isFinite(v) && v >= 0 && v <= 1;
  if (typeof t === 'number') {
    if (!ok(t)) throw new Error(`target must be in [0, 1], got ${t}`);
    return t;
  }
  if (!ok(t[0]) || !ok(t[1]) || !(t[0] < t[1])) throw new Error(`target band must satisfy 0 <= low < high <= 1, got [${t[0]}, ${t[1]}]`);
  return t;
}

/** Shaded band under the data with dashed edges. */
function drawBand(frame: Frame, [lo, hi]: readonly [number, number]): void {
  const y0 = frame.y(hi);
  const y1 = frame.y(lo);
  frame.data
    .append('rect')
    .attr('x', 0)
    .attr('y', num(y0))
    .attr('width', num(frame.innerWidth))
    .attr('height', num(y1 - y0))
    .attr('fill', BAND_FILL)
    .attr('fill-opacity', 0.25);
  for (const edge of [hi, lo]) drawHorizontalLine(frame, edge, { color: TARGET.color, dash: TARGET.dash, width: 1.25 });
}
