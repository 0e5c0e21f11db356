/**
 * MCMC convergence diagnostics on a chains × draws array, matching R
 * `posterior` (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021,
 * "Rank-normalization, folding, and localization: an improved R̂",
 * arXiv 1903.08008).
 *
 * Each diagnostic function returns a number, NaN where posterior returns NA
 * (so callers can do arithmetic, as with R's NA_real_); `summarizeDraws`
 * returns every quantity as number | null with the reason for each null.
 * Malformed arguments (ragged/empty chains, p ∉ (0, 1)) throw.
 */

import { betaQuantile } from './beta';
import {
  essBasic,
  foldDraws,
  guardDraws,
  indicatorBelow,
  mapDraws,
  mean,
  pool,
  quantileSorted,
  rhatBasic,
  sorted,
  splitChains,
  toMatrix,
  variance,
  zScale,
} from './kernels';
import { type Chains, type Diagnostic, type Matrix, type NaReason, na, ok } from './types';

export type { Chains, Diagnostic, NaReason } from './types';

/**
 * When draws are trusted: R̂ below `rhat` (Vehtari et al. 2021, §4.4) and bulk- and tail-ESS
 * above `ess` (≈ 100 per chain for 4 chains). The defaults of the config's analysis.rhatThreshold
 * and analysis.essThreshold; summaries, flags, `llc diagnose` and the report all compare through
 * checkThresholds, so they never disagree.
 */
export interface Thresholds {
  readonly rhat: number;
  readonly ess: number;
}
export const DEFAULT_THRESHOLDS: Thresholds = { rhat: 1.01, ess: 400 };

export interface ThresholdChecks {
  /** true: passes, false: breached, null: the diagnostic is NA. */
  readonly rhat: boolean | null;
  readonly essBulk: boolean | null;
  readonly essTail: boolean | null;
}

/** The one comparison of every threshold. */
export function checkThresholds(values: { rhat: number | null; essBulk: number | null; essTail: number | null }, t: Thresholds): ThresholdChecks {
  const check = (v: number | null, pass: (v: number) => boolean): boolean | null => (v === null ? null : pass(v));
  return {
    rhat: check(values.rhat, (v) => v < t.rhat),
    essBulk: check(values.essBulk, (v) => v > t.ess),
    essTail: check(values.essTail, (v) => v > t.ess),
  };
}

/** One line per breached threshold, e.g. "R̂ 1.024 ≥ 1.01", "bulk ESS 205 ≤ 400". */
export function thresholdBreaches(values: { rhat: number | null; essBulk: number | null; essTail: number | null }, t: Thresholds): string[] {
  const c = checkThresholds(values, t);
  return [
    c.rhat === false ? `R̂ ${values.rhat!.toFixed(3)} ≥ ${t.rhat}` : null,
    c.essBulk === false ? `bulk ESS ${values.essBulk!.toFixed(0)} ≤ ${t.ess}` : null,
    c.essTail === false ? `tail ESS ${values.essTail!.toFixed(0)} ≤ ${t.ess}` : null,
  ].filter((line): line is string => line !== null);
}

// Smallest chain length for which posterior returns a value: R̂ needs two
// draws per split half (a sample variance), ESS needs three.
const MIN_DRAWS_RHAT = 4;
const MIN_DRAWS_ESS = 6;

// ±1 sd of a normal as probabilities, the literal constants posterior's mcse_quantile uses.
const MCSE_QUANTILE_PROBS = [0.1586553, 0.8413447] as const;

function checkProb(fn: string, p: number): void {
  if (typeof p !== 'number' || !(p > 0 && p < 1)) {
    throw new RangeError(`Error in ${fn}: p must be in (0, 1), got ${p}`);
  }
}

/** A transform of non-constant draws can still be constant (e.g. |x − median| for x = ±1). */
function afterTransform(d: Diagnostic): Diagnostic {
  return d.na === 'constant trace' ? na('constant after transform') : d;
}

/** The smaller of two diagnostics; NA if either is (R's min with NA). */
function minOf(a: Diagnostic, b: Diagnostic): Diagnostic {
  if (a.value === null) return a;
  if (b.value === null) return b;
  return ok(Math.min(a.value, b.value));
}

function guarded(x: Matrix, minDraws: number, compute: () => Diagnostic): Diagnostic {
  const reason = guardDraws(x, minDraws);
  return reason ? na(reason) : compute();
}

const toNumber = (d: Diagnostic): number => (d.value === null ? NaN : d.value);

// ---- Diagnostic implementations on a validated matrix ----------------------

