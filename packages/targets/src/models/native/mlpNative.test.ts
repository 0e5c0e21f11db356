/**
 * The optional native kernel against the float64 reference, finite differences and the
 * simd kernel, for every instruction-set instance this CPU runs (LLC_NATIVE_ISA caps the
 * choice per model). Skipped, with the reason, when the addon is not built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlpLossF64 } from '../mlpReference';
import type { Activation, MlpSpec } from '../mlpSpec';
import { createSimdMlpLossModel } from '../simd/mlpSimd';
import { gradientEngine } from '../../artifact';
import { createNativeMlpLossModel, loadNativeAddon, nativeTanh, type NativeMlpLossModelOptions } from './mlpNative';
import { mlpProblem, relativeError, gatherRows, finiteDifferences, ACTIVATIONS, VARIANTS, assertGradientIntoOut } from '../../testing/modelTestKit';

const status = loadNativeAddon();
const skip = status.ok ? false : `native addon not built: ${status.why}`;

/** Every ISA instance: the best one, then capped (the same instance repeats on CPUs without AVX-512/AVX2). */
const ISAS = ['', 'avx2', 'sse2'];
function withIsa<T>(isa: string, fn: () => T): T {
  const before = process.env.LLC_NATIVE_ISA;
  process.env.LLC_NATIVE_ISA = isa;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env.LLC_NATIVE_ISA;
    else process.env.LLC_NATIVE_ISA = before;
  }
}
const create = (isa: string, o: NativeMlpLossModelOptions) => withIsa(isa, () => createNativeMlpLossModel(o));






test('every activation × bias × layerNorm, every ISA instance: float64 = reference and finite differences, float32 = simd', { skip }, () => {
  // Widths off every tile (narrow 6 and 2, wide 20), n not a multiple of the 64-row block.
  for (const activation of ACTIVATIONS) {
    for (const [bias, layerNorm] of VARIANTS) {
      const spec: MlpSpec = { widths: [5, 20, 6, 2], activation, bias, layerNorm };
      const label = `${activation}, bias ${bias}, layerNorm ${layerNorm}`;
      const n = 203;
      const { layout, X, Y, w, rng } = mlpProblem(spec, n, 1, 'mlp-native-test');
      const batch = Int32Array.from({ length: 70 }, () => rng.int(n));
      const all = Array.from({ length: layout.size }, (_, i) => i);
      const simd = createSimdMlpLossModel({ spec, X, Y, n, precision: 'float32' });
      const simdRef = [null, batch].map((rows) => simd.lossAndGrad(w, rows));
      simd.dispose();
      const fd = [null, batch].map((rows) => finiteDifferences(spec, w, rows ? gatherRows(X, 5, rows) : X, rows ? gatherRows(Y, 2, rows) : Y, all));
      for (const isa of ISAS) {
        const f64 = create(isa, { spec, X, Y, n, precision: 'float64' });
        const f32 = create(isa, { spec, X, Y, n, precision: 'float32' });
        const tag = `${label}, ${f64.isa}`;
        try {
          assert.equal(f64.dim, layout.size);
          const exact = mlpLossF64(layout, w, X, Y);
          assert.ok(Math.abs(f64.loss(w) - exact) <= 1e-13 * exact, `${tag}: loss ${f64.loss(w)} vs ${exact}`);
          [null, batch].forEach((rows, r) => {
            const reference = mlpLossF64(layout, w, rows ? gatherRows(X, 5, rows) : X, rows ? gatherRows(Y, 2, rows) : Y);
            const a = f64.lossAndGrad(w, rows);
            assert.ok(Math.abs(a.loss - reference) <= 1e-13 * reference, `${tag}: loss ${a.loss} vs ${reference}`);
            const err = relativeError(a.grad, fd[r]);
            assert.ok(err < 1e-7, `${tag}: float64 gradient vs finite differences ${err.toExponential(2)} (${rows ? 'minibatch' : 'full batch'})`);
            const b = f32.lossAndGrad(w, rows);
            assert.ok(Math.abs(b.loss - simdRef[r].loss) <= 5e-6 * simdRef[r].loss, `${tag}: float32 loss ${b.loss} vs simd ${simdRef[r].loss}`);
            const e32 = relativeError(b.grad, simdRef[r].grad);
            assert.ok(e32 < 5e-5, `${tag}: float32 gradient vs simd ${e32.toExponential(2)}`);
          });
        } finally {
          f64.dispose();
          f32.dispose();
        }
      }
    }
  }
});

