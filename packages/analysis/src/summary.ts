/**
 * `summary.json`: the contract that reports and users' scripts read (documented in
 * docs/SUMMARY.md). It is a pure function of the seeds and the config — no wall
 * times — so reruns and parallel runs produce byte-identical files; timings live in
 * `timing.json` beside it.
 */
import type { Scalar } from '@llc/core/sweep';
import type { BiasBlock, ReferenceBlock } from './reference';

export const SUMMARY_SCHEMA = 'llc.summary/1';
export const SUMMARY_FILE = 'summary.json';
export const TIMING_FILE = 'timing.json';

/** A number, or null with the reason in the matching `na` entry (never NaN). */
export type Maybe = number | null;

export interface ChainResult {
  chain: number;
  status: 'ok' | 'stopped' | 'interrupted';
  /** Why the chain stopped, when it did. */
  reason: string | null;
  draws: number;
  /** This chain's λ̂ over its kept draws (null if it kept none). */
  llc: Maybe;
  fge: number;
  /** Divergent transitions (HMC: |ΔH| > 1000, rejected); flagged when > 0. */
  divergences: number;
}

/** The λ̂ block of summary.json. */
export interface LlcBlock {
  /** λ̂: mean of the per-draw llc over healthy chains and kept draws. */
  mean: Maybe;
  /** Monte Carlo standard error of λ̂ from ess_mean (Vehtari et al. 2021). */
  mcse: Maybe;
  /** Posterior sd of the per-draw llc. */
  sd: Maybe;
  /** Standard deviation of the per-chain λ̂ values (ddof 1). */
  chainSpread: Maybe;
  q05: Maybe;
  q50: Maybe;
  q95: Maybe;
}

export interface Summary {
  schema: typeof SUMMARY_SCHEMA;
  id: string;
  run: string;
  target: string;
  sampler: string;
  samplerKind: string;
  hyperparameters: Record<string, Scalar>;
  sweep: Record<string, Scalar>;
  /** beta0 is null for analytic potentials (their temperature nβ is set directly). */
  posterior: { beta0: number | null; gamma: number; beta: number; nBeta: number };
  targetInfo: { n: number; d: number; L0: number };
  llc: LlcBlock;
  diagnostics: {
    rhat: Maybe;
    essBulk: Maybe;
    essTail: Maybe;
    essMean: Maybe;
    /** Mean MALA acceptance over the kept draws (SGLD with malaDiagnostic), else null. */
    malaAcceptance: Maybe;
    /** Reason for every null statistic, keyed by its path in this file (e.g. "diagnostics.rhat", "llc.mcse"). */
    na: Record<string, string>;
  };
  /** Threshold breaches a reader must see (R̂ ≥ analysis.rhatThreshold, ESS ≤ analysis.essThreshold, stopped chains, ...). */
  flags: string[];
  draws: { chains: number; healthyChains: number; perChain: number; discarded: number; used: number };
  work: { fge: number; essPerFge: Maybe };
  chains: ChainResult[];
  /** Known answer, when the target has one; otherwise null. */
  lambdaTrue: Maybe;
  /** About lambdaTrue: its multiplicity m, whether it is exact at this temperature or the asymptotic λ, and its source. */
  lambdaInfo: { multiplicity: number; exact: boolean; source: string } | null;
  relativeError: Maybe;
  errorInMcse: Maybe;
  /** λ_ref of this run's target: its known λ, else its reference run (null: the target has neither). */
  reference: ReferenceBlock | null;
  /** This run against λ_ref (null fields: reason in diagnostics.na). */
  bias: BiasBlock;
  engine: string;
  /** Restricted LLC: the tensors sampled (the rest held at w*) and how many of the target's d parameters they hold; null: all. */
  restriction: { label: string; params: string[]; d: number; dFull: number } | null;
  /** Imported checkpoints: the training step and the network's losses (and accuracy, for classifiers) at w*; null otherwise. */
  checkpoint: { group: string; step: number; trainLoss: number; testLoss: Maybe; trainAccuracy: Maybe; testAccuracy: Maybe } | null;
}

export interface Timing {
  /** Wall time of the sampler run, seconds. */
  samplerSeconds: number;
  startedAt: string;
  endedAt: string;
  essPerSecond: Maybe;
}
