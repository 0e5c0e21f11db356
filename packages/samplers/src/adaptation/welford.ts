/**
 * Welford's streaming mean and variance per coordinate (Welford 1962), used to
 * estimate the diagonal inverse mass matrix over a slow window. Streaming keeps a
 * window's memory at 2d numbers and is numerically stable where Σx² − n·x̄² is not.
 */

export interface WelfordState {
  readonly count: number;
  readonly mean: Float64Array;
  /** Σ (x − mean)², updated incrementally. */
  readonly m2: Float64Array;
}

export function init(dim: number): WelfordState {
  if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`Error in welford.init: dim must be a positive integer, got ${dim}`);
  return { count: 0, mean: new Float64Array(dim), m2: new Float64Array(dim) };
}

export function update(state: WelfordState, x: Float64Array): WelfordState {
  const d = state.mean.length;
  if (x.length !== d) throw new Error(`Error in welford.update: expected ${d} values, got ${x.length}`);
  const count = state.count + 1;
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const delta = x[i] - state.mean[i];
    mean[i] = state.mean[i] + delta / count;
    m2[i] = state.m2[i] + delta * (x[i] - mean[i]);
  }
  return { count, mean, m2 };
}

/** Sample variance (divisor n − 1) per coordinate; NaN with fewer than two samples. */
export function variance(state: WelfordState): Float64Array {
  const n = state.count;
  return Float64Array.from(state.m2, (m) => (n >= 2 ? m / (n - 1) : Number.NaN));
}

/**
 * The regularised variance used as the inverse mass (Stan's diag_e_adaptation):
 * (n/(n+5))·σ² + 1e-3·5/(n+5). Shrinking towards a small constant keeps a short
 * window's noisy or zero variance (a chain that rejected every proposal) from
 * producing a degenerate metric.
 */
export function final(state: WelfordState): Float64Array {
  const n = state.count;
  if (n < 2) throw new Error(`Error in welford.final: need at least 2 samples, got ${n}`);
  const shrink = n / (n + 5);
  const floor = 1e-3 * (5 / (n + 5));
  return Float64Array.from(variance(state), (v) => shrink * v + floor);
}
