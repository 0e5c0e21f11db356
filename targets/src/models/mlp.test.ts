import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../../tools/src/random/rng';
import { initEngine } from '../engine/backend';
import { createMlpLossModel, mlpPredict } from './mlp';
import { mlpLossAndGradAutodiff } from './mlpAutodiff';
import { mlpForwardF64, mlpLossF64 } from './mlpReference';
import { mlpLayout, type Activation, type MlpSpec } from './mlpSpec';

before(async () => {
  await initEngine();
});

/** Seeded inputs, targets and parameters (weights scaled to keep activations O(1)). */
function problem(spec: MlpSpec, n: number, seed: number) {
  const layout = mlpLayout(spec);
  const rng = createRng(seed, 'mlp-test');
  const dOut = spec.widths[spec.widths.length - 1];
  const X = Float32Array.from(rng.fillNormal(new Float64Array(n * spec.widths[0])));
  const Y = Float32Array.from(rng.fillNormal(new Float64Array(n * dOut)));
  const w = rng.fillNormal(new Float64Array(layout.size)).map((v) => v * 0.5);
  return { layout, X, Y, w, rng };
}

/** max |a − b| / max |b|: relative error at the scale of the reference vector. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

for (const activation of ['relu', 'tanh', 'identity'] as Activation[]) {
  for (const bias of [true, false]) {
    test(`explicit gradient matches tf.grad: ${activation}, bias ${bias}, full batch and minibatch`, () => {
      const spec: MlpSpec = { widths: [5, 7, 6, 2], activation, bias };
      const n = 300;
      const { layout, X, Y, w, rng } = problem(spec, n, 1);
      const model = createMlpLossModel({ spec, X, Y, n });
      const xT = tf.tensor2d(X, [n, 5]);
      const yT = tf.tensor2d(Y, [n, 2]);
      try {
        // Minibatch with repeated rows, as samplers draw them.
        const batch = Int32Array.from({ length: 64 }, () => rng.int(n));
        for (const rows of [null, batch]) {
          const ours = model.lossAndGrad(w, rows);
          const reference = mlpLossAndGradAutodiff(layout, xT, yT, w, rows);
          assert.ok(Math.abs(ours.loss - reference.loss) <= 1e-6 * reference.loss, `loss ${ours.loss} vs ${reference.loss}`);
          const err = relativeError(ours.grad, reference.grad);
          assert.ok(err < 1e-5, `gradient relative error ${err.toExponential(2)} (${rows ? 'minibatch' : 'full batch'})`);
        }
      } finally {
        model.dispose();
        xT.dispose();
        yT.dispose();
      }
    });
  }
}

test('gradient matches float64 central finite differences on a tiny model', () => {
  for (const activation of ['relu', 'tanh'] as Activation[]) {
    const spec: MlpSpec = { widths: [3, 4, 2], activation, bias: true };
    const n = 20;
    const { layout, X, Y, w } = problem(spec, n, 2);
    const model = createMlpLossModel({ spec, X, Y, n });
    try {
      const { loss, grad } = model.lossAndGrad(w);
      assert.ok(Math.abs(loss - mlpLossF64(layout, w, X, Y)) < 1e-6 * loss);
      const h = 1e-6;
      const fd = new Float64Array(layout.size);
      for (let i = 0; i < layout.size; i++) {
        const plus = Float64Array.from(w);
        const minus = Float64Array.from(w);
        plus[i] += h;
        minus[i] -= h;
        fd[i] = (mlpLossF64(layout, plus, X, Y) - mlpLossF64(layout, minus, X, Y)) / (2 * h);
      }
      const err = relativeError(grad, fd);
      assert.ok(err < 1e-4, `${activation}: finite-difference relative error ${err.toExponential(2)}`);
    } finally {
      model.dispose();
    }
  }
});

test('no tensors leak over 10,000 loss/lossAndGrad calls', () => {
  const spec: MlpSpec = { widths: [2, 3, 1], activation: 'relu', bias: true };
  const n = 32;
  const { X, Y, w, rng } = problem(spec, n, 3);
  const model = createMlpLossModel({ spec, X, Y, n });
  const batch = Int32Array.from({ length: 8 }, () => rng.int(n));
  model.lossAndGrad(w);
  const before = tf.memory();
  for (let i = 0; i < 10_000; i++) {
    if (i % 3 === 0) model.lossAndGrad(w);
    else if (i % 3 === 1) model.lossAndGrad(w, batch);
    else model.loss(w);
  }
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytes, before.numBytes);
  model.dispose();
  assert.equal(tf.memory().numTensors, before.numTensors - 2, 'dispose() frees X and Y');
});

test('loss is accumulated in float64: matches a float64 reference on n = 100,000 rows', () => {
  // Hidden width 64 makes the model process the rows in two chunks.
  const spec: MlpSpec = { widths: [8, 64, 1], activation: 'tanh', bias: true };
  const n = 100_000;
  const { layout, X, Y, w } = problem(spec, n, 4);
  const model = createMlpLossModel({ spec, X, Y, n });
  const xT = tf.tensor2d(X, [n, 8]);
  const yT = tf.tensor2d(Y, [n, 1]);
  try {
    const expected = mlpLossF64(layout, w, X, Y);
    const loss = model.loss(w);
    assert.ok(Math.abs(loss - expected) <= 1e-6 * expected, `loss ${loss} vs float64 reference ${expected}`);
    const full = model.lossAndGrad(w);
    assert.equal(full.loss, loss, 'loss() and lossAndGrad() agree bit for bit');
    const err = relativeError(full.grad, mlpLossAndGradAutodiff(layout, xT, yT, w).grad);
    assert.ok(err < 1e-5, `chunked full-batch gradient relative error ${err.toExponential(2)}`);
  } finally {
    model.dispose();
    xT.dispose();
    yT.dispose();
  }
});

test('mlpPredict agrees with the float64 forward pass', () => {
  const spec: MlpSpec = { widths: [4, 5, 3], activation: 'tanh', bias: true };
  const { layout, X, w } = problem(spec, 50, 5);
  const pred = mlpPredict(layout, w, X);
  const reference = mlpForwardF64(layout, w, X);
  assert.equal(pred.length, 150);
  assert.ok(relativeError(pred, reference) < 1e-6);
});

test('bad inputs are rejected with named messages', () => {
  const spec: MlpSpec = { widths: [2, 3, 1], activation: 'relu', bias: true };
  const { X, Y, w } = problem(spec, 10, 6);
  assert.throws(() => createMlpLossModel({ spec, X, Y, n: 11 }), /Error in createMlpLossModel: X has length 20, expected n·d_in = 11·2/);
  assert.throws(() => createMlpLossModel({ spec, X, Y, n: 10, wStar: new Float64Array(3) }), /wStar has length 3/);
  const model = createMlpLossModel({ spec, X, Y, n: 10, wStar: w });
  assert.deepEqual(model.wStar, w);
  assert.equal(model.dim, 13);
  assert.throws(() => model.lossAndGrad(w, Int32Array.of(0, 10)), /batch\[1\] = 10 is outside \[0, 10\)/);
  assert.throws(() => model.lossAndGrad(w, new Int32Array(0)), /batch is empty/);
  assert.throws(() => model.loss(new Float64Array(5)), /w has length 5, model has dim 13/);
  model.dispose();
  assert.throws(() => model.loss(w), /used after dispose/);
});
