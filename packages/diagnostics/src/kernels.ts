/**
 * Building blocks of the rank-normalised diagnostics of Vehtari, Gelman,
 * Simpson, Carpenter & Bürkner (2021), arXiv 1903.08008, following the
 * reference implementation in R `posterior` (rhat_basic / ess_basic,
 * `.rhat`, `.ess`, `z_scale`, `fold_draws`, `.split_chains`).
 * All functions are pure: inputs are never mutated.
 */

import { fftInPlace, nextPowerOfTwo } from './fft';
import { normalQuantile } from './normal';
import { type Chains, type Diagnostic, type Matrix, type NaReason, na, ok } from './types';

/**
 * Validate the *arguments* (shape) and copy to a Matrix. Shape errors are
 * caller bugs, so they throw; bad *data* (NaN, constant…) is reported as NA
 * by `guardDraws` instead.
 */
export function toMatrix(chains: Chains, fn: string): Matrix {
  if (!Array.isArray(chains) || chains.length === 0) {
    const got = Array.isArray(chains) ? '0 chains' : String(chains);
    throw new RangeError(`Error in ${fn}: chains must be a non-empty array of chains, got ${got}`);
  }
  const lengths = chains.map((c) => (c == null ? NaN : c.length));
  if (lengths.some((len) => !Number.isInteger(len) || len !== lengths[0])) {
    throw new RangeError(`Error in ${fn}: chains must all have the same length, got lengths [${lengths.join(', ')}]`);
  }
  if (lengths[0] === 0) {
    throw new RangeError(`Error in ${fn}: chains must contain at least one draw, got length 0`);
  }
  return chains.map((c) => Float64Array.from(c));
}

/** All draws of all chains in one array (order is irrelevant to every use). */
export function pool(x: Matrix): Float64Array {
  const n = x[0].length;
  const out = new Float64Array(x.length * n);
  x.forEach((chain, i) => out.set(chain, i * n));
  return out;
}

/** Same shape as x, values replaced chain by chain in pooled order. */
function reshapeLike(x: Matrix, flat: ArrayLike<number>): Matrix {
  const n = x[0].length;
  return x.map((_, i) => Float64Array.from({ length: n }, (_, j) => flat[i * n + j]));
}

/** Elementwise map, shape preserved. */
export function mapDraws(x: Matrix, f: (v: number) => number): Matrix {
  return x.map((chain) => chain.map(f));
}

/**
 * Split each chain into its first ⌊n/2⌋ and last ⌊n/2⌋ draws (middle draw
 * dropped for odd n) so within-chain trends show up as between-chain
 * differences. A one-draw chain is returned unsplit, as posterior does.
 */
export function splitChains(x: Matrix): Matrix {
  const n = x[0].length;
  if (n === 1) return x.map((c) => c.slice());
  const half = Math.floor(n / 2);
  return [...x.map((c) => c.slice(0, half)), ...x.map((c) => c.slice(n - half))];
}

/** 1-based ranks of the values, ties sharing their average rank (R's ties.method = "average"). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const S = values.length;
  const order = Array.from({ length: S }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(S);
  for (let i = 0; i < S; ) {
    let j = i;
    while (j + 1 < S && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j + 2) / 2; // mean of 1-based positions i+1 … j+1
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

/**
 * Rank normalisation: z = Φ⁻¹((r − 3/8)/(S + 1/4)) over all S pooled draws
 * (Blom's offset c = 3/8, as posterior's z_scale). Makes R̂/ESS invariant
 * to monotone transforms and well-defined for heavy tails.
 */
export function zScale(x: Matrix): Matrix {
  const flat = pool(x);
  const S = flat.length;
  const r = averageRanks(flat);
  return reshapeLike(
    x,
    Array.from(r, (ri) => normalQuantile((ri - 3 / 8) / (S + 1 / 4))),
  );
}

/** Ascending sorted copy. */
export function sorted(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Median of an ascending-sorted array (mean of the two middle values for even length). */
export function medianSorted(s: ArrayLike<number>): number {
  const S = s.length;
  const mid = Math.floor(S / 2);
  return S % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Type-7 quantile of an ascending-sorted array, computed the way R's
 * `quantile(type = 7)` does it (1-based index, (1−h)·lo + h·hi), so the
 * thresholds behind the quantile indicators match R bit for bit.
 */
export function quantileSorted(s: ArrayLike<number>, p: number): number {
  const index = 1 + (s.length - 1) * p;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const qlo = s[lo - 1];
  const qhi = s[hi - 1];
  if (index > lo && qhi !== qlo) {
    const h = index - lo;
    return (1 - h) * qlo + h * qhi;
  }
  return qlo;
}

/** Fold around the pooled median: |x − median|, exposing differences in scale (tails). */
export function foldDraws(x: Matrix): Matrix {
  const med = medianSorted(sorted(pool(x)));
  return mapDraws(x, (v) => Math.abs(v - med));
}

/** Indicator 1[x ≤ q], whose ESS is the ESS of the quantile estimate at q. */
export function indicatorBelow(x: Matrix, q: number): Matrix {
  return mapDraws(x, (v) => (v <= q ? 1 : 0));
}

export function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

/** Sample variance (ddof 1), two-pass for accuracy. */
export function variance(v: ArrayLike<number>): number {
  const m = mean(v);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) * (v[i] - m);
  return s / (v.length - 1);
}

/**
 * Biased autocovariance (divide by n at every lag, as Geyer 1992
 * recommends) for lags 0…n−1, via zero-padded FFT in O(n log n).
 * Padding to ≥ 2n makes the circular correlation equal the linear one.
 * As in posterior, lag 0 is pinned to the directly summed Σ(y−ȳ)²/n and
 * the other lags are FFT ratios to it, which keeps them exact to ~1e-15
 * of lag 0.
 */
export function autocovariance(y: ArrayLike<number>): Float64Array {
  const n = y.length;
  const m = mean(y);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i] - m) * (y[i] - m);
  if (ss === 0) return new Float64Array(n); // constant: every autocovariance is 0
  const size = nextPowerOfTwo(2 * n);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < n; i++) re[i] = y[i] - m;
  fftInPlace(re, im);
  for (let k = 0; k < size; k++) {
    re[k] = re[k] * re[k] + im[k] * im[k]; // power spectrum
    im[k] = 0;
  }
  fftInPlace(re, im, true);
  const scale = ss / n / re[0];
  return Float64Array.from({ length: n }, (_, k) => re[k] * scale);
}