function rhatOf(x: Matrix): Diagnostic {
  return guarded(x, MIN_DRAWS_RHAT, () => {
    const bulk = afterTransform(rhatBasic(zScale(splitChains(x))));
    const tail = afterTransform(rhatBasic(zScale(splitChains(foldDraws(x)))));
    return bulk.value === null || tail.value === null ? minOf(bulk, tail) : ok(Math.max(bulk.value, tail.value));
  });
}

function essBulkOf(x: Matrix): Diagnostic {
  return guarded(x, MIN_DRAWS_ESS, () => afterTransform(essBasic(zScale(splitChains(x)))));
}

function essQuantileOf(x: Matrix, p: number): Diagnostic {
  return guarded(x, MIN_DRAWS_ESS, () => {
    const q = quantileSorted(sorted(pool(x)), p);
    return afterTransform(essBasic(splitChains(indicatorBelow(x, q))));
  });
}

function essTailOf(x: Matrix): Diagnostic {
  return minOf(essQuantileOf(x, 0.05), essQuantileOf(x, 0.95));
}

function essMeanOf(x: Matrix): Diagnostic {
  return guarded(x, MIN_DRAWS_ESS, () => essBasic(splitChains(x)));
}

function essSdOf(x: Matrix): Diagnostic {
  return guarded(x, MIN_DRAWS_ESS, () =>
    minOf(essBasic(splitChains(x)), afterTransform(essBasic(splitChains(mapDraws(x, (v) => v * v))))),
  );
}

function mcseMeanOf(x: Matrix): Diagnostic {
  const ess = essMeanOf(x);
  return ess.value === null ? ess : ok(Math.sqrt(variance(pool(x)) / ess.value));
}

function mcseSdOf(x: Matrix): Diagnostic {
  return guarded(x, MIN_DRAWS_ESS, () => {
    const m = mean(pool(x));
    const sq = mapDraws(x, (v) => (v - m) * (v - m));
    const ess = afterTransform(essBasic(splitChains(sq)));
    if (ess.value === null) return ess;
    const sqPooled = pool(sq);
    const eVar = mean(sqPooled);
    const m4 = mean(sqPooled.map((v) => v * v));
    // Rounding can push E[(x−m)^4] − E[(x−m)^2]^2 a hair below 0 where R would give NaN.
    const varVar = Math.max(0, m4 - eVar * eVar) / ess.value;
    return ok(Math.sqrt(varVar / eVar / 4));
  });
}

function mcseQuantileOf(x: Matrix, p: number): Diagnostic {
  const ess = essQuantileOf(x, p);
  if (ess.value === null) return ess;
  const [aLo, aHi] = MCSE_QUANTILE_PROBS.map((prob) => betaQuantile(prob, ess.value! * p + 1, ess.value! * (1 - p) + 1));
  const s = sorted(pool(x));
  const S = s.length;
  const thLo = s[Math.max(Math.floor(aLo * S), 1) - 1];
  const thHi = s[Math.min(Math.ceil(aHi * S), S) - 1];
  return ok((thHi - thLo) / 2);
}

// ---- Public API -------------------------------------------------------------

/** Rank-normalised split-R̂: max of bulk and folded R̂ (Vehtari et al. 2021, arXiv 1903.08008, §4.2). */
export function rhatRank(chains: Chains): number {
  return toNumber(rhatOf(toMatrix(chains, 'rhatRank')));
}

/** Bulk-ESS: ESS of rank-normalised split chains (Vehtari et al. 2021, arXiv 1903.08008, §4.3). */
export function essBulk(chains: Chains): number {
  return toNumber(essBulkOf(toMatrix(chains, 'essBulk')));
}

/** Tail-ESS: min ESS of the 5% and 95% quantile indicators (Vehtari et al. 2021, arXiv 1903.08008, §4.3). */
export function essTail(chains: Chains): number {
  return toNumber(essTailOf(toMatrix(chains, 'essTail')));
}

/** ESS for the mean: split-chain ESS of the raw draws (Vehtari et al. 2021, arXiv 1903.08008, §3.2). */
export function essMean(chains: Chains): number {
  return toNumber(essMeanOf(toMatrix(chains, 'essMean')));
}

/**
 * ESS for the sd: min(ESS(x), ESS(x²)) (Vehtari et al. 2021, arXiv 1903.08008, §4.3).
 * This is our science doc's formula (older posterior releases); current
 * posterior source (R/convergence.R, ess_sd.default) uses ESS(|x − mean(x)|).
 */
export function essSd(chains: Chains): number {
  return toNumber(essSdOf(toMatrix(chains, 'essSd')));
}

/** ESS of the p-quantile: ESS of split 1[x ≤ Q_p] (Vehtari et al. 2021, arXiv 1903.08008, §4.3). */
export function essQuantile(chains: Chains, p: number): number {
  checkProb('essQuantile', p);
  return toNumber(essQuantileOf(toMatrix(chains, 'essQuantile'), p));
}

