/**
 * Stochastic-gradient Langevin dynamics (Welling & Teh 2011) on the local posterior:
 *   w ← w − (ε/2)·[γ(w − w*) + nβ·g] + √ε·ξ,   ξ ~ N(0, I),
 * g = mean minibatch loss gradient, batch drawn with replacement. Drift ε/2 with noise
 * variance ε targets exp(−U) exactly as ε → 0 (a factor-2 slip here would halve λ̂).
 *
 * Preconditioned variants (docs/SCIENCE.md §2; statistics in ../preconditioners):
 *   w ← w − (εP/2)·[γ(w − w*) + nβ·drift] + √(εP)·ξ,
 * P = 1/(√v̂ + eps) from the loss gradient alone, drift = g (RMSProp) or m̂ (Adam).
 * P is treated as fixed within a step and the Γ-correction term of pSGLD (Li et al. 2016)
 * is omitted, as in devinterp. A P that keeps adapting to the chain's own gradients
 * biases the target, by more as ε shrinks (measured: ../preconditioners header); set
 * `freezeAfter` to the burn-in so the sampling phase uses a fixed metric.
 *
 * Optional MALA diagnostic: the Metropolis–Hastings acceptance probability the step
 * w → w' would have as a MALA proposal with the same ε and P, on the same minibatch.
 *
 * Kernels are pure: (state) → (new state, info); the generator state travels in `state`.
 */
import { rngFromState, type RngState } from '@llc/core/random/rng';
import type { LossModel } from '@llc/core/model';
import type { LocalPosterior } from '../posterior';
import type { SamplingAlgorithm } from '../algorithm';
import {
  initPreconditioner,
  resolvePreconditioner,
  updatePreconditioner,
  type PreconditionKind,
  type PreconditionerState,
} from '../preconditioners';

export interface SgldState {
  readonly position: Float64Array;
  readonly rng: RngState;
  /** RMSProp/Adam statistics (t, v, m). Absent for plain SGLD; when absent for a preconditioned kernel it starts fresh. */
  readonly preconditioner?: PreconditionerState;
  /** Steps since the last MALA diagnostic (only with malaDiagnostic and malaEvery > 1). */
  readonly sinceMala?: number;
}

export interface SgldParams {
  readonly stepSize: number;
  /** Rows per minibatch; null or ≥ n means the full batch (then SGLD is ULA). */
  readonly batchSize: number | null;
  /** Diagonal preconditioner from the loss gradient; default 'none' (plain SGLD). */
  readonly precondition?: PreconditionKind;
  /** Adam's first-moment decay; default 0.9. */
  readonly beta1?: number;
  /** Second-moment decay; default 0.999. */
  readonly beta2?: number;
  /** Added to √v̂ (caps P at 1/eps); default 0.1, as devinterp (see PRECONDITIONER_DEFAULTS). */
  readonly eps?: number;
  /** Bias-correct the second moment, v̂ = v/(1 − β2ᵗ); default false. */
  readonly biasCorrection?: boolean;
  /** Stop adapting v (hence P) after this many steps; null (default) = adapt forever. Set to burnIn for an unbiased sampling phase. */
  readonly freezeAfter?: number | null;
  /** Report the MALA acceptance as info.acceptance; costs one more minibatch gradient per scored step. Default false. */
  readonly malaDiagnostic?: boolean;
  /** Score one step in this many (the first, then every malaEvery-th); default 1. Never changes the trajectory. */
  readonly malaEvery?: number;
}

export interface SgldInfo {
  /** Minibatch mean loss at the pre-step position. */
  readonly batchLoss: number;
  /** Work in full-gradient equivalents: b/n per minibatch gradient (2b/n on a step the MALA diagnostic scores). */
  readonly fge: number;
  /** MALA acceptance probability of this step (only on the steps malaDiagnostic scores). */
  readonly acceptance?: number;
}

export function init(position: Float64Array, rng: RngState): SgldState {
  return { position: Float64Array.from(position), rng: Uint32Array.from(rng) };
}

/** Potential U(w) = nβ·L_batch(w) + (γ/2)‖w − w*‖² of the minibatch target. */
function potential(batchLoss: number, w: Float64Array, posterior: LocalPosterior): number {
  let r2 = 0;
  for (let i = 0; i < w.length; i++) r2 += (w[i] - posterior.wStar[i]) ** 2;
  return posterior.nBeta * batchLoss + 0.5 * posterior.gamma * r2;
}

/**
 * log of the MH ratio for the MALA move from → to:
 *   log π(to) − log π(from) + log q(from | to) − log q(to | from),
 * q(y | x) = N(y; x − (εP/2)∇U(x), εP). The Gaussian normalisers cancel because P is
 * the same in both directions. `forwardMean` is x − (εP/2)∇U(from), computed by the
 * caller from the first gradient before the second call may overwrite a model's buffer.
 */
