/**
 * Hamiltonian Monte Carlo (Duane et al. 1987; Neal 2011) on the local posterior, with
 * potential U(w) = nβ·L_n(w) + (γ/2)‖w − w*‖² and kinetic energy ½pᵀM⁻¹p, p ~ N(0, M),
 * M⁻¹ diagonal. Each transition draws a fresh momentum, runs K leapfrog steps on the
 * full-batch gradient and accepts with probability min(1, exp(−ΔH)): the Metropolis
 * step removes the integrator's bias, so λ̂ is exact up to Monte Carlo error.
 * Step size and M⁻¹ are tuned per chain by Stan's window adaptation in `warmup`.
 * Kernels are pure: (state) → (new state, info); the generator state travels in `state`.
 */
import { rngFromState, type Rng, type RngState } from '@llc/core/random/rng';
import type { LossModel } from '@llc/core/model';
import type { LocalPosterior } from '../posterior';
import type { Kernel, SamplingAlgorithm, StepInfo, WarmupResult } from '../algorithm';
import { kineticEnergy, leapfrog } from '../integrators/leapfrog';
import { localPotential, type PotentialFn } from '../potential';
import { windowSchedule } from '../adaptation/windowSchedule';
import * as windowAdaptation from '../adaptation/windowAdaptation';

/** |ΔH| above this marks a divergent transition (Stan's and BlackJAX's convention). */
export const DIVERGENCE_THRESHOLD = 1000;

export interface HmcState {
  readonly position: Float64Array;
  readonly rng: RngState;
  /** U at `position`; NaN until the first transition has evaluated it. */
  readonly potential: number;
  /** ∇U at `position`, reused by the next trajectory's first half kick; null until evaluated. */
  readonly grad: Float64Array | null;
}

export interface HmcParams {
  /** Initial step size; when omitted, found by the doubling/halving heuristic at the start of warmup. */
  readonly stepSize?: number;
  /** K: leapfrog steps per transition. */
  readonly integrationSteps: number;
  /** δ: target mean acceptance probability of the step-size adaptation. */
  readonly targetAcceptance: number;
  /** Initial (or, without adaptation, fixed) diagonal inverse mass matrix; default ones. */
  readonly inverseMass?: Float64Array;
  /** Adapt step size and inverse mass matrix during warmup (Stan's window adaptation). */
  readonly adapt: boolean;
  /** Per-transition step-size jitter j ∈ [0, 1): ε·U(1 − j, 1 + j). Default 0 (none). */
  readonly stepSizeJitter?: number;
}

export interface HmcKernelParams {
  readonly stepSize: number;
  readonly integrationSteps: number;
  /** Diagonal inverse mass matrix; default ones. */
  readonly inverseMass?: Float64Array;
  /**
   * j ∈ [0, 1): each transition uses ε·U(1 − j, 1 + j) (Neal 2011, §5.4.2.3). A fixed
   * trajectory length εK that lands near a multiple of a target's half-period maps a
   * Gaussian coordinate (nearly) onto ±itself, so the chain stops mixing in it; drawing
   * ε independently of the state keeps detailed balance and breaks that resonance.
   * Default 0, i.e. exactly K steps of exactly ε.
   */
  readonly stepSizeJitter?: number;
}

export interface HmcInfo extends StepInfo {
  /** Gradients evaluated: K (fewer if the trajectory went non-finite and was cut short), plus one on the first transition from a freshly initialised state. */
  readonly fge: number;
  /** min(1, exp(−ΔH)); 0 when the trajectory went non-finite. */
  readonly acceptance: number;
  /** H at the new state (the freshly drawn momentum's H when the proposal is rejected). */
  readonly energy: number;
  /** |ΔH| > 1000, or ΔH not finite. */
  readonly divergent: boolean;
  /** ΔH = H(proposal) − H(start). */
  readonly deltaEnergy: number;
  readonly accepted: boolean;
}

/** An HMC kernel: a `Kernel<HmcState>` whose info is the full `HmcInfo`. */
export type HmcKernel = (state: HmcState) => { state: HmcState; info: HmcInfo };

