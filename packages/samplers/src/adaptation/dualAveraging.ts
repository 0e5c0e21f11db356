/**
 * Dual averaging of the log step size (Nesterov 2009, as adapted by Hoffman & Gelman
 * 2014, JMLR 15, §3.2, Algorithm 5). The iterate x_t is pushed by the running mean of
 * (δ − α) — acceptance above target grows the step — and shrunk towards μ; the
 * weighted average x̄_t (weights t^−κ) converges and is the step size kept after
 * warmup, while x_t (noisier, but responsive) is the one used during warmup.
 */

export interface DualAveragingParams {
  /** δ: target mean acceptance probability. */
  readonly targetAcceptance: number;
  /** γ: how strongly x_t is shrunk towards μ (Stan: 0.05). */
  readonly gamma?: number;
  /** t0: damps the first iterations (Stan: 10). */
  readonly t0?: number;
  /** κ: decay exponent of the averaging weights (Stan: 0.75). */
  readonly kappa?: number;
}

export interface DualAveragingState {
  /** μ = log(10·ε0): the shrinkage point, biased high so large steps get tried. */
  readonly mu: number;
  /** t: updates since the last (re)start. */
  readonly count: number;
  /** H̄_t: running mean of δ − α. */
  readonly errorAvg: number;
  /** x_t: current log step size. */
  readonly logStepSize: number;
  /** x̄_t: averaged log step size. */
  readonly logStepSizeAvg: number;
}

export function init(stepSize: number): DualAveragingState {
  if (!(stepSize > 0 && Number.isFinite(stepSize))) {
    throw new Error(`Error in dualAveraging.init: stepSize must be finite and > 0, got ${stepSize}`);
  }
  const x = Math.log(stepSize);
  return { mu: Math.log(10) + x, count: 0, errorAvg: 0, logStepSize: x, logStepSizeAvg: 0 };
}

/** One update with the acceptance probability α of the latest transition (NaN counts as 0). */
export function update(state: DualAveragingState, acceptance: number, params: DualAveragingParams): DualAveragingState {
  const gamma = params.gamma ?? 0.05;
  const t0 = params.t0 ?? 10;
  const kappa = params.kappa ?? 0.75;
  const alpha = Number.isFinite(acceptance) ? Math.min(1, Math.max(0, acceptance)) : 0;
  const t = state.count + 1;
  const eta = 1 / (t + t0);
  const errorAvg = (1 - eta) * state.errorAvg + eta * (params.targetAcceptance - alpha);
  const logStepSize = state.mu - (Math.sqrt(t) / gamma) * errorAvg;
  const w = t ** -kappa;
  const logStepSizeAvg = w * logStepSize + (1 - w) * state.logStepSizeAvg;
  return { mu: state.mu, count: t, errorAvg, logStepSize, logStepSizeAvg };
}

/** Step size to use for the next warmup transition: exp(x_t). */
export function current(state: DualAveragingState): number {
  return Math.exp(state.logStepSize);
}

/** Step size to keep after warmup: exp(x̄_t); before any update, the starting step size. */
export function final(state: DualAveragingState): number {
  return state.count === 0 ? Math.exp(state.logStepSize) : Math.exp(state.logStepSizeAvg);
}
