/**
 * Tuning of MCLMC's step size ε and momentum-decoherence length L (Robnik et al. 2023,
 * "Microcanonical Hamiltonian Monte Carlo", JMLR; their automatic tuning scheme).
 *
 * Three stages over the warmup steps (fractions in `mclmcSchedule`):
 *  1. ε only: ε is set so that the energy error per step has E[ΔE²]/d ≈ target. For a
 *     second-order integrator E[ΔE²] ∝ ε⁶, so every step gives an estimate of the constant
 *     ξ/ε⁶ (ξ = ΔE²/(d·target)); a decaying (memory 150 steps), outlier-downweighted average
 *     of it gives ε = (average)^(−1/6). A non-finite or divergent step is rejected and caps
 *     ε at 0.8× its value.
 *  2. ε continues, but the average stops forgetting: ΔE² is strongly autocorrelated, so a
 *     150-step memory leaves the final ε scattered by ±50% in Var[ΔE] between chains;
 *     averaging the whole stage (ε has settled by then) narrows that. The time-weighted
 *     (weight ε) posterior variances give a first L = √(Σ Var[w_i]) (the typical-set size).
 *  3. ε and L fixed: L = lFactor·ε·mean_i(n/ESS_i), n/ESS_i being coordinate i's integrated
 *     autocorrelation time in steps. This stretch also measures the achieved Var[ΔE]/d.
 *
 * Each piece is a BlackJAX-style {init, update, final} triple over immutable states, and
 * `tuneMclmc` drives them with a kernel supplied by the caller, so nothing here depends on
 * the model. The ESS estimator is local (not analysis/src/diagnostics) on purpose: the
 * sample stage's cache inputs are samplers/src and targets/src only, so importing the
 * analysis project here would let a change there go unseen by the cache.
 */
import type { RngState } from '@llc/core/random/rng';

// ---- schedule ----------------------------------------------------------------------------

export interface McLmcSchedule {
  /** Stage 1: ε adaptation, no statistics (the chain is still moving into the typical set). */
  readonly stepSizeSteps: number;
  /** Stage 2: ε adaptation and the variance estimate for the first L. */
  readonly varianceSteps: number;
  /** Stage 3: fixed ε and L; ESS for the final L and the achieved energy variance. */
  readonly essSteps: number;
}

/** Splits `steps` into the three stages (default 40% / 40% / 20%). Pure. */
export function mclmcSchedule(steps: number, fractions: readonly [number, number, number] = [0.4, 0.4, 0.2]): McLmcSchedule {
  if (!(Number.isInteger(steps) && steps >= 0)) throw new Error(`Error in mclmcSchedule: steps must be a non-negative integer, got ${steps}`);
  const sum = fractions[0] + fractions[1] + fractions[2];
  if (!fractions.every((f) => f >= 0) || Math.abs(sum - 1) > 1e-9) {
    throw new Error(`Error in mclmcSchedule: fractions must be ≥ 0 and sum to 1, got [${fractions.join(', ')}]`);
  }
  const essSteps = Math.round(steps * fractions[2]);
  const varianceSteps = Math.min(steps - essSteps, Math.round(steps * fractions[1]));
  return { stepSizeSteps: steps - essSteps - varianceSteps, varianceSteps, essSteps };
}

// ---- stage 1–2: step size from the energy error ------------------------------------------

export interface StepSizeAdaptationOptions {
  readonly dim: number;
  /** Target E[ΔE²]/d (Robnik et al.: 5e-4). */
  readonly targetEnergyVariance: number;
  /** Memory of the decaying average, in steps (BlackJAX: 150); Infinity averages every step equally. */
  readonly numEffectiveSamples?: number;
  /** Width of the log-normal weight that discounts steps far from the target (BlackJAX: 1.5). */
  readonly trustInEstimate?: number;
}

export interface StepSizeAdaptationState {
  readonly stepSize: number;
  /** Largest ε allowed: 0.8× the last ε that gave a non-finite or divergent step. */
  readonly stepSizeMax: number;
  /** Decayed Σ weight·ξ/ε⁶. */
  readonly weightedSum: number;
  /** Decayed Σ weight. */
  readonly weightTotal: number;
}