test('the benchmark shapes (wide 32/128 panels, 1 output), every ISA instance, both precisions', { skip }, () => {
  for (const widths of [
    [8, 32, 32, 1],
    [16, 128, 128, 1],
    [16, 40, 33, 3],
  ]) {
    for (const activation of ['relu', 'gelu'] as Activation[]) {
      const spec: MlpSpec = { widths, activation, bias: true };
      const n = 300;
      const { layout, X, Y, w, rng } = mlpProblem(spec, n, 3, 'mlp-native-test');
      w.forEach((v, i) => (w[i] = v * 0.3));
      const batch = Int32Array.from({ length: 32 }, () => rng.int(n));
      const s64 = createSimdMlpLossModel({ spec, X, Y, n, precision: 'float64' });
      const s32 = createSimdMlpLossModel({ spec, X, Y, n, precision: 'float32' });
      for (const rows of [null, batch]) {
        const r64 = s64.lossAndGrad(w, rows);
        const r32 = s32.lossAndGrad(w, rows);
        for (const isa of ISAS) {
          const f64 = create(isa, { spec, X, Y, n, precision: 'float64' });
          const f32 = create(isa, { spec, X, Y, n, precision: 'float32' });
          const tag = `${widths.join('-')} ${activation} ${f64.isa} ${rows ? 'batch' : 'full'}`;
          const a = f64.lossAndGrad(w, rows);
          assert.ok(Math.abs(a.loss - r64.loss) <= 1e-13 * r64.loss, `${tag}: float64 loss ${a.loss} vs ${r64.loss}`);
          assert.ok(relativeError(a.grad, r64.grad) < 1e-12, `${tag}: float64 gradient vs simd float64 ${relativeError(a.grad, r64.grad)}`);
          const b = f32.lossAndGrad(w, rows);
          assert.ok(Math.abs(b.loss - r32.loss) <= 5e-6 * r32.loss, `${tag}: float32 loss ${b.loss} vs ${r32.loss}`);
          assert.ok(relativeError(b.grad, r32.grad) < 5e-5, `${tag}: float32 gradient vs simd ${relativeError(b.grad, r32.grad)}`);
          f64.dispose();
          f32.dispose();
        }
      }
      s64.dispose();
      s32.dispose();
      void layout;
    }
  }
});

test('loss accumulates in float64 at n = 1e5 (both precisions)', { skip }, () => {
  const n = 100_000;
  const spec: MlpSpec = { widths: [3, 4, 1], activation: 'tanh', bias: true };
  const { layout, X, Y, w } = mlpProblem(spec, n, 4, 'mlp-native-test');
  const f64 = createNativeMlpLossModel({ spec, X, Y, n, precision: 'float64' });
  const exact = mlpLossF64(layout, w, X, Y);
  assert.ok(Math.abs(f64.loss(w) - exact) <= 1e-12 * exact, `float64: ${f64.loss(w)} vs ${exact}`);
  f64.dispose();
  // w = 0: every residual is −y exactly, so the loss is mean(y²) of the float32 targets.
  const f32 = createNativeMlpLossModel({ spec, X, Y, n, precision: 'float32' });
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Y[i] * Y[i];
  const zero = new Float64Array(layout.size);
  assert.ok(Math.abs(f32.loss(zero) - sum / n) <= 1e-13 * (sum / n), `float32: ${f32.loss(zero)} vs ${sum / n}`);
  assert.ok(Math.abs(f32.lossAndGrad(zero).loss - sum / n) <= 1e-13 * (sum / n));
  f32.dispose();
});

