/**
 * Full-batch training with early stopping, to find the trained optimum w* that the
 * LLC is estimated around. Optimiser state lives in float64 on the JS side; the
 * model supplies the loss and gradient. Optimisers (t = 1, 2, … counts updates):
 *   adam   m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g²,
 *          w −= lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)            (the default)
 *   adamw  w −= lr·λ·w (decoupled weight decay, λ = weightDecay), then the adam step
 *   sgd    u = μ·u + g, w −= lr·u (heavy-ball momentum μ; μ = 0 is plain gradient descent)
 * Early stopping watches the training loss alone (never the decay term).
 */
import type { LossModel } from '@llc/core/model';

export type OptimizerName = 'adam' | 'sgd' | 'adamw';
export const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'sgd', 'adamw'];
/** Defaults applied when the option is left out. */
export const DEFAULT_MOMENTUM = 0;
export const DEFAULT_WEIGHT_DECAY = 0.01;

/** Optimiser choice and its hyper-parameters (each only with the optimiser it belongs to). */
export interface OptimizerOptions {
  /** Default 'adam'. */
  optimizer?: OptimizerName;
  /** sgd only: momentum μ in [0, 1) (default 0). */
  momentum?: number;
  /** adamw only: decoupled weight decay λ ≥ 0 (default 0.01). */
  weightDecay?: number;
  /** adam/adamw only: β1, β2 in [0, 1) (defaults 0.9, 0.999) and ε > 0 (default 1e-8). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface TrainOptions extends OptimizerOptions {
  model: Pick<LossModel, 'dim' | 'loss' | 'lossAndGrad'>;
  init: Float64Array;
  lr: number;
  maxSteps: number;
  /** Stop after this many steps without a relative improvement of minDelta. */
  patience: number;
  /** Relative improvement that counts: loss < reference · (1 − minDelta). */
  minDelta: number;
  /** Test loss of a parameter vector, recorded in the history and for w*. */
  evalTest?: (w: Float64Array) => number;
  /** Record the history every this many steps (default: about 200 points over maxSteps). */
  historyEvery?: number;
}

export interface HistoryPoint {
  /** Optimiser updates applied before this evaluation. */
  step: number;
  trainLoss: number;
  testLoss?: number;
}

export interface TrainResult {
  /** Parameters with the lowest training loss seen. */
  wStar: Float64Array;
  /** L0 = L_n(w*) from model.loss. */
  trainLoss: number;
  /** evalTest(w*), or null without evalTest. */
  testLoss: number | null;
  /** Optimiser updates applied. */
  steps: number;
  history: HistoryPoint[];
  stoppedBecause: 'converged' | 'maxSteps';
}

/**
 * Throws "Error in <caller>: <prefix><field> ..." for an unknown optimiser, an option
 * out of range, or an option given to an optimiser that does not use it.
 */
export function checkOptimizerOptions(options: OptimizerOptions, caller = 'trainStudent', prefix = ''): void {
  const fail = (message: string): never => {
    throw new Error(`Error in ${caller}: ${prefix}${message}`);
  };
  const optimizer = options.optimizer ?? 'adam';
  if (!OPTIMIZERS.includes(optimizer)) fail(`optimizer must be one of ${OPTIMIZERS.join('|')}, got ${String(optimizer)}`);
  const onlyFor = (field: keyof OptimizerOptions, allowed: OptimizerName[]): boolean => {
    if (options[field] === undefined) return false;
    if (!allowed.includes(optimizer)) fail(`${field} applies to optimizer ${allowed.join('/')} only, not '${optimizer}'`);
    return true;
  };
  const unitInterval = (value: number | undefined, field: string): void => {
    if (!(typeof value === 'number' && value >= 0 && value < 1)) fail(`${field} must be in [0, 1), got ${String(value)}`);
  };
  if (onlyFor('momentum', ['sgd'])) unitInterval(options.momentum, 'momentum');
  if (onlyFor('weightDecay', ['adamw'])) {
    const wd = options.weightDecay;
    if (!(typeof wd === 'number' && Number.isFinite(wd) && wd >= 0)) fail(`weightDecay must be a finite number ≥ 0, got ${String(wd)}`);
  }
  if (onlyFor('beta1', ['adam', 'adamw'])) unitInterval(options.beta1, 'beta1');
  if (onlyFor('beta2', ['adam', 'adamw'])) unitInterval(options.beta2, 'beta2');
  if (onlyFor('epsilon', ['adam', 'adamw'])) {
    const eps = options.epsilon;
    if (!(typeof eps === 'number' && Number.isFinite(eps) && eps > 0)) fail(`epsilon must be a finite number > 0, got ${String(eps)}`);
  }
}