function malaAcceptance(
  from: Float64Array,
  to: Float64Array,
  uFrom: number,
  forwardMean: Float64Array,
  model: LossModel,
  posterior: LocalPosterior,
  batch: Int32Array | null,
  stepSize: number,
  scale: Float64Array | null,
): number {
  const { nBeta, gamma, wStar } = posterior;
  const { loss, grad } = model.lossAndGrad(to, batch);
  const uTo = potential(loss, to, posterior);
  let logQForward = 0;
  let logQBackward = 0;
  for (let i = 0; i < to.length; i++) {
    const h = scale ? stepSize * scale[i] : stepSize;
    const backwardMean = to[i] - 0.5 * h * (gamma * (to[i] - wStar[i]) + nBeta * grad[i]);
    logQForward -= (to[i] - forwardMean[i]) ** 2 / (2 * h);
    logQBackward -= (from[i] - backwardMean) ** 2 / (2 * h);
  }
  const logRatio = uFrom - uTo + logQBackward - logQForward;
  // A step whose ratio cannot be evaluated (overflowed loss) is not one MALA would accept.
  if (Number.isNaN(logRatio)) return 0;
  return logRatio >= 0 ? 1 : Math.exp(logRatio);
}

export function buildKernel(model: LossModel, posterior: LocalPosterior, params: SgldParams) {
  const { stepSize } = params;
  if (!(stepSize > 0)) throw new Error(`Error in sgld.buildKernel: stepSize must be > 0, got ${stepSize}`);
  const pre = resolvePreconditioner({
    kind: params.precondition,
    beta1: params.beta1,
    beta2: params.beta2,
    eps: params.eps,
    biasCorrection: params.biasCorrection,
    freezeAfter: params.freezeAfter,
  });
  const mala = params.malaDiagnostic ?? false;
  const malaEvery = params.malaEvery ?? 1;
  if (!(Number.isInteger(malaEvery) && malaEvery >= 1)) throw new Error(`Error in sgld.buildKernel: malaEvery must be an integer ≥ 1, got ${malaEvery}`);
  const full = params.batchSize === null || params.batchSize >= model.n;
  const b = full ? model.n : params.batchSize!;
  const batch = full ? null : new Int32Array(b);
  const fgePerGradient = b / model.n;
  const noiseScale = Math.sqrt(stepSize);
  const { nBeta, gamma, wStar } = posterior;
  const noise = new Float64Array(model.dim);
  // The step's gradient: used within the step only, so one buffer serves every step (and chain).
  const gradBuffer = new Float64Array(model.dim);

  return function step(state: SgldState): { state: SgldState; info: SgldInfo } {
    const rng = rngFromState(state.rng);
    if (batch) for (let i = 0; i < b; i++) batch[i] = rng.int(model.n);
    const w = state.position;
    const { loss, grad } = model.lossAndGrad(w, batch, gradBuffer);
    rng.fillNormal(noise);
    const next = new Float64Array(w.length);
    // sinceMala counts the steps since the last scored one; absent means "score this one".
    const scored = mala && (state.sinceMala ?? malaEvery) >= malaEvery;
    const forwardMean = scored ? new Float64Array(w.length) : null;
    let preconditioner: PreconditionerState | undefined;
    let scale: Float64Array | null = null;

    if (pre.kind === 'none') {
      // Kept operation-for-operation as before preconditioning existed, so plain SGLD
      // trajectories stay bit-identical across versions.
      for (let i = 0; i < w.length; i++) {
        const drift = gamma * (w[i] - wStar[i]) + nBeta * grad[i];
        next[i] = w[i] - 0.5 * stepSize * drift + noiseScale * noise[i];
        if (forwardMean) forwardMean[i] = w[i] - 0.5 * stepSize * drift;
      }
    } else {
      const update = updatePreconditioner(state.preconditioner ?? initPreconditioner(w.length, pre.kind), grad, pre);
      preconditioner = update.state;
      scale = update.scale;
      const drift = update.drift;
      for (let i = 0; i < w.length; i++) {
        const h = stepSize * scale[i];
        next[i] = w[i] - 0.5 * h * (gamma * (w[i] - wStar[i]) + nBeta * drift[i]) + Math.sqrt(h) * noise[i];
        // MALA's proposal uses the gradient itself (Adam's m̂ is a momentum, not a proposal
        // mean), so the diagnostic scores the underlying Langevin step with step εP.
        if (forwardMean) forwardMean[i] = w[i] - 0.5 * h * (gamma * (w[i] - wStar[i]) + nBeta * grad[i]);
      }
    }

    let acceptance: number | undefined;
    let fge = fgePerGradient;
    if (forwardMean) {
      const uFrom = potential(loss, w, posterior);
      acceptance = malaAcceptance(w, next, uFrom, forwardMean, model, posterior, batch, stepSize, scale);
      fge += fgePerGradient;
    }
    const base: SgldState = preconditioner ? { position: next, rng: rng.state(), preconditioner } : { position: next, rng: rng.state() };
    const nextState: SgldState = mala && malaEvery > 1 ? { ...base, sinceMala: scored ? 1 : (state.sinceMala ?? 0) + 1 } : base;
    const info: SgldInfo = acceptance === undefined ? { batchLoss: loss, fge } : { batchLoss: loss, fge, acceptance };
    return { state: nextState, info };
  };
}

/**
 * The front door: SGLD bound to its parameters, as the run loop consumes it. With a
 * preconditioner, `init` attaches fresh statistics (t = 0, v = 1, m = 0) so every chain
 * adapts its own.
 */
export function create(model: LossModel, posterior: LocalPosterior, params: SgldParams): SamplingAlgorithm<SgldState> {
  const kind = params.precondition ?? 'none';
  const step = buildKernel(model, posterior, params);
  if (kind === 'none') return { init, step };
  return {
    init: (position, rng) => ({ ...init(position, rng), preconditioner: initPreconditioner(position.length, kind) }),
    step,
  };
}