/** MCSE of the mean: sd / √ess_mean (Vehtari et al. 2021, arXiv 1903.08008, §3.2). */
export function mcseMean(chains: Chains): number {
  return toNumber(mcseMeanOf(toMatrix(chains, 'mcseMean')));
}

/**
 * MCSE of the sd (Vehtari et al. 2021, arXiv 1903.08008), pinned to current
 * posterior's `mcse_sd.default`: Kenney & Keeping (1951) variance of the variance,
 * (E[d⁴] − E[d²]²)/ESS(d²) with d = x − mean(x), then the first-order Taylor
 * step to the sd, Var(sd) ≈ Var(var)/(4·E[d²]). No normality assumption.
 */
export function mcseSd(chains: Chains): number {
  return toNumber(mcseSdOf(toMatrix(chains, 'mcseSd')));
}

/**
 * MCSE of the p-quantile, posterior's `mcse_quantile`: half the distance
 * between order statistics at the Beta(ess·p+1, ess·(1−p)+1) ±1 sd
 * probabilities (Vehtari et al. 2021, arXiv 1903.08008, §4.3).
 */
export function mcseQuantile(chains: Chains, p: number): number {
  checkProb('mcseQuantile', p);
  return toNumber(mcseQuantileOf(toMatrix(chains, 'mcseQuantile'), p));
}

// ---- Summary ----------------------------------------------------------------

export type SummaryQuantity =
  | 'mean'
  | 'sd'
  | 'q5'
  | 'q50'
  | 'q95'
  | 'rhat'
  | 'essBulk'
  | 'essTail'
  | 'essMean'
  | 'essSd'
  | 'essQ5'
  | 'essQ50'
  | 'essQ95'
  | 'mcseMean'
  | 'mcseSd'
  | 'mcseQ5'
  | 'mcseQ50'
  | 'mcseQ95';

/** All diagnostics for one scalar quantity; a null value always has a reason in `na`. */
export type DiagnosticsSummary = { readonly [K in SummaryQuantity]: number | null } & {
  readonly chains: number;
  /** Draws per chain. */
  readonly draws: number;
  readonly na: Readonly<Partial<Record<SummaryQuantity, NaReason>>>;
  /** The thresholds the checks used, and the checks (checkThresholds). */
  readonly thresholds: Thresholds;
  readonly checks: ThresholdChecks;
};

/** Location/scale summaries; only non-finite data (or a single draw for sd) makes them NA. */
function describe(x: Matrix): Record<'mean' | 'sd' | 'q5' | 'q50' | 'q95', Diagnostic> {
  const flat = pool(x);
  if (!flat.every(Number.isFinite)) {
    const bad = na('non-finite values');
    return { mean: bad, sd: bad, q5: bad, q50: bad, q95: bad };
  }
  const s = sorted(flat);
  return {
    mean: ok(mean(flat)),
    sd: flat.length < 2 ? na('too few draws') : ok(Math.sqrt(variance(flat))),
    q5: ok(quantileSorted(s, 0.05)),
    q50: ok(quantileSorted(s, 0.5)),
    q95: ok(quantileSorted(s, 0.95)),
  };
}

/** Every diagnostic above plus mean, sd and the 5/50/95% quantiles (Vehtari et al. 2021, arXiv 1903.08008). */
export function summarizeDraws(chains: Chains, thresholds: Thresholds = DEFAULT_THRESHOLDS): DiagnosticsSummary {
  const x = toMatrix(chains, 'summarizeDraws');
  const results: Record<SummaryQuantity, Diagnostic> = {
    ...describe(x),
    rhat: rhatOf(x),
    essBulk: essBulkOf(x),
    essTail: essTailOf(x),
    essMean: essMeanOf(x),
    essSd: essSdOf(x),
    essQ5: essQuantileOf(x, 0.05),
    essQ50: essQuantileOf(x, 0.5),
    essQ95: essQuantileOf(x, 0.95),
    mcseMean: mcseMeanOf(x),
    mcseSd: mcseSdOf(x),
    mcseQ5: mcseQuantileOf(x, 0.05),
    mcseQ50: mcseQuantileOf(x, 0.5),
    mcseQ95: mcseQuantileOf(x, 0.95),
  };
  const values = {} as Record<SummaryQuantity, number | null>;
  const reasons: Partial<Record<SummaryQuantity, NaReason>> = {};
  for (const key of Object.keys(results) as SummaryQuantity[]) {
    const d = results[key];
    values[key] = d.value;
    if (d.na !== null) reasons[key] = d.na;
  }
  return {
    ...values,
    chains: x.length,
    draws: x[0].length,
    na: reasons,
    thresholds,
    checks: checkThresholds(values, thresholds),
  };
}
