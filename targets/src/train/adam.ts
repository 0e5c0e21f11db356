/**
 * Full-batch Adam with early stopping, to find the trained optimum w* that the
 * LLC is estimated around. Optimiser state lives in float64 on the JS side; the
 * model supplies the loss and gradient.
 */
import type { LossModel } from '../../../samplers/src/model';

export interface TrainOptions {
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
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface HistoryPoint {
  /** Adam updates applied before this evaluation. */
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
  /** Adam updates applied. */
  steps: number;
  history: HistoryPoint[];
  stoppedBecause: 'converged' | 'maxSteps';
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
}

export function trainStudent(options: TrainOptions): TrainResult {
  checkOptions(options);
  const { model, lr, maxSteps, patience, minDelta, evalTest } = options;
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  const historyEvery = options.historyEvery ?? Math.max(1, Math.round(maxSteps / 200));

  const w = Float64Array.from(options.init);
  const firstMoment = new Float64Array(w.length);
  const secondMoment = new Float64Array(w.length);
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
    const t = step + 1;
    const correction1 = 1 - beta1 ** t;
    const correction2 = 1 - beta2 ** t;
    for (let i = 0; i < w.length; i++) {
      const g = grad[i];
      firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * g;
      secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * g * g;
      w[i] -= (lr * (firstMoment[i] / correction1)) / (Math.sqrt(secondMoment[i] / correction2) + epsilon);
    }
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