/** R's is_constant: range below machine epsilon (an absolute tolerance, as posterior uses). */
function isConstant(x: Matrix): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const chain of x) {
    for (let i = 0; i < chain.length; i++) {
      if (chain[i] < lo) lo = chain[i];
      if (chain[i] > hi) hi = chain[i];
    }
  }
  return Math.abs(hi - lo) < Number.EPSILON;
}

/**
 * The single data guard (posterior's `should_return_NA` plus the draw-count
 * checks): null when x is usable, otherwise why not. Checked in order:
 * non-finite values, fewer than `minDraws` draws per chain, constant trace.
 */
export function guardDraws(x: Matrix, minDraws: number): NaReason | null {
  for (const chain of x) {
    for (let i = 0; i < chain.length; i++) if (!Number.isFinite(chain[i])) return 'non-finite values';
  }
  if (x[0].length < minDraws) return 'too few draws';
  if (isConstant(x)) return 'constant trace';
  return null;
}

/**
 * Classic potential scale reduction √((B/W + n − 1)/n) with
 * B = n·var(chain means), W = mean(chain variances) (Gelman et al. BDA3;
 * Vehtari et al. 2021 eq. 3–4). Call with split chains for split-R̂.
 */
export function rhatBasic(y: Matrix): Diagnostic {
  const reason = guardDraws(y, 2);
  if (reason) return na(reason);
  if (y.length < 2) return na('too few chains');
  const n = y[0].length;
  const chainMeans = y.map(mean);
  const B = n * variance(chainMeans);
  const W = mean(y.map(variance));
  // posterior would return Inf here; NA keeps the result JSON-representable.
  if (W === 0) return na('zero within-chain variance');
  return ok(Math.sqrt((B / W + n - 1) / n));
}

/**
 * Multi-chain ESS S/τ̂ of Vehtari et al. (2021, eqs. 10–11), transcribing
 * posterior's `.ess` step for step, including three details that change
 * numbers:
 *  - Geyer's initial positive sequence stops at lag n−3 at most
 *    (loop bound t < n − 5), then the initial monotone sequence;
 *  - τ̂ = −1 + 2·Σ_{k<max_t} ρ̂_k + ρ̂_{max_t}: the last even lag enters once,
 *    and only if positive (the "improved estimate" for antithetic chains);
 *  - when the loop never runs (max_t = 0, i.e. n ≤ 5), R's `1:max_t` is
 *    `1:0`, which selects ρ̂_0 = 1, so τ̂ = 2. We keep that (ArviZ gives 0,
 *    then clamps) so results equal posterior's.
 * τ̂ is clamped to ≥ 1/log10(S), capping ESS at S·log10(S).
 */
export function essBasic(y: Matrix): Diagnostic {
  const reason = guardDraws(y, 3);
  if (reason) return na(reason);
  const M = y.length;
  const n = y[0].length;
  const acov = new Float64Array(n); // mean over chains of each lag
  for (const chain of y) {
    const ac = autocovariance(chain);
    for (let k = 0; k < n; k++) acov[k] += ac[k];
  }
  for (let k = 0; k < n; k++) acov[k] /= M;
  const meanVar = (acov[0] * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (M > 1) varPlus += variance(y.map(mean));
  const rhoAt = (k: number): number => 1 - (meanVar - acov[k]) / varPlus;

  // Geyer's initial positive sequence over pairs (ρ̂_2t + ρ̂_2t+1 > 0).
  const rho = new Float64Array(n);
  let t = 0;
  let rhoEven = 1;
  let rhoOdd = rhoAt(1);
  rho[0] = rhoEven;
  rho[1] = rhoOdd;
  while (t < n - 5 && !Number.isNaN(rhoEven + rhoOdd) && rhoEven + rhoOdd > 0) {
    t += 2;
    rhoEven = rhoAt(t);
    rhoOdd = rhoAt(t + 1);
    if (rhoEven + rhoOdd >= 0) {
      rho[t] = rhoEven;
      rho[t + 1] = rhoOdd;
    }
  }
  const maxT = t;
  if (rhoEven > 0) rho[maxT] = rhoEven;

  // Geyer's initial monotone sequence: pair sums may not increase.
  t = 0;
  while (t <= maxT - 4) {
    t += 2;
    if (rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]) {
      rho[t] = (rho[t - 2] + rho[t - 1]) / 2;
      rho[t + 1] = rho[t];
    }
  }

  const S = M * n;
  let sum = 0;
  if (maxT === 0) sum = rho[0]; // R's rho_hat_t[1:0] quirk, see above
  else for (let k = 0; k < maxT; k++) sum += rho[k];
  const tau = Math.max(-1 + 2 * sum + rho[maxT], 1 / Math.log10(S));
  return ok(S / tau);
}
