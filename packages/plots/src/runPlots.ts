/**
 * The plots of one sampler run, as pure functions of its trace and λ̂ estimate:
 * llc trace per chain, running λ̂ ± 2 MCSE against gradient work and against wall
 * time, and the sampler's own diagnostics where it reports them.
 */
import type { Scalar } from '@llc/core/sweep';
import type { SampleTrace } from '@llc/samplers/trace';
import { acceptancePlot, autocorrelationPlot, energyPlot, rankPlot, runningMeanPlot, tracePlot, type ReferenceLine } from './index';
import { runningLlc, type LlcEstimate } from '@llc/analysis/llc';

export interface RunPlot {
  name: string;
  caption: string;
  svg: string;
}

function runningPlot(
  title: string,
  xLabel: string,
  x: number[],
  run: ReturnType<typeof runningLlc>,
  reference: ReferenceLine | undefined,
): string {
  return runningMeanPlot({
    title,
    xLabel,
    yLabel: 'λ̂ (pooled over chains)',
    x,
    mean: run.mean,
    lower: run.mean.map((m, i) => m - 2 * run.mcse[i]),
    upper: run.mean.map((m, i) => m + 2 * run.mcse[i]),
    referenceLine: reference,
    meanLabel: 'λ̂',
    bandLabel: '± 2 MCSE',
  });
}

/** What the plots of a run need to know about it besides its trace and estimate. */
export interface RunPlotContext {
  id: string;
  samplerKind: string;
  hyperparameters: Record<string, Scalar>;
  /** Draws dropped from the start of every chain before λ̂ (analysis.discard). */
  discard: number;
}

export function runPlots(context: RunPlotContext, trace: SampleTrace, est: LlcEstimate, reference?: ReferenceLine): RunPlot[] {
  const { id, discard } = context;
  const plots: RunPlot[] = [];
  const chains = trace.manifest.chains;
  plots.push({
    name: 'trace',
    caption: 'per-draw llc of every chain',
    svg: tracePlot({
      title: `llc trace · ${id}`,
      xLabel: 'sampling step',
      yLabel: 'nβ (L_n(w) − L_n(w*))',
      chains: chains.map((c) => ({
        x: trace.drawSteps.subarray(0, c.draws),
        y: trace.llc[c.chain].subarray(0, c.draws),
        label: `chain ${c.chain}${c.status.status === 'ok' ? '' : ` (${c.status.status})`}`,
      })),
      referenceLine: reference,
    }),
  });
  if (est.healthy.length === 0 || est.keptPerChain < 6) return plots;

  const draws = est.healthy.map((c) => trace.llc[c].subarray(discard, discard + est.keptPerChain));
  const run = runningLlc(draws);
  // x positions: the mean over healthy chains of each chain's cumulative work / time at draw k.
  const meanAt = (series: Float64Array[], k: number) =>
    est.healthy.reduce((s, c) => s + series[c][discard + k - 1], 0) / est.healthy.length;
  plots.push({
    name: 'running-llc',
    caption: 'running λ̂ with a ±2 MCSE band against gradient work',
    svg: runningPlot(`running λ̂ vs work · ${id}`, 'gradient work per chain (FGE)', run.k.map((k) => meanAt(trace.fge, k)), run, reference),
  });
  plots.push({
    name: 'running-llc-time',
    caption: 'running λ̂ with a ±2 MCSE band against wall time',
    svg: runningPlot(`running λ̂ vs time · ${id}`, 'wall time per chain (s)', run.k.map((k) => meanAt(trace.seconds, k)), run, reference),
  });
  plots.push({
    name: 'rank',
    caption: 'rank plot: pooled ranks of the llc draws per chain (flat when chains agree)',
    svg: rankPlot({ title: `rank plot · ${id}`, chains: draws }),
  });
  plots.push({
    name: 'autocorrelation',
    caption: 'autocorrelation of the llc draws per chain',
    svg: autocorrelationPlot({ title: `autocorrelation · ${id}`, chains: draws }),
  });
  const kept = (series: Float64Array[]) => est.healthy.map((c) => series[c].subarray(discard, discard + est.keptPerChain));
  const hasValues = (series: Float64Array[]) => kept(series).some((x) => x.some(Number.isFinite));
  // E-BFMI is defined for Hamiltonian energies (HMC); MCLMC's energy is a per-step error.
  if (context.samplerKind === 'hmc' && hasValues(trace.energy)) {
    plots.push({
      name: 'energy',
      caption: 'energy: marginal energy vs energy transitions, with E-BFMI per chain (< 0.3 is low)',
      svg: energyPlot({ title: `energy · ${id}`, energy: kept(trace.energy) }),
    });
  }
  if (hasValues(trace.acceptance)) {
    const mala = context.samplerKind === 'sgld';
    const target = context.hyperparameters.targetAcceptance;
    plots.push({
      name: 'acceptance',
      caption: mala ? 'MALA acceptance diagnostic of the SGLD steps (0.9–0.95 is healthy)' : 'acceptance probability per chain',
      svg: acceptancePlot({
        title: `${mala ? 'MALA acceptance' : 'acceptance'} · ${id}`,
        x: trace.drawSteps.subarray(discard, discard + est.keptPerChain),
        chains: kept(trace.acceptance),
        target: mala ? [0.9, 0.95] : typeof target === 'number' ? target : undefined,
      }),
    });
  }
  return plots;
}
