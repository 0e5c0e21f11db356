/**
 * λ̂_VI = nβ(E_q[L_n] − L_n(w*)) from S draws of a fitted q, with and without the
 * Hessian-vector-product control variate (docs/SCIENCE.md §2):
 *   E_q[L] ≈ mean_s(L_s − g·v_s − ½ v_sᵀHv_s) + ½ tr(HΣ_q),   g = ∇L_n(w*),
 *   tr(HΣ_q) = Σ_m π_m [tr(HD) + Σ_j k_mjᵀ H k_mj]  — the FULL trace: the diagonal part
 * tr(HD) is not optional (the predecessor dropped it, which removes most of λ̂ whenever D
 * carries the variance). For a quadratic loss L_s − ½v_sᵀHv_s is constant, so the
 * estimate has (almost) zero Monte-Carlo variance and is exact given q. The linear term
 * g·v has mean zero under q (q is centred at w*), so subtracting it adds no bias; it
 * matters when w* is not exactly a critical point (a trained network), costs 1 FGE, and
 * otherwise its noise would swamp the curvature correction.
 *
 * Hessian-vector products are central differences of the full-batch gradient:
 *   Hv ≈ (∇L(w* + hv) − ∇L(w* − hv)) / (2h),  h = hvpStep/‖v‖,
 * i.e. the probe points lie at distance hvpStep from w* whatever ‖v‖ is. Error trade-off:
 * truncation is O(hvpStep²·‖∇³L‖) relative (zero for a quadratic), rounding is
 * O(ε_mach·‖∇L‖/hvpStep). A float32 model (ε ≈ 6e-8) wants hvpStep ≈ 1e-3 (rounding
 * ≈ 1e-4 relative for O(1) gradients); a float64 model tolerates 1e-5.
 * H_ii would need d HVPs with basis vectors, so tr(HD) = E[zᵀD^{½}HD^{½}z] is estimated with
 * Rademacher probes z (Hutchinson); it is exact when H is diagonal and its variance
 * enters the reported MCSE. When d ≤ probes the d basis-vector HVPs are cheaper than the
 * probes and exact, so they are used instead.
 *
 * Work: every HVP is two full-batch gradients, so the control variate costs
 * 2·(S + min(d, probes) + M·r) + 1 FGE (the + 1 is g). Full-data losses of the S draws are forward passes only and,
 * like the run loop's evaluation losses, are not counted as gradient work.
 */
import type { Rng } from '@llc/core/random/rng';
import type { LossModel } from '@llc/core/model';
import type { LocalPosterior } from '../posterior';
import { factorColumn, logQ, logQScratch, mfaDrawBuffers, sampleMfa, type MfaView } from './mfa';

/** Central-difference Hessian-vector product of the full-data loss at w0; 2 FGE. */
export function hessianVectorProduct(model: LossModel, w0: Float64Array, v: Float64Array, hvpStep: number): Float64Array {
  if (!(hvpStep > 0)) throw new Error(`Error in hessianVectorProduct: hvpStep must be > 0, got ${hvpStep}`);
  const d = v.length;
  let norm = 0;
  for (let i = 0; i < d; i++) norm += v[i] * v[i];
  norm = Math.sqrt(norm);
  const hv = new Float64Array(d);
  if (norm === 0) return hv;
  const h = hvpStep / norm;
  const wp = new Float64Array(d);
  const wm = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    wp[i] = w0[i] + h * v[i];
    wm[i] = w0[i] - h * v[i];
  }
  const gp = model.lossAndGrad(wp, null).grad;
  const gm = model.lossAndGrad(wm, null).grad;
  for (let i = 0; i < d; i++) hv[i] = (gp[i] - gm[i]) / (2 * h);
  return hv;
}

/** vᵀHv through one HVP (2 FGE). */
export function quadraticForm(model: LossModel, w0: Float64Array, v: Float64Array, hvpStep: number): number {
  const hv = hessianVectorProduct(model, w0, v, hvpStep);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * hv[i];
  return s;
}

export interface EstimateOptions {
  evalSamples: number;
  controlVariate: boolean;
  hutchinsonProbes: number;
  hvpStep: number;
}

export interface LlcEstimate {
  /** The reported λ̂: control-variate estimate when enabled, else the plain one. */
  llc: number;
  /** MC standard error of `llc` (draw variance, plus Hutchinson probe variance with the control variate). */
  llcMcse: number;
  /** nβ(mean_s L_s − L_n(w*)), no control variate. */
  llcPlain: number;
  llcPlainMcse: number;
  /** ELBO = mean_s[−nβL_s − (γ/2)‖v_s‖² − log q(w_s)] on full-data losses; its MC standard error. */
  elbo: number;
  elboMcse: number;
  /** Parts of the control variate (NaN without it): mean_s(L_s − L0 − g·v_s − ½v_sᵀHv_s), tr(HD) (Hutchinson), Σ_m π_m Σ_j k_mjᵀHk_mj. */
  meanResidual: number;
  traceDiagonal: number;
  traceFactors: number;
  /** tr(HD) came from d basis-vector HVPs (d ≤ probes) rather than Hutchinson probes. */
  traceDiagonalExact: boolean;
  /** Gradient work of the estimate (the control variate's HVPs). */
  fge: number;
  /** Set when a draw gave a non-finite loss/ELBO term; the numbers are then NaN. */
  failure?: string;
}

function meanAndVar(x: Float64Array): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < x.length; i++) mean += x[i];
  mean /= x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i] - mean) ** 2;
  return { mean, variance: x.length > 1 ? ss / (x.length - 1) : Number.NaN };
}