export interface HmcWarmupResult extends WarmupResult<HmcState> {
  kernel: HmcKernel;
  /** The full tuned parameters the returned kernel is bound to (per chain). */
  parameters: Required<HmcKernelParams>;
}

export interface HmcAlgorithm extends SamplingAlgorithm<HmcState> {
  warmup(state: HmcState, steps: number, onStep?: () => void): HmcWarmupResult;
}

/** HMC samples the one local potential (../potential.ts). */
export const potentialOf = localPotential;

export function init(position: Float64Array, rng: RngState): HmcState {
  // The gradient is left for the first transition so that its cost is counted in FGE.
  return { position: Float64Array.from(position), rng: Uint32Array.from(rng), potential: Number.NaN, grad: null };
}

function checkInverseMass(inverseMass: Float64Array, dim: number, where: string): void {
  if (inverseMass.length !== dim) throw new Error(`Error in ${where}: inverseMass has length ${inverseMass.length}, expected ${dim}`);
  for (let i = 0; i < dim; i++) {
    if (!(inverseMass[i] > 0 && Number.isFinite(inverseMass[i]))) {
      throw new Error(`Error in ${where}: inverseMass[${i}] must be finite and > 0, got ${inverseMass[i]}`);
    }
  }
}

function checkJitter(jitter: number | undefined, where: string): number {
  const j = jitter ?? 0;
  if (!(j >= 0 && j < 1)) throw new Error(`Error in ${where}: stepSizeJitter must be in [0, 1), got ${j}`);
  return j;
}

function checkSteps(k: number, where: string): void {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`Error in ${where}: integrationSteps must be a positive integer, got ${k}`);
}

/** The state with U and ∇U filled in (evaluating them if the state is fresh), and the gradients spent. */
function withGradient(U: PotentialFn, state: HmcState): { state: HmcState; gradients: number } {
  if (state.grad !== null) return { state, gradients: 0 };
  const { potential, grad } = U(state.position);
  return { state: { ...state, potential, grad }, gradients: 1 };
}

/** p ~ N(0, M) with M = diag(1/M⁻¹). */
function drawMomentum(rng: Rng, inverseMass: Float64Array): Float64Array {
  const p = rng.fillNormal(new Float64Array(inverseMass.length));
  for (let i = 0; i < p.length; i++) p[i] /= Math.sqrt(inverseMass[i]);
  return p;
}

function transition(
  U: PotentialFn,
  state0: HmcState,
  baseStepSize: number,
  steps: number,
  inverseMass: Float64Array,
  jitter: number,
): { state: HmcState; info: HmcInfo } {
  const { state, gradients } = withGradient(U, state0);
  const rng = rngFromState(state.rng);
  const stepSize = jitter > 0 ? baseStepSize * (1 + jitter * (2 * rng.uniform() - 1)) : baseStepSize;
  const momentum = drawMomentum(rng, inverseMass);
  const h0 = state.potential + kineticEnergy(momentum, inverseMass);
  const { point, gradients: used } = leapfrog(U, { position: state.position, momentum, potential: state.potential, grad: state.grad! }, stepSize, inverseMass, steps);
  const h1 = point.potential + kineticEnergy(point.momentum, inverseMass);
  let deltaEnergy = h1 - h0;
  if (Number.isNaN(deltaEnergy)) deltaEnergy = Number.POSITIVE_INFINITY;
  const divergent = !(Math.abs(deltaEnergy) <= DIVERGENCE_THRESHOLD);
  const acceptance = deltaEnergy <= 0 ? 1 : Math.exp(-deltaEnergy);
  // Always draw the uniform, so the stream's position does not depend on ΔH.
  const accepted = rng.uniform() < acceptance;
  const next: HmcState = accepted
    ? { position: point.position, rng: rng.state(), potential: point.potential, grad: point.grad }
    : { position: state.position, rng: rng.state(), potential: state.potential, grad: state.grad };
  return {
    state: next,
    info: { fge: gradients + used, acceptance, energy: accepted ? h1 : h0, divergent, deltaEnergy, accepted },
  };
}

