/**
 * Gamma and chi-squared variates from the project's seeded Rng.
 *
 * Shape a ≥ 1: Marsaglia & Tsang (2000), "A simple method for generating gamma
 * variables": with d = a − 1/3, c = 1/√(9d), draw x ~ N(0, 1) and v = (1 + c·x)³
 * until v > 0 and the squeeze u < 1 − 0.0331·x⁴ or the exact test
 * log u < x²/2 + d·(1 − v + log v) accepts (u uniform); return d·v.
 * Shape a < 1: G_a = G_{a+1} · U^{1/a} (same paper), with U in (0, 1].
 * The number of Rng draws per variate varies (rejection), but is a deterministic
 * function of the Rng state, so a seeded stream gives bit-identical variates.
 */
import type { Rng } from '@llc/core/random/rng';

/** One Gamma(shape, scale 1) variate; shape must be a finite number > 0. */
export function sampleGamma(shape: number, rng: Rng): number {
  if (!(Number.isFinite(shape) && shape > 0)) {
    throw new Error(`Error in sampleGamma: shape must be a finite number > 0, got ${String(shape)}`);
  }
  if (shape < 1) {
    const boosted = sampleGamma(shape + 1, rng);
    return boosted * Math.pow(1 - rng.uniform(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    let v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    const u = rng.uniform();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** One χ²_df variate (= 2·Gamma(df/2)); df must be a finite number > 0. */
export function sampleChiSquared(df: number, rng: Rng): number {
  if (!(Number.isFinite(df) && df > 0)) {
    throw new Error(`Error in sampleChiSquared: df must be a finite number > 0, got ${String(df)}`);
  }
  return 2 * sampleGamma(df / 2, rng);
}
