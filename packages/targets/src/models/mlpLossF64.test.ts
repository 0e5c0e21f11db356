import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationAccuracy, createMlpLossModelF64 } from './mlpLossF64';
import { mlpForwardF64, mlpLossF64 } from './mlpReference';
import { mlpLayout, type Activation } from './mlpSpec';
import { maxGradientError } from '../testing/gradientCheck';
import { createRng } from '@llc/core/random/rng';

function problem(activation: Activation, widths: number[], rows: number, seed: number) {
  const rng = createRng(seed);
  const layout = mlpLayout({ widths, activation, bias: true });
  const w = new Float64Array(layout.size).map(() => 0.7 * rng.normal());
  const X = new Float64Array(rows * widths[0]).map(() => rng.normal());
  return { rng, layout, w, X, dOut: widths[widths.length - 1] };
}

test('mse equals the reference MLP loss and its gradient passes a finite-difference check, for every activation', () => {
  for (const activation of ['relu', 'tanh', 'gelu', 'identity'] as const) {
    const { rng, layout, w, X, dOut } = problem(activation, [3, 5, 4, 2], 17, 1);
    const Y = new Float64Array(17 * dOut).map(() => rng.normal());
    const model = createMlpLossModelF64({ layout, X, Y, loss: 'mse' });
    assert.ok(Math.abs(model.loss(w) - mlpLossF64(layout, w, X, Y)) < 1e-14, activation);
    assert.ok(maxGradientError(model, w) < 1e-6, `${activation}: ${maxGradientError(model, w)}`);
  }
});

test('cross-entropy equals log-sum-exp minus the label logit, stays finite for huge logits, and passes a finite-difference check', () => {
  const { rng, layout, w, X, dOut } = problem('tanh', [4, 6, 3], 9, 2);
  const Y = Float64Array.from({ length: 9 }, () => Math.floor(rng.uniform() * dOut));
  const model = createMlpLossModelF64({ layout, X, Y, loss: 'cross-entropy' });
  const logits = mlpForwardF64(layout, w, X);
  let expected = 0;
  for (let r = 0; r < 9; r++) {
    const row = Array.from(logits.subarray(r * dOut, (r + 1) * dOut));
    expected += Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[Y[r]];
  }
  assert.ok(Math.abs(model.loss(w) - expected / 9) < 1e-13);
  assert.ok(maxGradientError(model, w) < 1e-6);
  // Minibatch: the mean over the listed rows only.
  const batch = Int32Array.of(2, 5);
  const one = (r: number) => createMlpLossModelF64({ layout, X: X.subarray(r * 4, (r + 1) * 4), Y: Y.subarray(r, r + 1), loss: 'cross-entropy' }).loss(w);
  assert.ok(Math.abs(model.lossAndGrad(w, batch).loss - (one(2) + one(5)) / 2) < 1e-14);
  const huge = createMlpLossModelF64({ layout, X: X.map((v) => 1e4 * v), Y, loss: 'cross-entropy' });
  assert.ok(Number.isFinite(huge.loss(w.map((v) => 100 * v))));
  assert.equal(classificationAccuracy(Float64Array.of(0, 2, 1, 5, 0, 1), Float64Array.of(1, 2), 3), 0.5);
});

test('bad inputs are reported by name', () => {
  const { layout, w, X } = problem('relu', [3, 2], 4, 3);
  assert.throws(() => createMlpLossModelF64({ layout, X, Y: new Float64Array(3), loss: 'cross-entropy' }), /Y has 3 values, expected 4·1/);
  const model = createMlpLossModelF64({ layout, X, Y: new Float64Array(4), loss: 'cross-entropy' });
  assert.throws(() => model.lossAndGrad(w, Int32Array.of(7)), /batch\[0\] = 7 is outside \[0, 4\)/);
  assert.throws(() => model.loss(new Float64Array(2)), /w has length 2, expected 8/);
});
