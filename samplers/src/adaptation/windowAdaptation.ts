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
  };
}

/** Records one warmup transition: its acceptance probability and the position it ended at. */
export function update(state: WindowAdaptationState, position: Float64Array, acceptance: number): WindowAdaptationState {
  const { schedule } = state;
  const i = state.iteration;
  if (i >= schedule.steps) throw new Error(`Error in windowAdaptation.update: the schedule has only ${schedule.steps} steps`);
  let da = dualAveraging.update(state.dualAveraging, acceptance, state.dualAveragingParams);
  let stepSize = dualAveraging.current(da);
  let { inverseMass, welford: wf, finalAcceptanceSum, finalAcceptanceCount } = state;
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
  };
}

/** Restarts dual averaging at a step size found for the current metric: μ = log(10ε). */
export function restartStepSize(state: WindowAdaptationState, stepSize: number): WindowAdaptationState {
  return { ...state, stepSize, dualAveraging: dualAveraging.init(stepSize), metricUpdated: false };
}

export function final(state: WindowAdaptationState): WindowAdaptationResult {
  return {
    stepSize: dualAveraging.final(state.dualAveraging),
    inverseMass: Float64Array.from(state.inverseMass),
    acceptance: state.finalAcceptanceCount > 0 ? state.finalAcceptanceSum / state.finalAcceptanceCount : Number.NaN,
  };
}
