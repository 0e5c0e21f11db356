import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initEngine } from '../../engine/backend';
import { createMlpLossModel } from '../mlp';
import { mlpLossF64 } from '../mlpReference';
import type { Activation, MlpSpec } from '../mlpSpec';
import { createSimdMlpLossModel, kernelInstance } from './mlpSimd';
import { mlpProblem, relativeError, gatherRows, finiteDifferences, ACTIVATIONS, VARIANTS, assertGradientIntoOut } from '../../testing/modelTestKit';

before(async () => {
  await initEngine();
});






for (const activation of ACTIVATIONS) {
  for (const [bias, layerNorm] of VARIANTS) {
    const label = `${activation}, bias ${bias}, layerNorm ${layerNorm}`;
    // Widths off the 4-row × 8-column tiles, two outputs, n not a multiple of the 64-row block.
    const spec: MlpSpec = { widths: [5, 9, 6, 2], activation, bias, layerNorm };
    const n = 203;

    test(`float64 kernel = float64 reference and finite differences: ${label}, full batch and minibatch`, () => {
      const { layout, X, Y, w, rng } = mlpProblem(spec, n, 1, 'mlp-simd-test');
      const model = createSimdMlpLossModel({ spec, X, Y, n, precision: 'float64' });
      try {
        assert.equal(model.dim, layout.size);
        const exact = mlpLossF64(layout, w, X, Y);
        assert.ok(Math.abs(model.loss(w) - exact) <= 1e-13 * exact, `loss ${model.loss(w)} vs ${exact}`);
        const batch = Int32Array.from({ length: 70 }, () => rng.int(n));
        const all = Array.from({ length: layout.size }, (_, i) => i);
        for (const rows of [null, batch]) {
          const Xb = rows === null ? X : gatherRows(X, 5, rows);
          const Yb = rows === null ? Y : gatherRows(Y, 2, rows);
          const { loss, grad } = model.lossAndGrad(w, rows);
          const reference = mlpLossF64(layout, w, Xb, Yb);
          assert.ok(Math.abs(loss - reference) <= 1e-13 * reference, `loss ${loss} vs ${reference}`);
          const err = relativeError(grad, finiteDifferences(spec, w, Xb, Yb, all));
          assert.ok(err < 1e-7, `gradient relative error ${err.toExponential(2)} (${rows ? 'minibatch' : 'full batch'})`);
        }
      } finally {
        model.dispose();
      }
    });

    test(`float32 kernel = tfjs createMlpLossModel: ${label}, full batch and minibatch`, () => {
      const { X, Y, w, rng } = mlpProblem(spec, n, 2, 'mlp-simd-test');
      const ours = createSimdMlpLossModel({ spec, X, Y, n });
      const tfjs = createMlpLossModel({ spec, X, Y, n });
      try {
        assert.equal(ours.precision, 'float32');
        const batch = Int32Array.from({ length: 64 }, () => rng.int(n));
        for (const rows of [null, batch]) {
          const a = ours.lossAndGrad(w, rows);
          const b = tfjs.lossAndGrad(w, rows);
          assert.ok(Math.abs(a.loss - b.loss) <= 2e-6 * b.loss, `loss ${a.loss} vs ${b.loss}`);
          const err = relativeError(a.grad, b.grad);
          assert.ok(err < 2e-5, `gradient relative error ${err.toExponential(2)} (${rows ? 'minibatch' : 'full batch'})`);
        }
        assert.ok(Math.abs(ours.loss(w) - tfjs.loss(w)) <= 2e-6 * tfjs.loss(w));
      } finally {
        ours.dispose();
        tfjs.dispose();
      }
    });
  }
}

test('wide layers (several 4 × 8 tiles and panels, one output): both precisions match their references', () => {
  for (const activation of ['relu', 'gelu'] as Activation[]) {
    const spec: MlpSpec = { widths: [16, 40, 33, 1], activation, bias: true };
    const n = 517;
    const { layout, X, Y, w, rng } = mlpProblem(spec, n, 3, 'mlp-simd-test');
    w.forEach((v, i) => (w[i] = v * 0.4));
    const f64 = createSimdMlpLossModel({ spec, X, Y, n, precision: 'float64' });
    const f32 = createSimdMlpLossModel({ spec, X, Y, n, precision: 'float32' });
    const tfjs = createMlpLossModel({ spec, X, Y, n });
    try {
      const coords = Array.from({ length: 60 }, () => rng.int(layout.size));
      const g = f64.lossAndGrad(w).grad;
      const fd = finiteDifferences(spec, w, X, Y, coords);
      const err = relativeError(coords.map((i) => g[i]), fd);
      assert.ok(err < 1e-7, `${activation}: float64 gradient vs finite differences ${err.toExponential(2)}`);
      const a = f32.lossAndGrad(w);
      const b = tfjs.lossAndGrad(w);
      assert.ok(Math.abs(a.loss - b.loss) <= 2e-6 * b.loss, `${activation}: loss ${a.loss} vs ${b.loss}`);
      assert.ok(relativeError(a.grad, b.grad) < 2e-5, `${activation}: float32 gradient vs tfjs ${relativeError(a.grad, b.grad)}`);
    } finally {
      f64.dispose();
      f32.dispose();
      tfjs.dispose();
    }
  }
});

