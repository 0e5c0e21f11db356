// HMC energy plot (Betancourt 2016, "Diagnosing suboptimal cotangent
// disintegrations in Hamiltonian Monte Carlo"): overlaid densities of the
// centred marginal energy E − Ē and of the energy transitions
// ΔE = E_t − E_{t−1}, pooled over chains. When the transition density is
// much narrower than the marginal one, momentum resampling cannot move the
// chain through the energy levels; E-BFMI = Σ(ΔE)² / Σ(E − Ē)² per chain
// quantifies it, and values below 0.3 are flagged.
import { finiteExtent, usableDomain, type XY } from './data';
import { createFrame, renderSvg, type Frame, type LegendEntry } from './frame';
import { binCounts, checkInteger, stepPoints } from './histogram';
import { INK, MUTED, seriesColor } from './palette';
import type { PlotSize } from './types';

export interface EnergyPlotInput extends PlotSize {
  readonly title: string;
  /** Hamiltonian energy per draw, one array per chain, in sampling order. */
  readonly energy: readonly ArrayLike<number>[];
  /** Histogram bins (default: Rice rule 2·N^⅓ on the pooled draws, within 10–60). */
  readonly bins?: number;
}

/** E-BFMI below this suggests the sampler explores the energy distribution poorly. */
export const EBFMI_THRESHOLD = 0.3;

const MARGINAL = seriesColor(0);
const TRANSITION = seriesColor(1);
const LOW = seriesColor(3);

/**
 * E-BFMI of one chain: Σ_t (E_t − E_{t−1})² / Σ_t (E_t − Ē)². NaN when it
 * is undefined (fewer than 2 draws, non-finite draws, constant energy).
 */
export function eBfmi(energy: ArrayLike<number>): number {
  const n = energy.length;
  if (n < 2) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(energy[i]!)) return Number.NaN;
    sum += energy[i]!;
  }
  const mean = sum / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    den += (energy[i]! - mean) ** 2;
    if (i > 0) num += (energy[i]! - energy[i - 1]!) ** 2;
  }
  return den > 0 ? num / den : Number.NaN;
}

export function energyPlot(input: EnergyPlotInput): string {
  const chains = input.energy;
  const marginal: number[] = [];
  const transition: number[] = [];
  let total = 0;
  let skipped = 0;
  for (const c of chains) {
    const finite = Array.from(c).filter((v) => Number.isFinite(v));
    total += c.length;
    skipped += c.length - finite.length;
    const mean = finite.reduce((a, v) => a + v, 0) / finite.length;
    for (const v of finite) marginal.push(v - mean);
    // Only steps between two finite draws are transitions.
    for (let t = 1; t < c.length; t++) {
      const d = c[t]! - c[t - 1]!;
      if (Number.isFinite(d)) transition.push(d);
    }
  }
  const bfmi = chains.map(eBfmi);
  const low = bfmi.flatMap((b, i) => (b < EBFMI_THRESHOLD ? [i] : []));
  const domain = usableDomain(finiteExtent([...marginal, ...transition]));
  const bins =
    input.bins === undefined
      ? Math.max(10, Math.min(60, Math.ceil(2 * Math.cbrt(marginal.length))))
      : checkInteger('bins', input.bins, 1);
  const width = (domain[1] - domain[0]) / bins;
  const density = (values: number[]): number[] =>
    binCounts(values, domain[0], domain[1], bins).map((k) => (values.length > 0 ? k / (values.length * width) : 0));
  const dm = density(marginal);
  const dt = density(transition);
  const yMax = Math.max(...dm, ...dt);

  const legend: LegendEntry[] =
    marginal.length === 0
      ? []
      : [
          { label: 'marginal E − Ē', color: MARGINAL, kind: 'band' },
          { label: 'transition ΔE', color: TRANSITION, kind: 'band' },
          { label: `E-BFMI (low < ${EBFMI_THRESHOLD})`, color: INK, kind: 'text' },
          ...bfmi.map((b, i): LegendEntry => ({
            label: `chain ${i}: ${Number.isNaN(b) ? 'n/a' : b.toFixed(2)}${b < EBFMI_THRESHOLD ? ' low' : ''}`,
            color: Number.isNaN(b) ? MUTED : b < EBFMI_THRESHOLD ? LOW : INK,
            kind: 'text',
          })),
        ];
  const notes = [
    ...(low.length > 0 ? [`E-BFMI < ${EBFMI_THRESHOLD} in chain ${low.join(', ')}: energy poorly explored`] : []),
    ...(skipped > 0 ? [`${skipped} non-finite energ${skipped === 1 ? 'y' : 'ies'} left out`] : []),
    ...(marginal.length > 0 ? ['energies centred per chain'] : []),
  ];
  const message =
    chains.length === 0
      ? 'No chains to plot'
      : total === 0
        ? 'No energies to plot'
        : marginal.length === 0
          ? 'No finite energies to plot'
          : undefined;

  const frame = createFrame({
    title: input.title,
    xLabel: 'E − Ē (chain mean)  and  ΔE = E(t) − E(t−1)',
    yLabel: 'density',
    width: input.width,
    height: input.height,
    x: { kind: 'linear', domain },
    y: { kind: 'linear', domain: yMax > 0 ? [0, yMax * 1.08] : [0, 1] },
    legend,
    notes,
    message,
  });
  if (marginal.length > 0) drawHistogram(frame, stepPoints(domain[0], domain[1], dm), MARGINAL);
  if (transition.length > 0) drawHistogram(frame, stepPoints(domain[0], domain[1], dt), TRANSITION);
  return renderSvg(frame);
}

/** Translucent filled step histogram with a solid outline. */
function drawHistogram(frame: Frame, steps: readonly XY[], color: string): void {
  // Close the outline down to the baseline at both ends.
  const points = [{ x: steps[0]!.x, y: 0 }, ...steps, { x: steps.at(-1)!.x, y: 0 }];
  const area = frame.d3
    .area<XY>()
    .x((p) => frame.x(p.x))
    .y0(() => frame.y(0))
    .y1((p) => frame.y(p.y))
    .digits(2)(points);
  if (area) frame.data.append('path').attr('d', area).attr('fill', color).attr('fill-opacity', 0.3).attr('stroke', 'none');
  const line = frame.d3
    .line<XY>()
    .x((p) => frame.x(p.x))
    .y((p) => frame.y(p.y))
    .digits(2)(points);
  if (line) frame.data.append('path').attr('d', line).attr('fill', 'none').attr('stroke', color).attr('stroke-width', 1.5);
}