export function buildKernel(model: LossModel, posterior: LocalPosterior, params: HmcKernelParams): HmcKernel {
  const { stepSize, integrationSteps } = params;
  if (!(stepSize > 0 && Number.isFinite(stepSize))) throw new Error(`Error in hmc.buildKernel: stepSize must be finite and > 0, got ${stepSize}`);
  checkSteps(integrationSteps, 'hmc.buildKernel');
  const inverseMass = Float64Array.from(params.inverseMass ?? new Float64Array(model.dim).fill(1));
  checkInverseMass(inverseMass, model.dim, 'hmc.buildKernel');
  const jitter = checkJitter(params.stepSizeJitter, 'hmc.buildKernel');
  const U = potentialOf(model, posterior);
  return (state) => transition(U, state, stepSize, integrationSteps, inverseMass, jitter);
}

/**
 * A reasonable first step size (Hoffman & Gelman 2014, Algorithm 4): from `stepSize`,
 * double while a single leapfrog step from the current position (fresh momentum each
 * try) is accepted with probability above ½, or halve while it is below, and return
 * the first step size on the other side. It only seeds dual averaging (μ = log 10ε),
 * so a rough answer is enough. Returns the state (its generator advanced) and the
 * gradients spent.
 */
export function findStepSize(
  model: LossModel,
  posterior: LocalPosterior,
  state0: HmcState,
  options: { stepSize: number; inverseMass?: Float64Array },
): { state: HmcState; stepSize: number; fge: number } {
  const U = potentialOf(model, posterior);
  const inverseMass = options.inverseMass ?? new Float64Array(model.dim).fill(1);
  checkInverseMass(inverseMass, model.dim, 'hmc.findStepSize');
  if (!(options.stepSize > 0 && Number.isFinite(options.stepSize))) {
    throw new Error(`Error in hmc.findStepSize: stepSize must be finite and > 0, got ${options.stepSize}`);
  }
  const { state, gradients } = withGradient(U, state0);
  if (!Number.isFinite(state.potential)) throw new Error(`Error in hmc.findStepSize: the potential is not finite at the start (${state.potential})`);
  const rng = rngFromState(state.rng);
  let fge = gradients;
  const acceptedAbove = (eps: number): boolean => {
    const momentum = drawMomentum(rng, inverseMass);
    const h0 = state.potential + kineticEnergy(momentum, inverseMass);
    const { point, gradients: used } = leapfrog(U, { position: state.position, momentum, potential: state.potential, grad: state.grad! }, eps, inverseMass, 1);
    fge += used;
    const logAccept = h0 - (point.potential + kineticEnergy(point.momentum, inverseMass));
    return logAccept > Math.log(0.5); // NaN → false: too large
  };
  let eps = options.stepSize;
  const grow = acceptedAbove(eps);
  // 60 doublings/halvings span a factor 1e18; a target that needs more is degenerate.
  for (let k = 0; k < 60; k++) {
    eps = grow ? 2 * eps : 0.5 * eps;
    if (acceptedAbove(eps) !== grow) break;
  }
  return { state: { ...state, rng: rng.state() }, stepSize: eps, fge };
}

function inverseMassSummary(inverseMass: Float64Array): { meanInverseMass: number; minInverseMass: number; maxInverseMass: number } {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of inverseMass) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { meanInverseMass: sum / inverseMass.length, minInverseMass: min, maxInverseMass: max };
}