test('loss accumulates in float64 at n = 1e5 (both precisions)', () => {
  const n = 100_000;
  const spec: MlpSpec = { widths: [3, 4, 1], activation: 'tanh', bias: true };
  const { layout, X, Y, w } = mlpProblem(spec, n, 4, 'mlp-simd-test');
  // Float64: against the plain float64 reference.
  const f64 = createSimdMlpLossModel({ spec, X, Y, n, precision: 'float64' });
  const exact = mlpLossF64(layout, w, X, Y);
  assert.ok(Math.abs(f64.loss(w) - exact) <= 1e-12 * exact, `float64: ${f64.loss(w)} vs ${exact}`);
  f64.dispose();
  // Float32: with w = 0 every residual is −y exactly, so the loss is mean(y²) over the
  // float32 targets, which a float32 accumulator would miss by ~1e-4 at this n.
  const f32 = createSimdMlpLossModel({ spec, X, Y, n, precision: 'float32' });
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Y[i] * Y[i];
  const zero = new Float64Array(layout.size);
  assert.ok(Math.abs(f32.loss(zero) - sum / n) <= 1e-13 * (sum / n), `float32: ${f32.loss(zero)} vs ${sum / n}`);
  assert.ok(Math.abs(f32.lossAndGrad(zero).loss - sum / n) <= 1e-13 * (sum / n));
  f32.dispose();
});

test('deterministic: same inputs give the same bits, across calls and instances', () => {
  const spec: MlpSpec = { widths: [6, 20, 20, 3], activation: 'gelu', bias: true, layerNorm: true };
  const n = 300;
  const { X, Y, w } = mlpProblem(spec, n, 5, 'mlp-simd-test');
  const batch = Int32Array.from({ length: 50 }, (_, i) => (i * 37) % n);
  for (const precision of ['float32', 'float64'] as const) {
    const a = createSimdMlpLossModel({ spec, X, Y, n, precision });
    const b = createSimdMlpLossModel({ spec, X, Y, n, precision });
    const first = a.lossAndGrad(w, batch);
    a.lossAndGrad(w);
    const again = a.lossAndGrad(w, batch);
    const other = b.lossAndGrad(w, batch);
    for (const r of [again, other]) {
      assert.ok(Object.is(r.loss, first.loss), `${precision}: loss ${r.loss} vs ${first.loss}`);
      assert.deepEqual(r.grad, first.grad, precision);
    }
    // The returned gradient is the caller's: a later call does not overwrite it.
    assert.notEqual(again.grad, first.grad);
    a.dispose();
    b.dispose();
  }
});

test('kernel tanh is accurate to a few float64 ulp', () => {
  const k = kernelInstance('float64');
  let worst = 0;
  for (let i = -4000; i <= 4000; i++) {
    const x = i * 0.0061 + (i % 7) * 1e-9;
    for (const v of [x, x * 1e-6]) {
      const exact = Math.tanh(v);
      if (exact !== 0) worst = Math.max(worst, Math.abs(k.tanh_f64(v) - exact) / Math.abs(exact));
    }
  }
  assert.ok(worst < 1e-15, `max relative error ${worst}`);
  assert.equal(k.tanh_f64(30), 1);
  assert.equal(k.tanh_f64(-30), -1);
});

test('bad arguments throw named errors', () => {
  const spec: MlpSpec = { widths: [2, 3, 1], activation: 'relu', bias: true };
  const n = 10;
  const { X, Y, w } = mlpProblem(spec, n, 6, 'mlp-simd-test');
  assert.throws(() => createSimdMlpLossModel({ spec, X, Y: Y.subarray(1), n }), /Error in createSimdMlpLossModel: Y has length 9/);
  assert.throws(
    () => createSimdMlpLossModel({ spec, X, Y, n, precision: 'float16' as never }),
    /precision must be one of float32\|float64, got float16/,
  );
  const model = createSimdMlpLossModel({ spec, X, Y, n });
  assert.throws(() => model.lossAndGrad(w, Int32Array.of(0, 10)), /batch\[1\] = 10 is outside \[0, 10\)/);
  assert.throws(() => model.lossAndGrad(w, new Int32Array(0)), /batch is empty/);
  assert.throws(() => model.loss(w.subarray(1)), /w has length 12, model has dim 13/);
  model.dispose();
  assert.throws(() => model.loss(w), /used after dispose/);
});

test("lossAndGrad(w, batch, out) writes the gradient into the caller's buffer and returns it; same values as a fresh call", () => {
  const spec: MlpSpec = { widths: [3, 5, 2], activation: 'tanh', bias: true };
  const n = 40;
  const { X, Y, w } = mlpProblem(spec, n, 11, 'mlp-simd-test');
  for (const precision of ['float32', 'float64'] as const) {
    const model = createSimdMlpLossModel({ spec, X, Y, n, precision });
    const batch = Int32Array.of(3, 7, 7, 30);
    assertGradientIntoOut(model, w, batch);
    model.dispose();
  }
});
