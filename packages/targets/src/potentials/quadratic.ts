/**
 * Quadratic potential K(w) = ½ Σ h_i (w_i − c_i)² as a LossModel (no data). With
 * nβ = t and localiser γ, the exact tempered mean is E[λ̂] = ½ Σ t h_i/(t h_i + γ).
 */
import type { LossModel } from '@llc/core/model';

export function quadraticPotential(h: ArrayLike<number>, centre?: Float64Array, n = 1): LossModel {
  const d = h.length;
  const c = centre ?? new Float64Array(d);
  const hh = Float64Array.from(h);
  const loss = (w: Float64Array) => {
    let s = 0;
    for (let i = 0; i < d; i++) s += 0.5 * hh[i] * (w[i] - c[i]) ** 2;
    return s;
  };
  return {
    dim: d,
    n,
    loss,
    lossAndGrad(w) {
      const grad = new Float64Array(d);
      for (let i = 0; i < d; i++) grad[i] = hh[i] * (w[i] - c[i]);
      return { loss: loss(w), grad };
    },
  };
}

/** Exact E[nβ(K(w) − K(w*))] under exp(−tK − (γ/2)‖w − w*‖²), w* at the minimum. */
export function quadraticExactLlc(h: ArrayLike<number>, t: number, gamma: number): number {
  let s = 0;
  for (let i = 0; i < h.length; i++) s += (0.5 * t * h[i]) / (t * h[i] + gamma);
  return s;
}

/** Exact stationary E[λ̂] of full-batch SGLD (ULA) with step ε: ½ Σ (t h_i/p_i)/(1 − ε p_i/4), p_i = t h_i + γ. */
export function quadraticUlaLlc(h: ArrayLike<number>, t: number, gamma: number, stepSize: number): number {
  let s = 0;
  for (let i = 0; i < h.length; i++) {
    const p = t * h[i] + gamma;
    if (!(stepSize * p < 4)) throw new Error(`Error in quadraticUlaLlc: ULA is unstable, ε·p = ${stepSize * p} ≥ 4 for coordinate ${i}`);
    s += (0.5 * ((t * h[i]) / p)) / (1 - (stepSize * p) / 4);
  }
  return s;
}
