/**
 * Stochastic-gradient Nosé–Hoover thermostat (Ding et al. 2014) on the local posterior,
 * exactly as docs/SCIENCE.md §2 writes it:
 *   p ← p + ε(g − α p) + √(2·max(α, 1e-8)·ε)·ξ,
 *   w ← w + ε p,
 *   α ← α + ε(‖p‖²/d − 1),
 * g = −[γ(w − w*) + nβ·∇L_batch(w)] (the minibatch log-posterior gradient), α₀ = initialFriction.
 * The position moves with the already-updated momentum and the thermostat reads it too
 * (Ding et al., Algorithm 1 order).
 *
 * Momentum starts at p₀ ~ N(0, I) (Ding et al. initialise it so): that is its stationary
 * law, so the thermostat does not spend its first 1/ε steps cooling from ‖p‖² = 0, which
 * would drive α negative and heat the chain.
 *
 * Note on the spec: the injected diffusion tracks α (rather than a constant A as in Ding
 * et al. or devinterp's diffusion_factor). For any fixed α > 0 the (w, p) dynamics are
 * then an exact-temperature Langevin thermostat, so without gradient noise ‖p‖²/d − 1 has
 * mean ≈ 0 and α performs a slow random walk (steps ε·(χ²_d/d − 1)) instead of settling
 * at A; gradient noise only pushes α up. The position target is unaffected.
 *
 * Step size: ε here is a time step for second-order dynamics; one step from rest moves w
 * by ε²·g, so it is comparable to SGLD with ε_SGLD ≈ 2ε² (SGLD's 1e-6 ↔ SGNHT's ~7e-4).
 */
import { rngFromState, type RngState } from '@llc/core/random/rng';
import type { LossModel } from '@llc/core/model';
import type { LocalPosterior } from '../posterior';
import type { SamplingAlgorithm } from '../algorithm';

export interface SgnhtState {
  readonly position: Float64Array;
  readonly momentum: Float64Array;
  /** Thermostat α (friction). */
  readonly friction: number;
  readonly rng: RngState;
}

export interface SgnhtParams {
  readonly stepSize: number;
  /** Rows per minibatch; null or ≥ n means the full batch. */
  readonly batchSize: number | null;
  /** α₀; default 0.01 (docs/SCIENCE.md §2). */
  readonly initialFriction?: number;
  /**
   * Injected diffusion A in √(2Aε)·ξ. null (default) = the spec's A = max(α, 1e-8),
   * which tracks the thermostat; a number = Ding et al.'s constant A (devinterp's
   * diffusion_factor), which gives α a restoring force towards ≈ A.
   */
  readonly diffusion?: number | null;
}

export const SGNHT_DEFAULTS = {
  batchSize: 256,
  initialFriction: 0.01,
  diffusion: null,
} as const;

/** Floor on the diffusion coefficient so the noise never vanishes (or goes imaginary) when α ≤ 0. */
const MIN_DIFFUSION = 1e-8;

export interface SgnhtInfo {
  /** Minibatch mean loss at the pre-step position. */
  readonly batchLoss: number;
  /** b/n per step. */
  readonly fge: number;
  /** Thermostat α after the step. */
  readonly friction: number;
  /** ‖p‖²/d after the step (1 at the target temperature). */
  readonly kineticTemperature: number;
}

/**
 * Starts at `position` with p₀ ~ N(0, I) drawn from `rng` (the advanced generator state
 * is stored, so the first step's draws differ from the momentum's) and α₀.
 */
export function init(position: Float64Array, rng: RngState, params?: Pick<SgnhtParams, 'initialFriction'>): SgnhtState {
  const friction = params?.initialFriction ?? SGNHT_DEFAULTS.initialFriction;
  if (!Number.isFinite(friction)) throw new Error(`Error in sgnht.init: initialFriction must be finite, got ${friction}`);
  const r = rngFromState(rng);
  const momentum = r.fillNormal(new Float64Array(position.length));
  return { position: Float64Array.from(position), momentum, friction, rng: r.state() };
}

export function buildKernel(model: LossModel, posterior: LocalPosterior, params: SgnhtParams) {
  const { stepSize } = params;
  if (!(stepSize > 0)) throw new Error(`Error in sgnht.buildKernel: stepSize must be > 0, got ${stepSize}`);
  const full = params.batchSize === null || params.batchSize >= model.n;
  const b = full ? model.n : params.batchSize!;
  const batch = full ? null : new Int32Array(b);
  const diffusion = params.diffusion ?? null;
  if (diffusion !== null && !(diffusion > 0 && Number.isFinite(diffusion))) {
    throw new Error(`Error in sgnht.buildKernel: diffusion must be null or a finite number > 0, got ${diffusion}`);
  }
  const { nBeta, gamma, wStar } = posterior;
  const d = model.dim;
  const noise = new Float64Array(d);

  return function step(state: SgnhtState): { state: SgnhtState; info: SgnhtInfo } {
    const rng = rngFromState(state.rng);
    if (batch) for (let i = 0; i < b; i++) batch[i] = rng.int(model.n);
    const w = state.position;
    const { loss, grad } = model.lossAndGrad(w, batch);
    rng.fillNormal(noise);
    const alpha = state.friction;
    const noiseScale = Math.sqrt(2 * (diffusion ?? Math.max(alpha, MIN_DIFFUSION)) * stepSize);
    const p = new Float64Array(d);
    const next = new Float64Array(d);
    let p2 = 0;
    for (let i = 0; i < d; i++) {
      const g = -(gamma * (w[i] - wStar[i]) + nBeta * grad[i]);
      p[i] = state.momentum[i] + stepSize * (g - alpha * state.momentum[i]) + noiseScale * noise[i];
      next[i] = w[i] + stepSize * p[i];
      p2 += p[i] * p[i];
    }
    const kineticTemperature = p2 / d;
    const friction = alpha + stepSize * (kineticTemperature - 1);
    return {
      state: { position: next, momentum: p, friction, rng: rng.state() },
      info: { batchLoss: loss, fge: b / model.n, friction, kineticTemperature },
    };
  };
}

/** The front door: SGNHT bound to its parameters, as the run loop consumes it. */
export function create(model: LossModel, posterior: LocalPosterior, params: SgnhtParams): SamplingAlgorithm<SgnhtState> {
  return {
    init: (position, rng) => init(position, rng, params),
    step: buildKernel(model, posterior, params),
  };
}