export function stepSizeAdaptation(options: StepSizeAdaptationOptions) {
  const { dim, targetEnergyVariance } = options;
  const nEff = options.numEffectiveSamples ?? 150;
  const trust = options.trustInEstimate ?? 1.5;
  if (!(targetEnergyVariance > 0)) {
    throw new Error(`Error in stepSizeAdaptation: targetEnergyVariance must be > 0, got ${targetEnergyVariance}`);
  }
  if (!(nEff >= 1)) throw new Error(`Error in stepSizeAdaptation: numEffectiveSamples must be ≥ 1, got ${nEff}`);
  const decay = Number.isFinite(nEff) ? (nEff - 1) / (nEff + 1) : 1;
  return {
    init(stepSize: number): StepSizeAdaptationState {
      if (!(stepSize > 0 && Number.isFinite(stepSize))) throw new Error(`Error in stepSizeAdaptation.init: stepSize must be finite and > 0, got ${stepSize}`);
      return { stepSize, stepSizeMax: Infinity, weightedSum: 0, weightTotal: 0 };
    },
    /** `energyChange` of a step taken with `state.stepSize`; `rejected` for a non-finite/divergent step. */
    update(state: StepSizeAdaptationState, energyChange: number, rejected: boolean): StepSizeAdaptationState {
      if (rejected || !Number.isFinite(energyChange)) {
        const stepSize = 0.8 * state.stepSize;
        return { ...state, stepSize, stepSizeMax: stepSize };
      }
      // The 1e-8 keeps log ξ finite when ΔE is exactly 0.
      const xi = (energyChange * energyChange) / (dim * targetEnergyVariance) + 1e-8;
      // Steps whose ξ is orders of magnitude from 1 say little about the ε⁶ constant near
      // the target (the power law is asymptotic), so they get a small weight.
      const weight = Math.exp(-0.5 * (Math.log(xi) / (6 * trust)) ** 2);
      const weightedSum = decay * state.weightedSum + (weight * xi) / state.stepSize ** 6;
      const weightTotal = decay * state.weightTotal + weight;
      const proposed = (weightedSum / weightTotal) ** (-1 / 6);
      return { stepSize: Math.min(proposed, state.stepSizeMax), stepSizeMax: state.stepSizeMax, weightedSum, weightTotal };
    },
    final(state: StepSizeAdaptationState): number {
      return state.stepSize;
    },
  };
}

// ---- stage 2: weighted variances for the first L -----------------------------------------

export interface WeightedMomentsState {
  readonly weightTotal: number;
  readonly mean: Float64Array;
  /** Σ weight·(x − mean)² (West's weighted Welford update, stable for small variances around a large w*). */
  readonly sumSq: Float64Array;
}

export const weightedMoments = {
  init(dim: number): WeightedMomentsState {
    return { weightTotal: 0, mean: new Float64Array(dim), sumSq: new Float64Array(dim) };
  },
  update(state: WeightedMomentsState, x: Float64Array, weight: number): WeightedMomentsState {
    if (!(weight > 0)) return state;
    const weightTotal = state.weightTotal + weight;
    const mean = new Float64Array(x.length);
    const sumSq = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const dx = x[i] - state.mean[i];
      mean[i] = state.mean[i] + (weight / weightTotal) * dx;
      sumSq[i] = state.sumSq[i] + weight * dx * (x[i] - mean[i]);
    }
    return { weightTotal, mean, sumSq };
  },
  /** Weighted (population) variances; empty state gives zeros. */
  final(state: WeightedMomentsState): Float64Array {
    return state.weightTotal > 0 ? state.sumSq.map((s) => s / state.weightTotal) : new Float64Array(state.sumSq.length);
  },
};

// ---- stage 3: L from the integrated autocorrelation time ---------------------------------

/**
 * Integrated autocorrelation time τ = n/ESS of one chain (Geyer 1992: initial positive
 * sequence over lag pairs, then made monotone), with biased autocovariances summed
 * directly. Direct sums cost O(n·lags), and lags stop where the pair sums turn negative,
 * a few τ for a tuned chain. τ is clamped to ≥ 1/log10(n) as in Stan/posterior, which
 * bounds the reward for antithetic chains. NaN for a constant or too short trace.
 */
