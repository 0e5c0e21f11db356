/**
 * Separable monomial potential K(w) = ½ Σ (w_i − c_i)^{p_i} (p_i even) as a LossModel.
 * With a flat prior (γ = 0) at any temperature t, E[t·K] = Σ 1/p_i exactly, so the
 * LLC is Σ 1/p_i at every t (Watanabe; docs/SCIENCE.md §3).
 */
import type { LossModel } from '@llc/core/model';

export function monomialPotential(powers: ArrayLike<number>, centre?: Float64Array, n = 1): LossModel {
  const p = Array.from(powers);
  for (const [i, pi] of p.entries()) {
    if (!(Number.isInteger(pi) && pi >= 2 && pi % 2 === 0)) {
      throw new Error(`Error in monomialPotential: powers[${i}] must be an even integer ≥ 2, got ${pi}`);
    }
  }
  const d = p.length;
  const c = centre ?? new Float64Array(d);
  const loss = (w: Float64Array) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += 0.5 * (w[i] - c[i]) ** p[i];
    return s;
  };
  return {
    dim: d,
    n,
    loss,
    lossAndGrad(w) {
      const grad = new Float64Array(d);
      for (let i = 0; i < d; i++) grad[i] = 0.5 * p[i] * (w[i] - c[i]) ** (p[i] - 1);
      return { loss: loss(w), grad };
    },
  };
}

/** λ = Σ 1/p_i, exact at every temperature with a flat prior. */
export function monomialExactLlc(powers: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < powers.length; i++) s += 1 / powers[i];
  return s;
}
