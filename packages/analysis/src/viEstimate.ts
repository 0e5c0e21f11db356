/**
 * λ̂ from a VI run: C independent fits, each one estimate. Reported as the mean
 * over healthy fits ± std/√C (the fits are i.i.d., so R̂ and ESS do not apply and
 * are stated as NA rather than computed on a constant trace).
 */
import type { ViTrace } from '@llc/samplers/viTrace';
import { sdOf, type LlcEstimate } from './llc';
import type { ChainResult } from './summary';

const VI_NA = 'VI: independent fits, no chain of draws (λ̂ ± std/√C reported instead)';

export function estimateVi(trace: ViTrace): LlcEstimate {
  const chains: ChainResult[] = trace.manifest.chains.map((c) => ({
    chain: c.chain,
    status: c.status.status,
    reason: c.status.status === 'stopped' ? c.status.reason : null,
    draws: c.draws,
    llc: c.status.status === 'ok' && Number.isFinite(trace.llc[c.chain]) ? trace.llc[c.chain] : null,
    fge: c.totalFge,
    divergences: 0,
  }));
  const healthy = chains.filter((c) => c.llc !== null).map((c) => c.chain);
  const values = healthy.map((c) => trace.llc[c]);
  const flags = chains.filter((c) => c.status !== 'ok').map((c) => `fit ${c.chain} ${c.status}: ${c.reason}`);
  const na: Record<string, string> = {};
  for (const k of ['diagnostics.rhat', 'diagnostics.essBulk', 'diagnostics.essTail', 'diagnostics.essMean', 'llc.q05', 'llc.q50', 'llc.q95']) na[k] = VI_NA;
  const mean = values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;
  const sd = sdOf(values);
  if (mean === null) {
    na['llc.mean'] = 'no fit survived';
    flags.push('no healthy fit: λ̂ not estimated');
  }
  if (sd === null) {
    na['llc.mcse'] = 'fewer than 2 healthy fits: std/√C undefined';
    na['llc.chainSpread'] = na['llc.mcse'];
    na['llc.sd'] = na['llc.mcse'];
  }
  return {
    mean,
    mcse: sd === null ? null : sd / Math.sqrt(values.length),
    sd,
    chainSpread: sd,
    q05: null,
    q50: null,
    q95: null,
    diagnostics: null,
    na,
    chains,
    healthy,
    drawsPerChain: 1,
    keptPerChain: 1,
    malaAcceptance: null,
    flags,
  };
}