export function integratedAutocorrelationTime(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 4) return Number.NaN;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  const c = Float64Array.from({ length: n }, (_, i) => x[i] - m);
  const acov = (k: number) => {
    let s = 0;
    for (let i = 0; i + k < n; i++) s += c[i] * c[i + k];
    return s / n;
  };
  const c0 = acov(0);
  if (!(c0 > 0) || !Number.isFinite(c0)) return Number.NaN;
  let sum = 0;
  let previousPair = Infinity;
  for (let t = 0; 2 * t + 1 < n; t++) {
    let pair = (acov(2 * t) + acov(2 * t + 1)) / c0;
    if (!(pair > 0)) break;
    pair = Math.min(pair, previousPair); // initial monotone sequence
    previousPair = pair;
    sum += pair;
  }
  const tau = -1 + 2 * sum;
  return Math.max(tau, 1 / Math.log10(n));
}

/** Coordinates whose ESS is tracked: all up to `max`, else `max` evenly spaced ones (deterministic). */
export function essCoordinates(dim: number, max: number): Int32Array {
  const k = Math.min(dim, Math.max(1, Math.floor(max)));
  return Int32Array.from({ length: k }, (_, j) => Math.floor((j * dim) / k));
}

/**
 * L = lFactor·ε·mean_i τ_i over the tracked coordinates (traces[i] = coordinate i per step).
 * Averaging τ_i = n/ESS_i (not n/mean ESS) follows Robnik et al.'s code: the slow
 * coordinates, which L must serve, dominate. Returns NaN when no coordinate has a usable trace.
 */
export function lFromAutocorrelation(traces: readonly ArrayLike<number>[], stepSize: number, lFactor = 0.4): number {
  let sum = 0;
  let count = 0;
  for (const trace of traces) {
    const tau = integratedAutocorrelationTime(trace);
    if (Number.isFinite(tau)) {
      sum += tau;
      count++;
    }
  }
  return count > 0 ? lFactor * stepSize * (sum / count) : Number.NaN;
}

// ---- driver --------------------------------------------------------------------------------

/** What the tuner needs from a step: its work, energy error and divergence flag. */
export interface TunableStepInfo {
  readonly fge: number;
  readonly energy: number;
  readonly divergent: boolean;
}

/** A kernel whose ε and L are per-call arguments (the state carries its generator). */
export type ParametrisedKernel<S> = (state: S, stepSize: number, L: number) => { state: S; info: TunableStepInfo };

export interface McLmcTuningOptions {
  readonly dim: number;
  readonly steps: number;
  readonly initialStepSize: number;
  readonly initialL: number;
  /** False keeps `initialStepSize` (a user-fixed ε). */
  readonly tuneStepSize: boolean;
  /** False keeps `initialL` (a user-fixed L). */
  readonly tuneL: boolean;
  /** Target Var[ΔE]/d (default 5e-4). */
  readonly targetEnergyVariance?: number;
  readonly fractions?: readonly [number, number, number];
  readonly numEffectiveSamples?: number;
  readonly trustInEstimate?: number;
  /** L = lFactor·ε·τ (Robnik et al.: 0.4). */
  readonly lFactor?: number;
  /** Stage 3 needs at least this many steps to replace L by the ESS-based value. */
  readonly minEssSteps?: number;
  /** ESS is estimated on at most this many coordinates (bounds memory: essSteps × this × 8 bytes). */
  readonly maxEssCoordinates?: number;
  readonly onStep?: () => void;
}

export interface McLmcTuningResult<S> {
  readonly state: S;
  readonly stepSize: number;
  readonly L: number;
  /** Var[ΔE]/d over stage 3 at the final ε (NaN if stage 3 is empty). */
  readonly energyVariancePerDim: number;
  /** Gradient work of every warmup step, rejected ones included. */
  readonly fge: number;
  /** Steps rejected for a non-finite or divergent energy change (each shrank ε by 0.8). */
  readonly rejectedSteps: number;
}

