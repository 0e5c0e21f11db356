/**
 * λ̂ and its uncertainty from a sample trace: pools healthy chains only (a stopped
 * chain is reported, never averaged in), applies the analysis discard, and turns
 * every diagnostic into a number or a stated NA.
 */
import { mcseMean, summarizeDraws, thresholdBreaches, type DiagnosticsSummary } from '@llc/diagnostics/index';
import type { AnalysisConfig } from './schema';
import type { SampleTrace } from '@llc/samplers/trace';
import type { ChainResult, LlcBlock, Maybe } from './summary';

/** The λ̂ block of summary.json, plus what the rest of the summary and the plots are built from. */
export interface LlcEstimate extends LlcBlock {
  diagnostics: DiagnosticsSummary | null;
  na: Record<string, string>;
  chains: ChainResult[];
  healthy: number[];
  /** Draws each chain recorded (before the analysis discard). */
  drawsPerChain: number;
  keptPerChain: number;
  /** Mean MALA acceptance over kept draws of healthy chains (SGLD with malaDiagnostic); null otherwise. */
  malaAcceptance: Maybe;
  flags: string[];
}

/** Mean of the finite entries (NaN marks a draw interval with no scored step); null when none is. */
function finiteMean(rows: ArrayLike<number>[]): Maybe {
  let s = 0;
  let k = 0;
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) {
      if (Number.isFinite(r[i])) {
        s += r[i];
        k++;
      }
    }
  }
  return k > 0 ? s / k : null;
}

/**
 * The step-size bias rule of SGLD (docs/SCIENCE.md §4): a mean MALA acceptance below the band
 * means the Langevin step's own error is large, and λ̂ sits above the ε → 0 value.
 */
export function malaFlag(acceptance: Maybe, min: number): string | null {
  if (acceptance === null || acceptance >= min) return null;
  return `MALA acceptance ${acceptance.toFixed(3)} < ${min}: stepSize too large, λ̂ carries step-size (discretisation) bias; lower stepSize`;
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Where each diagnostic lands in summary.json; `na` is keyed by these paths. */
const SUMMARY_FIELD = {
  mean: 'llc.mean',
  mcseMean: 'llc.mcse',
  sd: 'llc.sd',
  q5: 'llc.q05',
  q50: 'llc.q50',
  q95: 'llc.q95',
  rhat: 'diagnostics.rhat',
  essBulk: 'diagnostics.essBulk',
  essTail: 'diagnostics.essTail',
  essMean: 'diagnostics.essMean',
} as const;
const NA_FIELDS = [...Object.values(SUMMARY_FIELD), 'llc.chainSpread'];

export function sdOf(values: number[]): Maybe {
  if (values.length < 2) return null;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** `mala`: the acceptance trace is SGLD's MALA diagnostic, so the MALA band applies. */
export function estimateLlc(trace: SampleTrace, config: AnalysisConfig, options: { mala: boolean } = { mala: false }): LlcEstimate {
  const { discard } = config;
  const chains: ChainResult[] = trace.manifest.chains.map((c) => {
    const kept = trace.llc[c.chain].subarray(discard, c.draws);
    return {
      chain: c.chain,
      status: c.status.status,
      reason: c.status.status === 'stopped' ? c.status.reason : c.status.status === 'interrupted' ? 'run interrupted' : null,
      draws: c.draws,
      llc: kept.length > 0 ? mean(kept) : null,
      fge: c.totalFge,
      divergences: c.divergences ?? 0,
    };
  });
  const flags: string[] = [];
  const na: Record<string, string> = {};
  const healthy = chains.filter((c) => c.status === 'ok').map((c) => c.chain);
  for (const c of chains) {
    if (c.status !== 'ok') flags.push(`chain ${c.chain} ${c.status}: ${c.reason}`);
    // drawSteps holds each draw's sampling-step index: the last recorded one counts the chain's transitions.
    const transitions = c.draws > 0 ? trace.drawSteps[c.draws - 1] : 0;
    if (c.divergences > config.divergenceRate * transitions) {
      const pct = transitions > 0 ? ` (${((100 * c.divergences) / transitions).toFixed(2)}% of ${transitions}, above analysis.divergenceRate ${config.divergenceRate})` : '';
      flags.push(`chain ${c.chain}: ${c.divergences} divergent transition${c.divergences === 1 ? '' : 's'}${pct}`);
    }
  }
  if (!trace.manifest.complete) flags.push('incomplete run (interrupted): partial trace');
  const drawsPerChain = trace.drawSteps.length;
  const keptPerChain = Math.max(0, drawsPerChain - discard);
  const empty = { mean: null, mcse: null, sd: null, chainSpread: null, q05: null, q50: null, q95: null, diagnostics: null, malaAcceptance: null };
  if (healthy.length === 0) {
    for (const k of NA_FIELDS) na[k] = 'no chain survived';
    flags.push('no healthy chain: λ̂ not estimated');
    return { ...empty, na, chains, healthy, drawsPerChain, keptPerChain, flags };
  }
  if (keptPerChain < 1) {
    for (const k of NA_FIELDS) na[k] = `no draws left after discarding ${discard}`;
    flags.push(`analysis.discard (${discard}) removes every draw`);
    return { ...empty, na, chains, healthy, drawsPerChain, keptPerChain, flags };
  }
  const draws = healthy.map((c) => trace.llc[c].subarray(discard, discard + keptPerChain));
  const d = summarizeDraws(draws, { rhat: config.rhatThreshold, ess: config.essThreshold });
  for (const [k, field] of Object.entries(SUMMARY_FIELD)) {
    const reason = d.na[k as keyof typeof d.na];
    if (reason) na[field] = reason;
  }
  flags.push(...thresholdBreaches(d, d.thresholds));
  for (const k of ['rhat', 'essBulk', 'essTail'] as const) if (d[k] === null) flags.push(`${k} NA: ${d.na[k]}`);
  const malaAcceptance = options.mala ? finiteMean(healthy.map((c) => trace.acceptance[c].subarray(discard, discard + keptPerChain))) : null;
  const mala = malaFlag(malaAcceptance, config.malaAcceptanceMin);
  if (mala) flags.push(mala);
  const perChain = healthy.map((c) => chains[c].llc!);
  if (perChain.length < 2) na['llc.chainSpread'] = 'fewer than 2 healthy chains';
  return {
    mean: d.mean,
    mcse: d.mcseMean,
    sd: d.sd,
    chainSpread: sdOf(perChain),
    q05: d.q5,
    q50: d.q50,
    q95: d.q95,
    diagnostics: d,
    na,
    chains,
    healthy,
    drawsPerChain,
    keptPerChain,
    malaAcceptance,
    flags,
  };
}

/**
 * Running λ̂ (pooled over chains, first k draws) with its MCSE at about `points`
 * checkpoints, for the convergence plot. MCSE needs ≥ 6 draws per chain (ESS).
 */
export function runningLlc(draws: Float64Array[], points = 60): { k: number[]; mean: number[]; mcse: number[] } {
  const n = draws[0]?.length ?? 0;
  const out = { k: [] as number[], mean: [] as number[], mcse: [] as number[] };
  const step = Math.max(1, Math.floor(n / points));
  for (let k = Math.min(6, n); k <= n; k += step) {
    const prefix = draws.map((c) => c.subarray(0, k));
    let s = 0;
    for (const c of prefix) s += mean(c);
    out.k.push(k);
    out.mean.push(s / prefix.length);
    const e = mcseMean(prefix);
    out.mcse.push(Number.isFinite(e) ? e : Number.NaN);
    if (k + step > n && k !== n) k = n - step;
  }
  return out;
}
