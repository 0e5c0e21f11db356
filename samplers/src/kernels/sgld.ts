/**
 * Stochastic-gradient Langevin dynamics (Welling & Teh 2011) on the local posterior:
 *   w ← w − (ε/2)·[γ(w − w*) + nβ·g] + √ε·ξ,   ξ ~ N(0, I),
 * g = mean minibatch loss gradient, batch drawn with replacement. Drift ε/2 with noise
 * variance ε targets exp(−U) exactly as ε → 0 (a factor-2 slip here would halve λ̂).
 * Kernels are pure: (state) → (new state, info); the generator state travels in `state`.
 */
import { rngFromState, type RngState } from '../../../tools/src/random/rng';
import type { LossModel } from '../model';
import type { LocalPosterior } from '../posterior';
import type { SamplingAlgorithm } from '../algorithm';

export interface SgldState {
  readonly position: Float64Array;
  readonly rng: RngState;
}

export interface SgldParams {
  readonly stepSize: number;
  /** Rows per minibatch; null or ≥ n means the full batch (then SGLD is ULA). */
  readonly batchSize: number | null;
}

export interface SgldInfo {
  /** Minibatch mean loss at the pre-step position. */
  readonly batchLoss: number;
  /** Work in full-gradient equivalents: b/n for a minibatch of b rows. */
  readonly fge: number;
}

export function init(position: Float64Array, rng: RngState): SgldState {
  return { position: Float64Array.from(position), rng: Uint32Array.from(rng) };
}

export function buildKernel(model: LossModel, posterior: LocalPosterior, params: SgldParams) {
  const { stepSize } = params;
  if (!(stepSize > 0)) throw new Error(`Error in sgld.buildKernel: stepSize must be > 0, got ${stepSize}`);
  const full = params.batchSize === null || params.batchSize >= model.n;
  const b = full ? model.n : params.batchSize!;
  const batch = full ? null : new Int32Array(b);
  const noiseScale = Math.sqrt(stepSize);
  const { nBeta, gamma, wStar } = posterior;
  const noise = new Float64Array(model.dim);

  return function step(state: SgldState): { state: SgldState; info: SgldInfo } {
    const rng = rngFromState(state.rng);
    if (batch) for (let i = 0; i < b; i++) batch[i] = rng.int(model.n);
    const w = state.position;
    const { loss, grad } = model.lossAndGrad(w, batch);
    rng.fillNormal(noise);
    const next = new Float64Array(w.length);
    for (let i = 0; i < w.length; i++) {
      const drift = gamma * (w[i] - wStar[i]) + nBeta * grad[i];
      next[i] = w[i] - 0.5 * stepSize * drift + noiseScale * noise[i];
    }
    return { state: { position: next, rng: rng.state() }, info: { batchLoss: loss, fge: b / model.n } };
  };
}

/** The front door: SGLD bound to its parameters, as the run loop consumes it. */
export function create(model: LossModel, posterior: LocalPosterior, params: SgldParams): SamplingAlgorithm<SgldState> {
  return { init, step: buildKernel(model, posterior, params) };
}
