/**
 * Microcanonical Langevin Monte Carlo (Robnik, De Luca, Silverstein & Seljak 2023;
 * Robnik & Seljak 2023) on the local posterior, U(w) = nβ·(L_n(w) − L_n(w*)) + (γ/2)‖w − w*‖²
 * (L_n(w*) subtracted only to keep U small; it cancels in every energy difference).
 *
 * One step: an isokinetic integrator step of size ε (integrators/isokinetic.ts), then a
 * partial refresh of the unit velocity, u ← normalize(c1·u + √(1 − c1²)·z/√d), c1 = e^{−ε/L}.
 * Not Metropolis-adjusted: draws carry an O(ε²) bias, kept small by tuning ε so that the
 * energy error per step has Var[ΔE]/d ≈ 5e-4 (adaptation/mclmcTuning.ts).
 *
 * Work: U and ∇U at the current point are cached in the state, so a step costs exactly the
 * integrator's gradient evaluations (1 velocity Verlet, 2 McLachlan), each a full-batch
 * gradient = 1 FGE. A state from `init` has no cache yet; its first step pays 1 more FGE.
 * Kernels are pure: (state) → (new state, info); the generator travels in the state.
 */
import { localPotential, type PotentialFn } from '../potential';
import { rngFromState, type RngState } from '@llc/core/random/rng';
import type { LossModel } from '@llc/core/model';
import type { LocalPosterior } from '../posterior';
import type { SamplingAlgorithm, WarmupResult } from '../algorithm';
import {
  ISOKINETIC_INTEGRATORS,
  isokineticStep,
  type IsokineticIntegratorName,
  type IsokineticPoint,
} from '../integrators/isokinetic';
import { tuneMclmc } from '../adaptation/mclmcTuning';

export interface McLmcState {
  readonly position: Float64Array;
  /** Unit-norm velocity. */
  readonly velocity: Float64Array;
  readonly rng: RngState;
  /** U and ∇U at `position`; null until first evaluated (then the next step computes them). */
  readonly cache: { readonly potential: number; readonly gradient: Float64Array } | null;
}

export interface McLmcParams {
  /** Fixed ε; tuned in warmup when omitted (and `tune` is on). */
  readonly stepSize?: number;
  /** Fixed momentum-decoherence length L; tuned in warmup when omitted (and `tune` is on). */
  readonly L?: number;
  readonly integrator: IsokineticIntegratorName;
  /** Tune the parameters the user did not fix, during the run's burn-in. */
  readonly tune: boolean;
  /** Target Var[ΔE]/d for the step-size tuning (Robnik et al.: 5e-4). */
  readonly targetEnergyVariance: number;
}

export interface McLmcKernelParams {
  readonly stepSize: number;
  readonly L: number;
  readonly integrator: IsokineticIntegratorName;
}

export interface McLmcInfo {
  /** Full-data gradient evaluations of this step. */
  readonly fge: number;
  /** Energy error of the step, ΔK + ΔU (0 for exact dynamics). */
  readonly energy: number;
  readonly kineticChange: number;
  readonly potentialChange: number;
  /** Non-finite energy error or |ΔE| > 1000·d. */
  readonly divergent: boolean;
}

/** Energy errors beyond this many units per dimension mean the integrator has broken down. */
const DIVERGENCE_PER_DIM = 1000;

function normalize(v: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  return v.map((x) => x / n);
}

/** A chain state at `position` with a uniformly random unit velocity (drawn from `rng`). */
export function init(position: Float64Array, rng: RngState): McLmcState {
  const g = rngFromState(rng);
  // An isotropic normal, normalised, is uniform on the sphere; the (measure-zero) zero vector is redrawn.
  let z = g.fillNormal(new Float64Array(position.length));
  while (position.length > 0 && z.every((x) => x === 0)) z = g.fillNormal(new Float64Array(position.length));
  return { position: Float64Array.from(position), velocity: normalize(z), rng: g.state(), cache: null };
}

/** MCLMC samples the one local potential (../potential.ts). */
export const potentialOf = localPotential;

function checkDim(model: LossModel, fn: string): void {
  if (!(model.dim >= 2)) {
    throw new Error(`Error in ${fn}: MCLMC needs d ≥ 2 (the isokinetic dynamics divide by d − 1), got d = ${model.dim}`);
  }
}

function checkIntegrator(integrator: unknown, fn: string): void {
  if (!ISOKINETIC_INTEGRATORS.includes(integrator as IsokineticIntegratorName)) {
    throw new Error(`Error in ${fn}: integrator must be one of ${ISOKINETIC_INTEGRATORS.join(', ')}, got '${String(integrator)}'`);
  }
}

/** Fills the U/∇U cache of a state (costs 1 FGE when missing). Pure. */
export function withCache(state: McLmcState, potential: PotentialFn): { state: McLmcState; fge: number } {
  if (state.cache) return { state, fge: 0 };
  const { potential: u, grad } = potential(state.position);
  return { state: { ...state, cache: { potential: u, gradient: grad } }, fge: 1 };
}

/**
 * The step with ε and L as per-call arguments (what the tuner drives). `buildKernel`
 * binds them; both share this code, so tuned and recorded steps are the same kernel.
 */
