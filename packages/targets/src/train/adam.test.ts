import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LossModel } from '@llc/core/model';
import { checkOptimizerOptions, trainStudent } from './adam';

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

/** The Adam update as it was before optimisers were pluggable, kept to pin the default bit for bit. */
function legacyAdamTrajectory(model: LossModel, init: Float64Array, lr: number, steps: number): Float64Array[] {
  const w = Float64Array.from(init);
  const m = new Float64Array(w.length);
  const v = new Float64Array(w.length);
  const out: Float64Array[] = [];
  for (let step = 0; step < steps; step++) {
    const { grad } = model.lossAndGrad(w);
    const t = step + 1;
    const c1 = 1 - 0.9 ** t;
    const c2 = 1 - 0.999 ** t;
    for (let i = 0; i < w.length; i++) {
      const g = grad[i];
      m[i] = 0.9 * m[i] + (1 - 0.9) * g;
      v[i] = 0.999 * v[i] + (1 - 0.999) * g * g;
      w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
    }
    out.push(Float64Array.from(w));
  }
  return out;
}

/** A non-convex test function (Rosenbrock-like) recording every point it is asked about. */
function recording(): LossModel & { seen: Float64Array[] } {
  const seen: Float64Array[] = [];
  const loss = (w: Float64Array) => (1 - w[0]) ** 2 + 5 * (w[1] - w[0] ** 2) ** 2 + 0.1 * Math.sin(3 * w[2]) + w[2] ** 2;
  return {
    dim: 3,
    n: 1,
    seen,
    loss,
    lossAndGrad(w: Float64Array) {
      seen.push(Float64Array.from(w));
      const grad = Float64Array.of(
        -2 * (1 - w[0]) - 20 * w[0] * (w[1] - w[0] ** 2),
        10 * (w[1] - w[0] ** 2),
        0.3 * Math.cos(3 * w[2]) + 2 * w[2],
      );
      return { loss: loss(w), grad };
    },
  };
}

test("default optimizer is the original Adam, bit for bit; optimizer: 'adam' is the same", () => {
  const init = Float64Array.of(-1.2, 1, 0.7);
  const expected = legacyAdamTrajectory(recording(), init, 0.02, 300);
  for (const options of [{}, { optimizer: 'adam' as const }]) {
    const model = recording();
    trainStudent({ model, init, lr: 0.02, maxSteps: 300, patience: 10_000, minDelta: 0, ...options });
    // seen[t] is the point after t updates.
    for (let t = 1; t < 300; t++) assert.deepEqual(model.seen[t], expected[t - 1], `step ${t}`);
  }
});

test('sgd: heavy-ball momentum u = μu + g, w −= lr·u (μ = 0 by default)', () => {
  const target = [1, -2];
  const curvature = [1, 3];
  const model = quadratic(target, curvature);
  const init = Float64Array.of(0, 0);
  const lr = 0.1;
  const mu = 0.5;
  const result = trainStudent({ model, init, lr, maxSteps: 2, patience: 100, minDelta: 0, optimizer: 'sgd', momentum: mu, historyEvery: 1 });
  // By hand: g0 = −c·t, w1 = −lr·g0; g1 = c(w1 − t), w2 = w1 − lr(μ g0 + g1).
  const w2 = target.map((t, i) => {
    const g0 = -curvature[i] * t;
    const w1 = -lr * g0;
    const g1 = curvature[i] * (w1 - t);
    return w1 - lr * (mu * g0 + g1);
  });
  const lossAt = (w: number[]) => w.reduce((s, v, i) => s + 0.5 * curvature[i] * (v - target[i]) ** 2, 0);
  assert.equal(result.history[2].trainLoss, lossAt(w2));
  const converged = trainStudent({ model: quadratic(target, curvature), init, lr: 0.2, maxSteps: 5000, patience: 50, minDelta: 1e-9, optimizer: 'sgd' });
  assert.equal(converged.stoppedBecause, 'converged');
  converged.wStar.forEach((v, i) => assert.ok(Math.abs(v - target[i]) < 1e-3));
});

test('adamw: decoupled decay w·(1 − lr·λ) before the Adam step; λ = 0 is Adam', () => {
  // Zero gradient: the Adam step is 0, so w_t = w_0·(1 − lr·λ)^t exactly.
  const flat: LossModel = { dim: 2, n: 1, loss: () => 1, lossAndGrad: () => ({ loss: 1, grad: new Float64Array(2) }) };
  const seen: Float64Array[] = [];
  const watched: LossModel = { ...flat, lossAndGrad: (w) => (seen.push(Float64Array.from(w)), flat.lossAndGrad(w)) };
  trainStudent({ model: watched, init: Float64Array.of(1, -2), lr: 0.1, maxSteps: 5, patience: 100, minDelta: 0, optimizer: 'adamw', weightDecay: 0.5 });
  let expected = Float64Array.of(1, -2);
  for (const point of seen) {
    assert.deepEqual(point, expected);
    expected = expected.map((v) => v * (1 - 0.1 * 0.5));
  }
  const init = Float64Array.of(-1.2, 1, 0.7);
  const adam = recording();
  const adamw = recording();
  trainStudent({ model: adam, init, lr: 0.02, maxSteps: 50, patience: 1000, minDelta: 0 });
  trainStudent({ model: adamw, init, lr: 0.02, maxSteps: 50, patience: 1000, minDelta: 0, optimizer: 'adamw', weightDecay: 0 });
  assert.deepEqual(adamw.seen, adam.seen);
  // Default λ (0.01) pulls the optimum of (w − 3)² towards 0.
  const decayed = trainStudent({ model: quadratic([3], [2]), init: Float64Array.of(0), lr: 0.05, maxSteps: 4000, patience: 4000, minDelta: 0, optimizer: 'adamw' });
  assert.ok(decayed.wStar[0] < 3 && decayed.wStar[0] > 2.9, `adamw optimum ${decayed.wStar[0]}`);
});

test('optimizer options are validated by name', () => {
  const model = quadratic([0], [1]);
  const base = { model, init: new Float64Array(1), lr: 0.1, maxSteps: 10, patience: 5, minDelta: 0 };
  assert.throws(() => trainStudent({ ...base, optimizer: 'rmsprop' as never }), { message: 'Error in trainStudent: optimizer must be one of adam|sgd|adamw, got rmsprop' });
  assert.throws(() => trainStudent({ ...base, optimizer: 'sgd', momentum: 1 }), /momentum must be in \[0, 1\), got 1/);
  assert.throws(() => trainStudent({ ...base, momentum: 0.9 }), /momentum applies to optimizer sgd only, not 'adam'/);
  assert.throws(() => trainStudent({ ...base, optimizer: 'adam', weightDecay: 0.1 }), /weightDecay applies to optimizer adamw only, not 'adam'/);
  assert.throws(() => trainStudent({ ...base, optimizer: 'adamw', weightDecay: -1 }), /weightDecay must be a finite number ≥ 0, got -1/);
  assert.throws(() => trainStudent({ ...base, optimizer: 'sgd', beta1: 0.9 }), /beta1 applies to optimizer adam\/adamw only, not 'sgd'/);
  assert.throws(() => trainStudent({ ...base, epsilon: 0 }), /epsilon must be a finite number > 0, got 0/);
  assert.throws(() => checkOptimizerOptions({ optimizer: 'sgd', momentum: -0.1 }, 'buildTeacherStudentTarget', 'train.'), {
    message: 'Error in buildTeacherStudentTarget: train.momentum must be in [0, 1), got -0.1',
  });
});