function checkOptions(options: TrainOptions): void {
  const fail = (message: string): never => {
    throw new Error(`Error in trainStudent: ${message}`);
  };
  const { model, init, lr, maxSteps, patience, minDelta } = options;
  if (init.length !== model.dim) fail(`init has length ${init.length}, model has dim ${model.dim}`);
  if (!(Number.isFinite(lr) && lr > 0)) fail(`lr must be a positive number, got ${lr}`);
  if (!(Number.isInteger(maxSteps) && maxSteps > 0)) fail(`maxSteps must be a positive integer, got ${maxSteps}`);
  if (!(Number.isInteger(patience) && patience > 0)) fail(`patience must be a positive integer, got ${patience}`);
  if (!(Number.isFinite(minDelta) && minDelta >= 0 && minDelta < 1)) fail(`minDelta must be in [0, 1), got ${minDelta}`);
  const every = options.historyEvery;
  if (every !== undefined && !(Number.isInteger(every) && every > 0)) {
    fail(`historyEvery must be a positive integer, got ${every}`);
  }
  checkOptimizerOptions(options);
}

/** Applies one update to w in place; t = 1 for the first update. */
type Update = (w: Float64Array, grad: Float64Array, t: number) => void;

function createUpdate(options: TrainOptions, dim: number): Update {
  const { lr } = options;
  const optimizer = options.optimizer ?? 'adam';
  if (optimizer === 'sgd') {
    const momentum = options.momentum ?? DEFAULT_MOMENTUM;
    const velocity = new Float64Array(dim);
    return (w, grad) => {
      for (let i = 0; i < w.length; i++) {
        velocity[i] = momentum * velocity[i] + grad[i];
        w[i] -= lr * velocity[i];
      }
    };
  }
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  const decay = optimizer === 'adamw' ? 1 - lr * (options.weightDecay ?? DEFAULT_WEIGHT_DECAY) : 1;
  const firstMoment = new Float64Array(dim);
  const secondMoment = new Float64Array(dim);
  return (w, grad, t) => {
    const correction1 = 1 - beta1 ** t;
    const correction2 = 1 - beta2 ** t;
    for (let i = 0; i < w.length; i++) {
      const g = grad[i];
      firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * g;
      secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * g * g;
      if (optimizer === 'adamw') w[i] *= decay;
      w[i] -= (lr * (firstMoment[i] / correction1)) / (Math.sqrt(secondMoment[i] / correction2) + epsilon);
    }
  };
}

export function trainStudent(options: TrainOptions): TrainResult {
  checkOptions(options);
  const { model, lr, maxSteps, patience, minDelta, evalTest } = options;
  const historyEvery = options.historyEvery ?? Math.max(1, Math.round(maxSteps / 200));

  const w = Float64Array.from(options.init);
  const update = createUpdate(options, w.length);
  const bestW = Float64Array.from(w);
  let bestLoss = Infinity;
  // Loss at the last improvement that counted for patience (kept apart from bestLoss
  // so many tiny improvements cannot postpone stopping forever).
  let referenceLoss = Infinity;
  let stepsWithoutImprovement = 0;
  const history: HistoryPoint[] = [];

  const record = (step: number, trainLoss: number): void => {
    const point: HistoryPoint = { step, trainLoss };
    if (evalTest) point.testLoss = evalTest(w);
    history.push(point);
  };
  const observe = (step: number, loss: number): void => {
    if (!Number.isFinite(loss)) {
      throw new Error(`Error in trainStudent: training loss became ${loss} after ${step} steps (lr ${lr} too large?)`);
    }
    if (loss < bestLoss) {
      bestLoss = loss;
      bestW.set(w);
    }
    if (loss < referenceLoss * (1 - minDelta)) {
      referenceLoss = loss;
      stepsWithoutImprovement = 0;
    } else {
      stepsWithoutImprovement++;
    }
  };

  let step = 0;
  let stoppedBecause: TrainResult['stoppedBecause'] = 'maxSteps';
  for (; step < maxSteps; step++) {
    const { loss, grad } = model.lossAndGrad(w);
    observe(step, loss);
    const stop = stepsWithoutImprovement >= patience;
    // The stopping point always closes the loss curve.
    if (step % historyEvery === 0 || stop) record(step, loss);
    if (stop) {
      stoppedBecause = 'converged';
      break;
    }
    update(w, grad, step + 1);
  }
  if (stoppedBecause === 'maxSteps') {
    // The last update has not been evaluated yet; it may be the best point.
    const finalLoss = model.loss(w);
    observe(step, finalLoss);
    record(step, finalLoss);
  }

  const trainLoss = model.loss(bestW);
  return {
    wStar: bestW,
    trainLoss,
    testLoss: evalTest ? evalTest(bestW) : null,
    steps: step,
    history,
    stoppedBecause,
  };
}