export function buildParametrisedKernel(model: LossModel, posterior: LocalPosterior, integrator: IsokineticIntegratorName) {
  checkDim(model, 'mclmc.buildKernel');
  checkIntegrator(integrator, 'mclmc.buildKernel');
  const potential = potentialOf(model, posterior);
  const d = model.dim;
  const sqrtD = Math.sqrt(d);

  return function step(state: McLmcState, stepSize: number, L: number): { state: McLmcState; info: McLmcInfo } {
    const cached = withCache(state, potential);
    const start = cached.state;
    const point: IsokineticPoint = {
      position: start.position,
      velocity: start.velocity,
      potential: start.cache!.potential,
      gradient: start.cache!.gradient,
    };
    const moved = isokineticStep(integrator, potential, point, stepSize);
    const potentialChange = moved.point.potential - point.potential;
    const energy = moved.kineticChange + potentialChange;

    // Partial refresh: an Ornstein–Uhlenbeck-like step on the sphere whose decoherence
    // length is L; z/√d has norm ≈ 1, so c1 alone sets how much of u survives.
    const rng = rngFromState(start.rng);
    const z = rng.fillNormal(new Float64Array(d));
    const c1 = Math.exp(-stepSize / L);
    const c2 = Math.sqrt(1 - c1 * c1) / sqrtD;
    const velocity = normalize(moved.point.velocity.map((u, i) => c1 * u + c2 * z[i]));

    const divergent = !Number.isFinite(energy) || Math.abs(energy) > DIVERGENCE_PER_DIM * d;
    return {
      state: {
        position: moved.point.position,
        velocity,
        rng: rng.state(),
        cache: { potential: moved.point.potential, gradient: moved.point.gradient },
      },
      info: { fge: cached.fge + moved.gradientEvaluations, energy, kineticChange: moved.kineticChange, potentialChange, divergent },
    };
  };
}

function checkPositive(name: string, value: number | undefined, fn: string): void {
  if (value !== undefined && !(value > 0)) throw new Error(`Error in ${fn}: ${name} must be > 0, got ${value}`);
}

export function buildKernel(model: LossModel, posterior: LocalPosterior, params: McLmcKernelParams) {
  const { stepSize, L, integrator } = params;
  if (!(stepSize > 0 && Number.isFinite(stepSize))) throw new Error(`Error in mclmc.buildKernel: stepSize must be finite and > 0, got ${stepSize}`);
  // L = Infinity is allowed: no refresh (pure isokinetic dynamics, used to test energy conservation).
  checkPositive('L', L, 'mclmc.buildKernel');
  const step = buildParametrisedKernel(model, posterior, integrator);
  return (state: McLmcState) => step(state, stepSize, L);
}

/**
 * Initial ε and L for tuning. Robnik et al. start from L = √d, ε = 0.25√d, i.e. a unit
 * posterior scale; LLC posteriors are often far narrower (σ ≈ 1/√(nβ·h)). √d/‖∇U(w0)‖ is
 * ≈ σ for a Gaussian at a typical point and larger near the mode, so scaling by
 * min(1, √d/‖∇U‖) only ever starts smaller, which the ε⁶ update recovers from within steps.
 */
export function initialParameters(dim: number, gradient: Float64Array): { stepSize: number; L: number } {
  let s = 0;
  for (let i = 0; i < gradient.length; i++) s += gradient[i] * gradient[i];
  const g = Math.sqrt(s);
  const scale = g > 0 && Number.isFinite(g) ? Math.min(1, Math.sqrt(dim) / g) : 1;
  return { stepSize: 0.25 * Math.sqrt(dim) * scale, L: Math.sqrt(dim) * scale };
}

/** The front door: MCLMC bound to its parameters, as the run loop consumes it. */
export function create(model: LossModel, posterior: LocalPosterior, params: McLmcParams): SamplingAlgorithm<McLmcState> {
  const fn = 'mclmc.create';
  checkDim(model, fn);
  checkIntegrator(params.integrator, fn);
  checkPositive('stepSize', params.stepSize, fn);
  checkPositive('L', params.L, fn);
  const target = params.targetEnergyVariance;
  if (!(target > 0)) throw new Error(`Error in ${fn}: targetEnergyVariance must be > 0, got ${target}`);
  const fixed = params.stepSize !== undefined && params.L !== undefined;
  if (!params.tune && !fixed) {
    throw new Error(`Error in ${fn}: with tune = false both stepSize and L must be set (got stepSize = ${params.stepSize}, L = ${params.L})`);
  }
  const parametrised = buildParametrisedKernel(model, posterior, params.integrator);
  const potential = potentialOf(model, posterior);

  const step = fixed
    ? buildKernel(model, posterior, { stepSize: params.stepSize!, L: params.L!, integrator: params.integrator })
    : () => {
        // Only reached with burnIn = 0: the run loop calls warmup only when there are burn-in steps.
        throw new Error(`Error in ${fn}: stepSize and L are tuned during burn-in; set burnIn > 0 or fix both stepSize and L`);
      };

  const warmup = (state: McLmcState, steps: number, onStep?: () => void): WarmupResult<McLmcState> => {
    const cached = withCache(state, potential);
    const guess = initialParameters(model.dim, cached.state.cache!.gradient);
    const r = tuneMclmc(parametrised, cached.state, {
      dim: model.dim,
      steps,
      initialStepSize: params.stepSize ?? guess.stepSize,
      initialL: params.L ?? guess.L,
      tuneStepSize: params.stepSize === undefined,
      tuneL: params.L === undefined,
      targetEnergyVariance: target,
      onStep,
    });
    return {
      state: r.state,
      kernel: buildKernel(model, posterior, { stepSize: r.stepSize, L: r.L, integrator: params.integrator }),
      fge: cached.fge + r.fge,
      tuned: { stepSize: r.stepSize, L: r.L, energyVariancePerDim: r.energyVariancePerDim },
    };
  };

  return params.tune ? { init, step, warmup } : { init, step };
}
