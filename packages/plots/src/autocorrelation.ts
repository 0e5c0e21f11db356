// Autocorrelation ρ̂_k = γ̂_k / γ̂_0 of each chain against lag k, from the
// diagnostics' (biased, FFT) autocovariance — the same estimate ESS uses.
// Slow decay to 0 means strongly correlated draws (low ESS per draw).
import { autocovariance } from '@llc/diagnostics/kernels';
import type { XY } from './data';
import { createFrame, renderSvg, type LegendEntry } from './frame';
import { num } from './format';
import { checkInteger } from './histogram';
import { AXIS, seriesColor } from './palette';
import { drawSeries } from './trace';
import type { PlotSize } from './types';

export interface AutocorrelationPlotInput extends PlotSize {
  readonly title: string;
  /** Draws per chain, in sampling order. */
  readonly chains: readonly ArrayLike<number>[];
  /** Largest lag shown (default min(100, draws − 1)). */
  readonly maxLag?: number;
}

const DEFAULT_MAX_LAG = 100;

/** ρ̂_0…ρ̂_maxLag of one chain, or why there is none. */
export type ChainAcf = { readonly rho: Float64Array } | { readonly skip: string };

export function chainAutocorrelation(c: ArrayLike<number>, maxLag: number): ChainAcf {
  if (c.length < 2) return { skip: c.length === 0 ? 'no draws' : 'one draw' };
  for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i]!)) return { skip: 'non-finite draws' };
  const acov = autocovariance(c);
  if (!(acov[0]! > 0)) return { skip: 'constant' };
  const last = Math.min(maxLag, c.length - 1);
  return { rho: Float64Array.from({ length: last + 1 }, (_, k) => acov[k]! / acov[0]!) };
}

export function autocorrelationPlot(input: AutocorrelationPlotInput): string {
  const maxLag = input.maxLag === undefined ? DEFAULT_MAX_LAG : checkInteger('maxLag', input.maxLag, 1);
  const acfs = input.chains.map((c) => chainAutocorrelation(c, maxLag));
  const drawn = acfs.flatMap((a, i) => ('rho' in a ? [{ i, rho: a.rho }] : []));
  const longest = Math.max(1, ...drawn.map((d) => d.rho.length - 1));
  const lowest = Math.min(0, ...drawn.flatMap((d) => Array.from(d.rho)));

  const legend: LegendEntry[] = drawn.map((d) => ({ label: `chain ${d.i}`, color: seriesColor(d.i), kind: 'line' }));
  const skipped = acfs.flatMap((a, i) => ('skip' in a ? [`chain ${i}: ${a.skip}`] : []));
  const notes = drawn.length > 0 && skipped.length > 0 ? [`not drawn: ${skipped.join('; ')}`] : [];
  const message =
    input.chains.length === 0
      ? 'No chains to plot'
      : drawn.length === 0
        ? `No autocorrelation to plot (${[...new Set(acfs.map((a) => ('skip' in a ? a.skip : '')))].join(', ')})`
        : undefined;

  const frame = createFrame({
    title: input.title,
    xLabel: 'lag',
    yLabel: 'autocorrelation',
    width: input.width,
    height: input.height,
    x: { kind: 'linear', domain: [0, longest] },
    y: { kind: 'linear', domain: [Math.max(-1, lowest), 1] },
    legend,
    notes,
    message,
  });
  // Solid zero line under the data (drawn first).
  const zero = num(frame.y(0));
  frame.data.append('line').attr('x1', 0).attr('x2', num(frame.innerWidth)).attr('y1', zero).attr('y2', zero).attr('stroke', AXIS).attr('stroke-width', 1);
  for (const d of drawn) {
    const points: XY[] = Array.from(d.rho, (y, k) => ({ x: k, y }));
    drawSeries(frame, points, seriesColor(d.i), 1.5);
  }
  return renderSvg(frame);
}
