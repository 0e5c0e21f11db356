/**
 * Stan-style window adaptation of the step size and a diagonal inverse mass matrix,
 * as pure {init, update, final} functions over an immutable state. Per iteration:
 * dual averaging sees the transition's acceptance; inside a slow window the new
 * position also feeds a Welford estimator; at a window's last iteration the metric is
 * replaced by the regularised variances and dual averaging restarts (its history
 * was learnt for the old metric) at μ = log(10ε). The sampler may re-search ε for the
 * new metric first and hand it over with `restartStepSize`.
 */
import * as dualAveraging from './dualAveraging';
import * as welford from './welford';
import type { DualAveragingParams, DualAveragingState } from './dualAveraging';
import type { WelfordState } from './welford';
import type { WindowSchedule } from './windowSchedule';

export interface WindowAdaptationState {
  readonly schedule: WindowSchedule;
  readonly dualAveragingParams: DualAveragingParams;
  /** Warmup iterations seen so far. */
  readonly iteration: number;
  /** Step size for the next warmup transition. */
  readonly stepSize: number;
  /** Diagonal inverse mass matrix for the next warmup transition. */
  readonly inverseMass: Float64Array;
  readonly dualAveraging: DualAveragingState;
  readonly welford: WelfordState;
  /** True right after a slow window closed and replaced `inverseMass`. */
  readonly metricUpdated: boolean;
  /** Acceptance summed over the final buffer, reported as the tuned acceptance. */
  readonly finalAcceptanceSum: number;
  readonly finalAcceptanceCount: number;
  /** (log step size, acceptance) of every final-buffer transition, for the acceptance-matched step size. */
  readonly finalPairs: ReadonlyArray<readonly [number, number]>;
}

export interface WindowAdaptationResult {
  /** exp(x̄) of the last dual-averaging run (the one over the final buffer). */
  readonly stepSize: number;
  readonly inverseMass: Float64Array;
  /** Mean acceptance over the final buffer (NaN if it is empty). */
  readonly acceptance: number;
}

export function init(
  schedule: WindowSchedule,
  options: { stepSize: number; inverseMass: Float64Array; dualAveraging: DualAveragingParams },
): WindowAdaptationState {
  const { stepSize, inverseMass } = options;
  for (let i = 0; i < inverseMass.length; i++) {
    if (!(inverseMass[i] > 0 && Number.isFinite(inverseMass[i]))) {
      throw new Error(`Error in windowAdaptation.init: inverseMass[${i}] must be finite and > 0, got ${inverseMass[i]}`);
    }
  }
  return {
    schedule,
    dualAveragingParams: options.dualAveraging,
    iteration: 0,
    stepSize,
    inverseMass: Float64Array.from(inverseMass),
    dualAveraging: dualAveraging.init(stepSize),
    welford: welford.init(inverseMass.length),
    metricUpdated: false,
    finalAcceptanceSum: 0,
    finalAcceptanceCount: 0,
    finalPairs: [],
  };
}

/** Records one warmup transition: its acceptance probability and the position it ended at. */
export function update(state: WindowAdaptationState, position: Float64Array, acceptance: number): WindowAdaptationState {
  const { schedule } = state;
  const i = state.iteration;
  if (i >= schedule.steps) throw new Error(`Error in windowAdaptation.update: the schedule has only ${schedule.steps} steps`);
  let da = dualAveraging.update(state.dualAveraging, acceptance, state.dualAveragingParams);
  const stepSize = dualAveraging.current(da);
  let { inverseMass, welford: wf, finalAcceptanceSum, finalAcceptanceCount, finalPairs } = state;
  let metricUpdated = false;

  const window = schedule.windows.find((w) => i >= w.start && i < w.end);
  if (window) {
    wf = welford.update(wf, position);
    if (i === window.end - 1) {
      // A window too short for a variance keeps the old metric rather than invent one.
      if (wf.count >= 2) {
        inverseMass = welford.final(wf);
        metricUpdated = true;
      }
      wf = welford.init(position.length);
      da = dualAveraging.init(stepSize);
    }
  }
  if (i >= schedule.steps - schedule.finalBuffer) {
    finalAcceptanceSum += Number.isFinite(acceptance) ? acceptance : 0;
    finalAcceptanceCount++;
    finalPairs = [...finalPairs, [Math.log(state.stepSize), Number.isFinite(acceptance) ? acceptance : 0] as const];
  }
  return {
    ...state,
    iteration: i + 1,
    stepSize,
    inverseMass,
    dualAveraging: da,
    welford: wf,
    metricUpdated,
    finalAcceptanceSum,
    finalAcceptanceCount,
    finalPairs,
  };
}

/** Restarts dual averaging at a step size found for the current metric: μ = log(10ε). */
export function restartStepSize(state: WindowAdaptationState, stepSize: number): WindowAdaptationState {
  return { ...state, stepSize, dualAveraging: dualAveraging.init(stepSize), metricUpdated: false };
}

/**
 * The step size whose expected acceptance is the target. Dual averaging keeps exp(x̄), the
 * mean of widely spread log-step iterates; acceptance falls steeply above the target, so
 * exp(x̄) sits below the target's step size and sampling then accepts ~0.1–0.15 more often
 * than asked. Instead fit α ≈ σ(a + b·log ε) to the final buffer's (log ε, α) pairs (cross
 * entropy with fractional targets, Newton) and solve for the target, within the iterates'
 * range; fall back to exp(x̄) when the fit is degenerate.
 */
export function acceptanceMatchedStepSize(pairs: ReadonlyArray<readonly [number, number]>, target: number, fallback: number): number {
  if (pairs.length < 10) return fallback;
  const xs = pairs.map((p) => p[0]);
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  if (!(hi - lo > 1e-6)) return fallback;
  const centre = xs.reduce((s, x) => s + x, 0) / xs.length;
  let a = 0;
  let b = -1;
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0, gb = 0, haa = 1e-6, hab = 0, hbb = 1e-6;
    for (const [x0, y] of pairs) {
      const x = x0 - centre;
      const p = 1 / (1 + Math.exp(-(a + b * x)));
      const w = p * (1 - p);
      ga += p - y;
      gb += (p - y) * x;
      haa += w;
      hab += w * x;
      hbb += w * x * x;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) return fallback;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  if (!(b < 0) || !Number.isFinite(a)) return fallback;
  // A flat fit (acceptance barely changes over the iterates' range) cannot locate the target.
  const fitted = (x: number) => 1 / (1 + Math.exp(-(a + b * (x - centre))));
  if (fitted(lo) - fitted(hi) < 0.1) return fallback;
  const x = centre + (Math.log(target / (1 - target)) - a) / b;
  // Extrapolate at most half the iterates' spread beyond them: the fit is only local.
  const margin = 0.5 * (hi - lo);
  return Math.exp(Math.min(hi + margin, Math.max(lo - margin, x)));
}

export function final(state: WindowAdaptationState): WindowAdaptationResult {
  const averaged = dualAveraging.final(state.dualAveraging);
  return {
    stepSize: acceptanceMatchedStepSize(state.finalPairs, state.dualAveragingParams.targetAcceptance, averaged),
    inverseMass: Float64Array.from(state.inverseMass),
    acceptance: state.finalAcceptanceCount > 0 ? state.finalAcceptanceSum / state.finalAcceptanceCount : Number.NaN,
  };
}
