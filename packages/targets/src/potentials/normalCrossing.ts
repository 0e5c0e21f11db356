/**
 * Normal-crossing potential K(w) = Π_i w_i^{2k_i} as a LossModel: the local form every
 * analytic K takes after resolution of singularities (Watanabe 2009, Algebraic Geometry and
 * Statistical Learning Theory, Thm 2.3). Its zeta function ∫K^z dw over a neighbourhood of 0
 * factorises into ∫|w_i|^{2k_i z}, with poles at z = −1/(2k_i), so
 *   λ = min_i 1/(2k_i),  m = #{i : 1/(2k_i) = λ}.
 * Both are asymptotic (t → ∞). K vanishes on whole coordinate hyperplanes, so the tempered
 * posterior is improper without a localiser: samplers need γ > 0 here.
 */
import type { LossModel } from '@llc/core/model';

function checkExponents(k: ArrayLike<number>, caller: string): number[] {
  const ks = Array.from(k);
  if (ks.length === 0) throw new Error(`Error in ${caller}: k must list at least one exponent`);
  ks.forEach((ki, i) => {
    if (!(Number.isInteger(ki) && ki >= 1)) throw new Error(`Error in ${caller}: k[${i}] must be a positive integer, got ${String(ki)}`);
  });
  return ks;
}

export function normalCrossingPotential(k: ArrayLike<number>, n = 1): LossModel {
  const ks = checkExponents(k, 'normalCrossingPotential');
  const d = ks.length;
  const loss = (w: Float64Array) => {
    let prod = 1;
    for (let i = 0; i < d; i++) prod *= w[i] ** (2 * ks[i]);
    return prod;
  };
  return {
    dim: d,
    n,
    loss,
    lossAndGrad(w) {
      // Prefix/suffix products give ∂K/∂w_j = 2k_j w_j^{2k_j−1} Π_{i≠j} w_i^{2k_i} without dividing by w_j (which may be 0).
      const factor = new Float64Array(d);
      for (let i = 0; i < d; i++) factor[i] = w[i] ** (2 * ks[i]);
      const grad = new Float64Array(d);
      let prefix = 1;
      for (let j = 0; j < d; j++) {
        grad[j] = prefix;
        prefix *= factor[j];
      }
      let suffix = 1;
      for (let j = d - 1; j >= 0; j--) {
        grad[j] *= suffix * 2 * ks[j] * w[j] ** (2 * ks[j] - 1);
        suffix *= factor[j];
      }
      return { loss: prefix, grad };
    },
  };
}

/** Asymptotic λ = min 1/(2k_i) and its multiplicity (how many coordinates attain it). */
export function normalCrossingLlc(k: ArrayLike<number>): { lambda: number; multiplicity: number } {
  const ks = checkExponents(k, 'normalCrossingLlc');
  const kMax = Math.max(...ks);
  return { lambda: 1 / (2 * kMax), multiplicity: ks.filter((ki) => ki === kMax).length };
}
