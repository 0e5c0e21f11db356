/**
 * The tempered, localised posterior around w* (Lau et al. 2023, arXiv 2308.12108):
 *   log π(w) = −nβ·L_n(w) − (γ/2)‖w − w*‖²,  β = β0 / ln(max(3, n)).
 * Samplers receive it through `LocalPosterior`; nothing else about the target.
 */
export interface LocalPosterior {
  /** nβ: the effective inverse temperature multiplying L_n. */
  readonly nBeta: number;
  /** γ: strength of the Gaussian localiser (0 = flat prior). */
  readonly gamma: number;
  /** w*: the point whose LLC is estimated. */
  readonly wStar: Float64Array;
  /** L_n(w*), evaluated with the same model code as the draws. */
  readonly L0: number;
}

/** β = β0 / ln(max(3, n)): the WBIC temperature scaled by β0. */
export function inverseTemperature(n: number, beta0: number): number {
  if (!(n >= 1)) throw new Error(`Error in inverseTemperature: n must be ≥ 1, got ${n}`);
  if (!(beta0 > 0)) throw new Error(`Error in inverseTemperature: beta0 must be > 0, got ${beta0}`);
  return beta0 / Math.log(Math.max(3, n));
}

export function localPosterior(opts: { n: number; beta0: number; gamma: number; wStar: Float64Array; L0: number }): LocalPosterior {
  if (!(opts.gamma >= 0)) throw new Error(`Error in localPosterior: gamma must be ≥ 0, got ${opts.gamma}`);
  return { nBeta: opts.n * inverseTemperature(opts.n, opts.beta0), gamma: opts.gamma, wStar: opts.wStar, L0: opts.L0 };
}

/** Per-draw LLC estimate: nβ·(L_n(w) − L_n(w*)). */
export function llcOf(loss: number, posterior: LocalPosterior): number {
  return posterior.nBeta * (loss - posterior.L0);
}
