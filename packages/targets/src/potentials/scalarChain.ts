/**
 * Scalar chain K(w) = ½ (w_1 w_2 ⋯ w_L)² as a LossModel: the population loss of a deep
 * linear network with every width 1 and true map 0 (identity input covariance), i.e. the
 * DLN [1, 1, …, 1] with r = 0. Its λ comes from Aoyagi (2024) via dlnLambda: λ = ½ with
 * multiplicity m = L (it is also the normal crossing Π w_i² of normalCrossing.ts up to the ½).
 * Asymptotic (t → ∞); K vanishes on the coordinate hyperplanes, so samplers need γ > 0.
 */
import { dlnLambda } from '../knownAnswers/dln';
import type { LossModel } from '@llc/core/model';

function checkDepth(depth: number, caller: string): void {
  if (!(Number.isInteger(depth) && depth >= 1)) throw new Error(`Error in ${caller}: depth must be a positive integer, got ${String(depth)}`);
}

export function scalarChainPotential(depth: number, n = 1): LossModel {
  checkDepth(depth, 'scalarChainPotential');
  const loss = (w: Float64Array) => {
    let prod = 1;
    for (let i = 0; i < depth; i++) prod *= w[i];
    return 0.5 * prod * prod;
  };
  return {
    dim: depth,
    n,
    loss,
    lossAndGrad(w) {
      // ∂K/∂w_j = P · Π_{i≠j} w_i with P = Π w_i; prefix/suffix products avoid dividing by w_j.
      const grad = new Float64Array(depth);
      let prefix = 1;
      for (let j = 0; j < depth; j++) {
        grad[j] = prefix;
        prefix *= w[j];
      }
      let suffix = 1;
      for (let j = depth - 1; j >= 0; j--) {
        grad[j] *= suffix * prefix;
        suffix *= w[j];
      }
      return { loss: 0.5 * prefix * prefix, grad };
    },
  };
}

/** Asymptotic λ and multiplicity of the depth-L scalar chain: the DLN [1, …, 1] (L + 1 widths) at r = 0. */
export function scalarChainLlc(depth: number): { lambda: number; multiplicity: number } {
  checkDepth(depth, 'scalarChainLlc');
  return dlnLambda(new Array<number>(depth + 1).fill(1), 0);
}