export function estimateLlc(model: LossModel, posterior: LocalPosterior, view: MfaView, options: EstimateOptions, rng: Rng): LlcEstimate {
  const { evalSamples: S, controlVariate, hutchinsonProbes: P, hvpStep } = options;
  if (!(Number.isInteger(S) && S >= 2)) throw new Error(`Error in estimateLlc: evalSamples must be an integer ≥ 2, got ${S}`);
  if (controlVariate && !(Number.isInteger(P) && P >= 1)) {
    throw new Error(`Error in estimateLlc: hutchinsonProbes must be an integer ≥ 1 with the control variate, got ${P}`);
  }
  const { layout, weights, sd } = view;
  const { dim: d, components: M, rank: r } = layout;
  const { nBeta, gamma, wStar, L0 } = posterior;
  const draw = mfaDrawBuffers(layout);
  const scratch = logQScratch(layout);
  const w = new Float64Array(d);
  const excess = new Float64Array(S); // L_s − L0
  const h = new Float64Array(S); // −nβL_s − (γ/2)‖v‖² − log q
  const residual = new Float64Array(S); // L_s − L0 − ½v_sᵀHv_s
  let fge = 0;
  const nan = Number.NaN;
  const failed = (failure: string): LlcEstimate => ({
    llc: nan, llcMcse: nan, llcPlain: nan, llcPlainMcse: nan, elbo: nan, elboMcse: nan,
    meanResidual: nan, traceDiagonal: nan, traceDiagonalExact: false, traceFactors: nan, fge, failure,
  });

  let g0: Float64Array | null = null;
  if (controlVariate) {
    g0 = model.lossAndGrad(wStar, null).grad;
    fge += 1;
  }
  for (let s = 0; s < S; s++) {
    sampleMfa(view, rng, draw);
    let vv = 0;
    for (let i = 0; i < d; i++) {
      w[i] = wStar[i] + draw.v[i];
      vv += draw.v[i] ** 2;
    }
    const loss = model.loss(w);
    excess[s] = loss - L0;
    h[s] = -nBeta * loss - 0.5 * gamma * vv - logQ(view, draw.v, undefined, scratch);
    if (!Number.isFinite(excess[s]) || !Number.isFinite(h[s])) return failed(`non-finite loss or log q at evaluation draw ${s}`);
    if (g0) {
      let gv = 0;
      for (let i = 0; i < d; i++) gv += g0[i] * draw.v[i];
      residual[s] = excess[s] - gv - 0.5 * quadraticForm(model, wStar, draw.v, hvpStep);
      fge += 2;
      if (!Number.isFinite(residual[s])) return failed(`non-finite Hessian-vector product at evaluation draw ${s}`);
    }
  }
  const plain = meanAndVar(excess);
  const elbo = meanAndVar(h);
  const base = {
    llcPlain: nBeta * plain.mean,
    llcPlainMcse: nBeta * Math.sqrt(plain.variance / S),
    elbo: elbo.mean,
    elboMcse: Math.sqrt(elbo.variance / S),
  };
  if (!controlVariate) {
    return { ...base, llc: base.llcPlain, llcMcse: base.llcPlainMcse, meanResidual: nan, traceDiagonal: nan, traceDiagonalExact: false, traceFactors: nan, fge };
  }

  // tr(HD) = Σ_i H_ii D_i. With d ≤ probes the d basis-vector HVPs are cheaper than the
  // probes and exact, so use them; otherwise Hutchinson: zᵀD^{½}HD^{½}z with Rademacher z,
  // i.e. the quadratic form of σ ⊙ z, whose spread enters the MCSE.
  const exactDiagonal = d <= P;
  const probe = new Float64Array(d);
  const probeValues = new Float64Array(exactDiagonal ? d : P);
  for (let p = 0; p < probeValues.length; p++) {
    if (exactDiagonal) {
      probe.fill(0);
      probe[p] = sd[p];
    } else {
      for (let i = 0; i < d; i++) probe[i] = rng.uniform() < 0.5 ? -sd[i] : sd[i];
    }
    probeValues[p] = quadraticForm(model, wStar, probe, hvpStep);
    fge += 2;
  }
  const diag = meanAndVar(probeValues);
  const traceDiagonal = exactDiagonal ? diag.mean * d : diag.mean;
  // With a single probe its spread is unknown and left out of the MCSE.
  const probeVar = exactDiagonal || P < 2 ? 0 : diag.variance / P;
  // Factor part: exact, M·r HVPs.
  let traceFactors = 0;
  const k = new Float64Array(d);
  for (let m = 0; m < M; m++) {
    let t = 0;
    for (let j = 0; j < r; j++) {
      factorColumn(view, m, j, k);
      t += quadraticForm(model, wStar, k, hvpStep);
      fge += 2;
    }
    traceFactors += weights[m] * t;
  }
  const res = meanAndVar(residual);
  // Weights sum to 1, so Σ_m π_m tr(HD) = tr(HD).
  const expectedExcess = res.mean + 0.5 * (traceDiagonal + traceFactors);
  const llc = nBeta * expectedExcess;
  const llcMcse = nBeta * Math.sqrt(res.variance / S + 0.25 * probeVar);
  if (!Number.isFinite(llc)) return failed('non-finite control-variate trace term');
  return { ...base, llc, llcMcse, meanResidual: res.mean, traceDiagonal, traceDiagonalExact: exactDiagonal, traceFactors, fge };
}