function isFiniteVector(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/**
 * Runs exactly `options.steps` kernel steps from `state` and returns the tuned (ε, L) with
 * the final state. Pure: `state` is not modified, and the result depends only on the
 * arguments (the generator travels in the state). A rejected step keeps the previous point
 * but takes the proposed state's generator, so the retry draws fresh noise.
 */
export function tuneMclmc<S extends { readonly position: Float64Array; readonly rng: RngState }>(
  kernel: ParametrisedKernel<S>,
  state: S,
  options: McLmcTuningOptions,
): McLmcTuningResult<S> {
  const { dim, steps } = options;
  const target = options.targetEnergyVariance ?? 5e-4;
  const lFactor = options.lFactor ?? 0.4;
  const minEssSteps = options.minEssSteps ?? 20;
  if (!(options.initialL > 0)) throw new Error(`Error in tuneMclmc: initialL must be > 0, got ${options.initialL}`);
  const schedule = mclmcSchedule(steps, options.fractions);
  const adaptOptions = { dim, targetEnergyVariance: target, trustInEstimate: options.trustInEstimate };
  const adapt = stepSizeAdaptation({ ...adaptOptions, numEffectiveSamples: options.numEffectiveSamples });
  const settle = stepSizeAdaptation({ ...adaptOptions, numEffectiveSamples: Infinity });
  let adaptState = adapt.init(options.initialStepSize);
  let L = options.initialL;
  let current = state;
  let fge = 0;
  let rejectedSteps = 0;

  /** One step; returns the energy change, or null when the step was rejected. */
  const advance = (stepSize: number): number | null => {
    const next = kernel(current, stepSize, L);
    fge += next.info.fge;
    options.onStep?.();
    const bad = next.info.divergent || !Number.isFinite(next.info.energy) || !isFiniteVector(next.state.position);
    if (bad) {
      rejectedSteps++;
      current = { ...current, rng: next.state.rng };
      return null;
    }
    current = next.state;
    return next.info.energy;
  };

  // Stages 1 and 2.
  let moments = weightedMoments.init(dim);
  for (let k = 0; k < schedule.stepSizeSteps + schedule.varianceSteps; k++) {
    const stepSize = adaptState.stepSize;
    const energy = advance(stepSize);
    // A user-fixed ε stays fixed even after a rejection (the rejection is still counted).
    const stage = k < schedule.stepSizeSteps ? adapt : settle;
    if (options.tuneStepSize) adaptState = stage.update(adaptState, energy ?? Number.NaN, energy === null);
    if (k >= schedule.stepSizeSteps && energy !== null) moments = weightedMoments.update(moments, current.position, stepSize);
  }
  if (options.tuneL && moments.weightTotal > 0) {
    const variances = weightedMoments.final(moments);
    const typicalSize = Math.sqrt(variances.reduce((a, b) => a + b, 0));
    if (typicalSize > 0 && Number.isFinite(typicalSize)) L = typicalSize;
  }

  // Stage 3: fixed ε and L (rejections still shrink ε, and restart the traces it measured).
  let stepSize = adapt.final(adaptState);
  const coordinates = essCoordinates(dim, options.maxEssCoordinates ?? 256);
  const n3 = schedule.essSteps;
  const traces = Array.from(coordinates, () => new Float64Array(n3));
  const energies = new Float64Array(n3);
  let recorded = 0;
  for (let k = 0; k < n3; k++) {
    const energy = advance(stepSize);
    if (energy === null) {
      if (options.tuneStepSize) stepSize *= 0.8;
      recorded = 0;
      continue;
    }
    for (let j = 0; j < coordinates.length; j++) traces[j][recorded] = current.position[coordinates[j]];
    energies[recorded++] = energy;
  }
  if (options.tuneL && recorded >= minEssSteps) {
    const fromEss = lFromAutocorrelation(traces.map((t) => t.subarray(0, recorded)), stepSize, lFactor);
    if (fromEss > 0 && Number.isFinite(fromEss)) L = fromEss;
  }
  let energyVariancePerDim = Number.NaN;
  if (recorded >= 2) {
    let mean = 0;
    for (let i = 0; i < recorded; i++) mean += energies[i];
    mean /= recorded;
    let ss = 0;
    for (let i = 0; i < recorded; i++) ss += (energies[i] - mean) ** 2;
    energyVariancePerDim = ss / (recorded - 1) / dim;
  }
  return { state: current, stepSize, L, energyVariancePerDim, fge, rejectedSteps };
}
