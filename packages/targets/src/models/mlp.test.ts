import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@llc/core/random/rng';
import { initEngine } from '../engine/backend';
import { createMlpLossModel, mlpPredict } from './mlp';
import { mlpLossAndGradAutodiff } from './mlpAutodiff';
import { activateF64, hiddenUnitCount, mlpForwardF64, mlpLossF64 } from './mlpReference';
import { mlpLayout, type Activation, type MlpSpec } from './mlpSpec';
import { mlpProblem, relativeError } from '../testing/modelTestKit';

before(async () => {
  await initEngine();
});



for (const activation of ['relu', 'tanh', 'gelu', 'identity'] as Activation[]) {
  for (const [bias, layerNorm] of [[true, false], [false, false], [true, true], [false, true]]) {
    test(`explicit gradient matches tf.grad: ${activation}, bias ${bias}, layerNorm ${layerNorm}, full batch and minibatch`, () => {
      const spec: MlpSpec = { widths: [5, 7, 6, 2], activation, bias, layerNorm };
      const n = 300;
      const { layout, X, Y, w, rng } = mlpProblem(spec, n, 1, 'mlp-test');
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

test('gradient matches float64 central finite differences on a tiny model (incl. gelu and layer norm)', () => {
  const cases: Array<[Activation, boolean]> = [['relu', false], ['tanh', false], ['gelu', false], ['tanh', true], ['gelu', true], ['relu', true]];
  for (const [activation, layerNorm] of cases) {
    const spec: MlpSpec = { widths: [3, 4, 3, 2], activation, bias: true, layerNorm };
    const n = 20;
    const { layout, X, Y, w } = mlpProblem(spec, n, 2, 'mlp-test');
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
      assert.ok(err < 1e-4, `${activation}, layerNorm ${layerNorm}: finite-difference relative error ${err.toExponential(2)}`);
    } finally {
      model.dispose();
    }
  }
});

test('no tensors leak over 10,000 loss/lossAndGrad calls', () => {
  const spec: MlpSpec = { widths: [2, 3, 1], activation: 'relu', bias: true };
  const n = 32;
  const { X, Y, w, rng } = mlpProblem(spec, n, 3, 'mlp-test');
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
  const { layout, X, Y, w } = mlpProblem(spec, n, 4, 'mlp-test');
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
  for (const [activation, layerNorm] of [['tanh', false], ['gelu', false], ['relu', true], ['gelu', true]] as Array<[Activation, boolean]>) {
    const spec: MlpSpec = { widths: [4, 5, 6, 3], activation, bias: true, layerNorm };
    const { layout, X, w } = mlpProblem(spec, 50, 5, 'mlp-test');
    const pred = mlpPredict(layout, w, X);
    const reference = mlpForwardF64(layout, w, X);
    assert.equal(pred.length, 150);
    const err = relativeError(pred, reference);
    assert.ok(err < 1e-5, `${activation}, layerNorm ${layerNorm}: ${err.toExponential(2)}`);
  }
});

test('float64 reference: gelu values, layer-norm statistics, hidden scaling', () => {
  // Known values of the tanh-approximate GELU (PyTorch approximate='tanh').
  assert.equal(activateF64('gelu', 0), 0);
  assert.ok(Math.abs(activateF64('gelu', 1) - 0.8411919906082768) < 1e-15);
  assert.ok(Math.abs(activateF64('gelu', -1) - -0.15880800939172324) < 1e-15);
  assert.ok(Math.abs(activateF64('gelu', 10) - 10) < 1e-12 && Math.abs(activateF64('gelu', -10)) < 1e-12);
  // Identity activation, gain 1, shift 0, identity-like second layer: the output row is the
  // normalised hidden row, so it has mean 0 and variance v/(v + ε) over units.
  const spec: MlpSpec = { widths: [2, 4, 4], activation: 'identity', bias: false, layerNorm: true };
  const layout = mlpLayout(spec);
  const w = new Float64Array(layout.size);
  const rng = createRng(9, 'ln');
  for (let k = 0; k < 8; k++) w[k] = rng.normal();
  const norm = layout.layers[0].norm!;
  w.fill(1, norm.gainOffset, norm.gainOffset + 4);
  for (let j = 0; j < 4; j++) w[layout.layers[1].wOffset + j * 4 + j] = 1;
  const X = Float64Array.of(0.3, -1.2, 2, 0.5);
  const out = mlpForwardF64(layout, w, X);
  for (let r = 0; r < 2; r++) {
    const row = out.subarray(r * 4, r * 4 + 4);
    const mean = row.reduce((s, v) => s + v, 0) / 4;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / 4;
    assert.ok(Math.abs(mean) < 1e-15, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 1e-3, `variance ${variance}`);
  }
  // hiddenScale multiplies hidden outputs: scale 0 on every unit leaves the output bias only.
  const layout2 = mlpLayout({ widths: [2, 3, 1], activation: 'relu', bias: true });
  const w2 = createRng(9, 'scale').fillNormal(new Float64Array(layout2.size));
  assert.equal(hiddenUnitCount(layout2), 3);
  const zeroed = mlpForwardF64(layout2, w2, X, { hiddenScale: new Float64Array(6) });
  assert.deepEqual(Array.from(zeroed), [w2[layout2.layers[1].bOffset!], w2[layout2.layers[1].bOffset!]]);
  assert.deepEqual(mlpForwardF64(layout2, w2, X, { hiddenScale: new Float64Array(6).fill(1) }), mlpForwardF64(layout2, w2, X));
  assert.throws(() => mlpForwardF64(layout2, w2, X, { hiddenScale: new Float64Array(5) }), /hiddenScale has length 5, expected rows·Σhidden = 2·3/);
});

test('bad inputs are rejected with named messages', () => {
  const spec: MlpSpec = { widths: [2, 3, 1], activation: 'relu', bias: true };
  const { X, Y, w } = mlpProblem(spec, 10, 6, 'mlp-test');
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
