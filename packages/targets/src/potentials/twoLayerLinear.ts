/**
 * Two-layer linear potential K = ½‖BA‖²_F, A ∈ R^{H×M}, B ∈ R^{N×H}, as a LossModel: the
 * population loss E_x ½‖(BA − B*A*)x‖² of reduced-rank regression with identity input
 * covariance, at the true map B*A* = 0 (w* = 0). Its λ is that of Aoyagi & Watanabe (2005)
 * with r = 0 (rrrLambda). Asymptotic (t → ∞); K vanishes on {A = 0} ∪ {B = 0} (and more), so
 * samplers need γ > 0.
 *
 * Flat layout: the MLP layout (targets/src/models/mlpSpec.ts) of widths [M, H, N] with
 * identity activation and no biases, so the same vector fits an MLP student:
 *   W_1 = Aᵀ, shape [M, H] row-major at offset 0;  W_2 = Bᵀ, shape [H, N] at offset M·H.
 * Then W_1W_2 = (BA)ᵀ and K = ½‖W_1W_2‖²_F.
 */
import { rrrLambda } from '../knownAnswers/rrr';
import type { LossModel } from '@llc/core/model';

export interface TwoLayerLinearShape {
  /** Input dimension. */
  M: number;
  /** Hidden dimension. */
  H: number;
  /** Output dimension. */
  N: number;
}

function checkShape({ M, H, N }: TwoLayerLinearShape, caller: string): void {
  for (const [name, value] of [['M', M], ['H', H], ['N', N]] as const) {
    if (!(Number.isInteger(value) && value >= 1)) throw new Error(`Error in ${caller}: ${name} must be a positive integer, got ${String(value)}`);
  }
}

export function twoLayerLinearPotential(shape: TwoLayerLinearShape, n = 1): LossModel {
  checkShape(shape, 'twoLayerLinearPotential');
  const { M, H, N } = shape;
  const w2Offset = M * H;
  const dim = M * H + H * N;
  /** P = W_1 W_2, [M, N] row-major. */
  const product = (w: Float64Array) => {
    const P = new Float64Array(M * N);
    for (let i = 0; i < M; i++) {
      for (let h = 0; h < H; h++) {
        const a = w[i * H + h];
        if (a === 0) continue;
        for (let j = 0; j < N; j++) P[i * N + j] += a * w[w2Offset + h * N + j];
      }
    }
    return P;
  };
  const half = (P: Float64Array) => {
    let s = 0;
    for (let k = 0; k < P.length; k++) s += P[k] * P[k];
    return 0.5 * s;
  };
  return {
    dim,
    n,
    loss: (w) => half(product(w)),
    lossAndGrad(w) {
      const P = product(w);
      // ∂K/∂W_1 = P W_2ᵀ [M, H];  ∂K/∂W_2 = W_1ᵀ P [H, N].
      const grad = new Float64Array(dim);
      for (let i = 0; i < M; i++) {
        for (let h = 0; h < H; h++) {
          let s = 0;
          for (let j = 0; j < N; j++) s += P[i * N + j] * w[w2Offset + h * N + j];
          grad[i * H + h] = s;
        }
      }
      for (let h = 0; h < H; h++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let i = 0; i < M; i++) s += w[i * H + h] * P[i * N + j];
          grad[w2Offset + h * N + j] = s;
        }
      }
      return { loss: half(P), grad };
    },
  };
}

/** Asymptotic λ and multiplicity at w* = 0: Aoyagi & Watanabe (2005) with r = 0. */
export function twoLayerLinearLlc(shape: TwoLayerLinearShape): { lambda: number; multiplicity: number } {
  checkShape(shape, 'twoLayerLinearLlc');
  const { lambda, multiplicity } = rrrLambda({ ...shape, r: 0 });
  return { lambda, multiplicity };
}
