/**
 * The one potential every gradient-based kernel samples, exp(−U) with
 *
 *   U(w) = nβ·(L_n(w) − L_n(w*)) + (γ/2)·‖w − w*‖²
 *
 * (docs/SCIENCE.md §1). Subtracting L_n(w*) changes no dynamics or acceptance; it keeps U near
 * zero at w*, so energies stay comparable across targets and float64 keeps its digits.
 */
import type { LossModel } from '@llc/core/model';
import type { LocalPosterior } from './posterior';

/** U and ∇U at w (one full-batch gradient evaluation). */
export type PotentialFn = (w: Float64Array) => { potential: number; grad: Float64Array };

export function localPotential(model: LossModel, posterior: LocalPosterior): PotentialFn {
  const { nBeta, gamma, wStar, L0 } = posterior;
  return (w) => {
    const { loss, grad: lossGrad } = model.lossAndGrad(w, null);
    const grad = new Float64Array(w.length);
    let prior = 0;
    for (let i = 0; i < w.length; i++) {
      const dw = w[i] - wStar[i];
      prior += dw * dw;
      grad[i] = nBeta * lossGrad[i] + gamma * dw;
    }
    return { potential: nBeta * (loss - L0) + 0.5 * gamma * prior, grad };
  };
}
