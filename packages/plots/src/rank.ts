// Rank plot (Vehtari et al. 2021, §4.1): rank all draws of all chains
// together, then histogram each chain's ranks. Chains sampling the same
// distribution give flat histograms near the dashed uniform line; a chain
// stuck high or low, or mixing slowly, shows a slope or a hump.
import { averageRanks } from '@llc/diagnostics/kernels';
import { createFrame, drawHorizontalLine, renderSvg, type LegendEntry } from './frame';
import { binCounts, checkInteger, stepPoints, sturgesBins } from './histogram';
import { referenceStyle, seriesColor } from './palette';
import { drawSeries } from './trace';
import type { PlotSize } from './types';

export interface RankPlotInput extends PlotSize {
  readonly title: string;
  /** Draws per chain; non-finite draws are left out of the ranking (and counted in a note). */
  readonly chains: readonly ArrayLike<number>[];
  /** Histogram bins per chain (default: Sturges' rule on the draws per chain, within 5–40). */
  readonly bins?: number;
  readonly xLabel?: string;
}

export interface RankHistograms {
  /** Per chain: counts per bin (equal chains) or % of the chain per bin (ragged chains). */
  readonly heights: number[][];
  /** Height of a uniform histogram in the same unit. */
  readonly expected: number;
  /** True: heights are counts; false: percentages. */
  readonly counts: boolean;
  /** Number of finite draws ranked (all chains). */
  readonly ranked: number;
}

/**
 * Rank the finite draws of all chains together (ties share their average
 * rank) and histogram each chain's ranks in `bins` equal bins over 1…S.
 */
export function rankHistograms(chains: readonly ArrayLike<number>[], bins: number): RankHistograms {
  const finite = chains.map((c) => Array.from(c).filter((v) => Number.isFinite(v)));
  const S = finite.reduce((a, c) => a + c.length, 0);
  const ranks = averageRanks(finite.flat());
  let offset = 0;
  const chainRanks = finite.map((c) => ranks.subarray(offset, (offset += c.length)));
  // Equal chains: counts per bin. Ragged chains: each chain's share, so they compare.
  const lengths = finite.filter((c) => c.length > 0).map((c) => c.length);
  const counts = lengths.every((n) => n === lengths[0]);
  const heights = chainRanks.map((r) => {
    const k = binCounts(r, 0.5, S + 0.5, bins);
    return counts || r.length === 0 ? k : k.map((v) => (100 * v) / r.length);
  });
  return { heights, expected: counts ? (lengths[0] ?? 0) / bins : 100 / bins, counts, ranked: S };
}

export function rankPlot(input: RankPlotInput): string {
  const chains = input.chains;
  const finiteCount = chains.map((c) => Array.from(c).filter((v) => Number.isFinite(v)).length);
  const total = chains.reduce((a, c) => a + c.length, 0);
  const used = finiteCount.map((n) => n > 0);
  const minLength = Math.min(...finiteCount.filter((n) => n > 0));
  const S = finiteCount.reduce((a, n) => a + n, 0);
  const skipped = total - S;
  const bins = input.bins === undefined ? sturgesBins(S > 0 ? minLength : 1, 5, 40) : checkInteger('bins', input.bins, 1);
  const { heights, expected, counts } = rankHistograms(chains, bins);
  const yMax = Math.max(expected, ...heights.flatMap((h, i) => (used[i] ? h : [])));

  const uniform = referenceStyle(0);
  const legend: LegendEntry[] = [
    ...chains.flatMap((_, i) => (used[i] ? [{ label: `chain ${i}`, color: seriesColor(i), kind: 'line' as const }] : [])),
    ...(S > 0 ? [{ label: 'uniform', color: uniform.color, kind: 'dashed' as const, dash: uniform.dash }] : []),
  ];
  const empty = chains.flatMap((_, i) => (used[i] || chains[i]!.length === 0 ? [] : [i]));
  const notes = [
    ...(S > 0 ? [`${bins} bins of ${formatWidth(S / bins)} ranks each`] : []),
    ...(skipped > 0 ? [`${skipped} non-finite draw${skipped === 1 ? '' : 's'} left out`] : []),
    ...(S > 0 && empty.length > 0 ? [`no finite draws in chain ${empty.join(', ')}`] : []),
  ];
  const message =
    chains.length === 0 ? 'No chains to plot' : total === 0 ? 'No draws to plot' : S === 0 ? 'No finite draws to plot' : undefined;

  const frame = createFrame({
    title: input.title,
    xLabel: input.xLabel ?? 'rank among all chains',
    yLabel: counts ? 'draws per bin' : '% of chain per bin',
    width: input.width,
    height: input.height,
    x: { kind: 'linear', domain: S > 0 ? [0, S] : [0, 1] },
    y: { kind: 'linear', domain: S > 0 && yMax > 0 ? [0, yMax * 1.08] : [0, 1] },
    legend,
    notes,
    message,
  });
  if (S > 0) {
    heights.forEach((h, i) => {
      if (used[i]) drawSeries(frame, stepPoints(0, S, h), seriesColor(i), 1.75);
    });
    drawHorizontalLine(frame, expected, uniform);
  }
  return renderSvg(frame);
}

function formatWidth(w: number): string {
  return Number.isInteger(w) ? String(w) : w.toFixed(1);
}
