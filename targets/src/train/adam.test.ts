import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LossModel } from '../../../samplers/src/model';
import { trainStudent } from './adam';

/** L(w) = ½ Σ c_i (w_i − t_i)² + floor: an exact-answer stand-in for a network. */
function quadratic(target: number[], curvature: number[], floor = 0): LossModel & { calls: number } {
  const model = {
    dim: target.length,
    n: 1,
    calls: 0,
    loss(w: Float64Array) {
      let sum = floor;
      for (let i = 0; i < w.length; i++) sum += 0.5 * curvature[i] * (w[i] - target[i]) ** 2;
      return sum;
    },
    lossAndGrad(w: Float64Array) {
      model.calls++;
      const grad = Float64Array.from(w, (v, i) => curvature[i] * (v - target[i]));
      return { loss: model.loss(w), grad };
    },
  };
  return model;
}

test('Adam finds the minimum of a quadratic and stops when converged', () => {
  const model = quadratic([1, -2, 3], [1, 4, 0.5], 0.25);
  const result = trainStudent({ model, init: new Float64Array(3), lr: 0.05, maxSteps: 20_000, patience: 50, minDelta: 1e-6 });
  assert.equal(result.stoppedBecause, 'converged');
  assert.ok(result.steps < 20_000);
  assert.ok(Math.abs(result.trainLoss - 0.25) < 1e-6, `trainLoss ${result.trainLoss}`);
  [1, -2, 3].forEach((t, i) => assert.ok(Math.abs(result.wStar[i] - t) < 1e-2));
  assert.equal(result.testLoss, null);
});

test('keeps the best point, not the last, and records history every k steps with test loss', () => {
  // A large step size makes Adam oscillate, so the last iterate is not the best one.
  const model = quadratic([1], [1]);
  const result = trainStudent({
    model,
    init: Float64Array.of(0),
    lr: 0.8,
    maxSteps: 100,
    patience: 1000,
    minDelta: 0,
    historyEvery: 10,
    evalTest: (w) => 2 * model.loss(w),
  });
  assert.equal(result.stoppedBecause, 'maxSteps');
  assert.equal(result.steps, 100);
  const best = Math.min(...result.history.map((h) => h.trainLoss));
  assert.ok(result.trainLoss <= best);
  assert.ok(result.history[result.history.length - 1].trainLoss > result.trainLoss, 'the last iterate is not the best here');
  assert.equal(result.trainLoss, model.loss(result.wStar));
  assert.equal(result.testLoss, 2 * result.trainLoss);
  assert.deepEqual(result.history.map((h) => h.step), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  for (const point of result.history) assert.equal(point.testLoss, 2 * point.trainLoss);
});

test('early stopping: patience steps without a relative improvement of minDelta', () => {
  // A flat loss never improves: stop after exactly `patience` non-improving steps.
  const flat: LossModel = { dim: 2, n: 1, loss: () => 1, lossAndGrad: () => ({ loss: 1, grad: new Float64Array(2) }) };
  const result = trainStudent({ model: flat, init: new Float64Array(2), lr: 0.1, maxSteps: 1000, patience: 7, minDelta: 0.01 });
  assert.equal(result.stoppedBecause, 'converged');
  assert.equal(result.steps, 7);
  assert.equal(result.history[result.history.length - 1].step, 7);
});

test('divergence and bad options are reported by name', () => {
  const exploding: LossModel = { dim: 1, n: 1, loss: () => NaN, lossAndGrad: () => ({ loss: NaN, grad: new Float64Array(1) }) };
  assert.throws(
    () => trainStudent({ model: exploding, init: new Float64Array(1), lr: 0.1, maxSteps: 10, patience: 5, minDelta: 0 }),
    /Error in trainStudent: training loss became NaN after 0 steps/,
  );
  const model = quadratic([0], [1]);
  assert.throws(() => trainStudent({ model, init: new Float64Array(2), lr: 0.1, maxSteps: 10, patience: 5, minDelta: 0 }), /init has length 2, model has dim 1/);
  assert.throws(() => trainStudent({ model, init: new Float64Array(1), lr: 0, maxSteps: 10, patience: 5, minDelta: 0 }), /lr must be a positive number/);
});