test('deterministic: same inputs give the same bits, across calls and instances', { skip }, () => {
  const spec: MlpSpec = { widths: [6, 20, 20, 3], activation: 'gelu', bias: true, layerNorm: true };
  const n = 300;
  const { X, Y, w } = mlpProblem(spec, n, 5, 'mlp-native-test');
  const batch = Int32Array.from({ length: 50 }, (_, i) => (i * 37) % n);
  for (const precision of ['float32', 'float64'] as const) {
    const a = createNativeMlpLossModel({ spec, X, Y, n, precision });
    const b = createNativeMlpLossModel({ spec, X, Y, n, precision });
    const first = a.lossAndGrad(w, batch);
    a.lossAndGrad(w);
    const again = a.lossAndGrad(w, batch);
    const other = b.lossAndGrad(w, batch);
    for (const r of [again, other]) {
      assert.ok(Object.is(r.loss, first.loss), `${precision}: loss ${r.loss} vs ${first.loss}`);
      assert.deepEqual(r.grad, first.grad, precision);
    }
    assert.notEqual(again.grad, first.grad);
    a.dispose();
    b.dispose();
  }
});

test('kernel tanh is accurate to a few float64 ulp', { skip }, () => {
  let worst = 0;
  for (let i = -4000; i <= 4000; i++) {
    const x = i * 0.0061 + (i % 7) * 1e-9;
    for (const v of [x, x * 1e-6]) {
      const exact = Math.tanh(v);
      if (exact !== 0) worst = Math.max(worst, Math.abs(nativeTanh(v) - exact) / Math.abs(exact));
    }
  }
  assert.ok(worst < 1e-15, `max relative error ${worst}`);
  assert.equal(nativeTanh(30), 1);
});

test('bad arguments throw named errors', { skip }, () => {
  const spec: MlpSpec = { widths: [2, 3, 1], activation: 'relu', bias: true };
  const n = 10;
  const { X, Y, w } = mlpProblem(spec, n, 6, 'mlp-native-test');
  assert.throws(() => createNativeMlpLossModel({ spec, X, Y: Y.subarray(1), n }), /Error in createNativeMlpLossModel: Y has length 9/);
  assert.throws(() => createNativeMlpLossModel({ spec, X, Y, n, precision: 'float16' as never }), /precision must be one of float32\|float64, got float16/);
  const model = createNativeMlpLossModel({ spec, X, Y, n });
  assert.throws(() => model.lossAndGrad(w, Int32Array.of(0, 10)), /batch\[1\] = 10 is outside \[0, 10\)/);
  assert.throws(() => model.lossAndGrad(w, new Int32Array(0)), /batch is empty/);
  assert.throws(() => model.loss(w.subarray(1)), /w has length 12, model has dim 13/);
  model.dispose();
  assert.throws(() => model.loss(w), /used after dispose/);
});

test('not built: createNativeMlpLossModel and engine native name the fix', () => {
  if (status.ok) {
    // The message the user would see, pinned via the status gradientEngine is given.
    assert.throws(
      () => gradientEngine({ engine: 'native', native: { ok: false, why: 'the native addon is not built (no x); build it with `npm run build:native` (needs a C compiler, make and python3)' } }),
      /engine 'native' asked for, but the native addon is not built .*npm run build:native/,
    );
    return;
  }
  const spec: MlpSpec = { widths: [2, 3, 1], activation: 'relu', bias: true };
  const { X, Y } = mlpProblem(spec, 4, 7, 'mlp-native-test');
  assert.throws(() => createNativeMlpLossModel({ spec, X, Y, n: 4 }), /Error in createNativeMlpLossModel: .*npm run build:native/);
  assert.throws(() => gradientEngine({ engine: 'native' }), /npm run build:native/);
});

test("lossAndGrad(w, batch, out) writes the gradient into the caller's buffer and returns it; same values as a fresh call", { skip }, () => {
  const spec: MlpSpec = { widths: [3, 5, 2], activation: 'gelu', bias: true };
  const n = 40;
  const { X, Y, w } = mlpProblem(spec, n, 12, 'mlp-native-test');
  for (const precision of ['float32', 'float64'] as const) {
    const model = createNativeMlpLossModel({ spec, X, Y, n, precision });
    const batch = Int32Array.of(0, 9, 9, 39);
    assertGradientIntoOut(model, w, batch);
    model.dispose();
  }
});