/** The front door: HMC bound to its parameters, with per-chain warmup, as the run loop consumes it. */
export function create(model: LossModel, posterior: LocalPosterior, params: HmcParams): HmcAlgorithm {
  const { integrationSteps, targetAcceptance, adapt } = params;
  checkSteps(integrationSteps, 'hmc.create');
  const stepSizeJitter = checkJitter(params.stepSizeJitter, 'hmc.create');
  if (!(targetAcceptance > 0 && targetAcceptance < 1)) {
    throw new Error(`Error in hmc.create: targetAcceptance must be in (0, 1), got ${targetAcceptance}`);
  }
  if (params.stepSize !== undefined && !(params.stepSize > 0 && Number.isFinite(params.stepSize))) {
    throw new Error(`Error in hmc.create: stepSize must be finite and > 0, got ${params.stepSize}`);
  }
  const inverseMass0 = Float64Array.from(params.inverseMass ?? new Float64Array(model.dim).fill(1));
  checkInverseMass(inverseMass0, model.dim, 'hmc.create');
  const U = potentialOf(model, posterior);

  const step: Kernel<HmcState> =
    params.stepSize !== undefined
      ? buildKernel(model, posterior, { stepSize: params.stepSize, integrationSteps, inverseMass: inverseMass0, stepSizeJitter })
      : () => {
          throw new Error('Error in hmc: no stepSize given and no warmup steps to find one; set stepSize or burnIn > 0');
        };

  function warmup(state0: HmcState, steps: number, onStep?: () => void): HmcWarmupResult {
    if (!(Number.isInteger(steps) && steps >= 0)) throw new Error(`Error in hmc.warmup: steps must be a non-negative integer, got ${steps}`);
    let state = state0;
    let fge = 0;
    let stepSize = params.stepSize;
    if (stepSize === undefined) {
      const found = findStepSize(model, posterior, state, { stepSize: 1, inverseMass: inverseMass0 });
      state = found.state;
      stepSize = found.stepSize;
      fge += found.fge;
    }

    if (!adapt) {
      const kernel = buildKernel(model, posterior, { stepSize, integrationSteps, inverseMass: inverseMass0, stepSizeJitter });
      let acceptSum = 0;
      for (let i = 0; i < steps; i++) {
        const next = kernel(state);
        onStep?.();
        fge += next.info.fge;
        // Without adaptation this is plain burn-in, which stops on a divergence as the run loop does.
        if (next.info.divergent) {
          throw new Error(`divergent transition at warmup step ${i + 1} (ΔH = ${next.info.deltaEnergy}, stepSize ${stepSize})`);
        }
        state = next.state;
        acceptSum += next.info.acceptance;
      }
      return {
        state,
        kernel,
        fge,
        tuned: { stepSize, ...inverseMassSummary(inverseMass0), acceptance: steps > 0 ? acceptSum / steps : Number.NaN, divergences: 0 },
        parameters: { stepSize, integrationSteps, inverseMass: Float64Array.from(inverseMass0), stepSizeJitter },
      };
    }

    let wa = windowAdaptation.init(windowSchedule(steps), {
      stepSize,
      inverseMass: inverseMass0,
      dualAveraging: { targetAcceptance },
    });
    // Early warmup transitions may diverge while ε is still far off; they are rejected
    // (the state stays put), count as acceptance 0 for dual averaging, and are tallied.
    let divergences = 0;
    for (let i = 0; i < steps; i++) {
      const next = transition(U, state, wa.stepSize, integrationSteps, wa.inverseMass, stepSizeJitter);
      onStep?.();
      fge += next.info.fge;
      if (next.info.divergent) divergences++;
      state = next.state;
      wa = windowAdaptation.update(wa, state.position, next.info.acceptance);
      if (wa.metricUpdated) {
        // The old step size was tuned for the old metric: search again before restarting.
        const found = findStepSize(model, posterior, state, { stepSize: wa.stepSize, inverseMass: wa.inverseMass });
        state = found.state;
        fge += found.fge;
        wa = windowAdaptation.restartStepSize(wa, found.stepSize);
      }
    }
    const tuned = windowAdaptation.final(wa);
    const parameters = { stepSize: tuned.stepSize, integrationSteps, inverseMass: tuned.inverseMass, stepSizeJitter };
    return {
      state,
      kernel: buildKernel(model, posterior, parameters),
      fge,
      tuned: {
        stepSize: tuned.stepSize,
        ...inverseMassSummary(tuned.inverseMass),
        acceptance: tuned.acceptance,
        divergences,
      },
      parameters,
    };
  }

  return { init, step, warmup };
}
