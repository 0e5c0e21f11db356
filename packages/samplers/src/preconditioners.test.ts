import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  initPreconditioner,
  preconditionerScale,
  resolvePreconditioner,
  updatePreconditioner,
  PRECONDITIONER_DEFAULTS,
  type PreconditionerState,
} from './preconditioners';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

function iterate(state: PreconditionerState, grads: Float64Array[], params: ReturnType<typeof resolvePreconditioner>) {
  let s = state;
  let last = null as ReturnType<typeof updatePreconditioner> | null;
  for (const g of grads) {
    last = updatePreconditioner(s, g, params);
    s = last.state;
  }
  return last!;
}

test('defaults: β1 = 0.9, β2 = 0.999, eps = 0.1 (devinterp), no bias correction, never frozen', () => {
  assert.deepEqual(resolvePreconditioner({}), { kind: 'none', ...PRECONDITIONER_DEFAULTS });
  assert.deepEqual(PRECONDITIONER_DEFAULTS, { beta1: 0.9, beta2: 0.999, eps: 0.1, biasCorrection: false, freezeAfter: null });
});

test('fresh state: t = 0, v = 1, m = 0 (Adam only)', () => {
  const r = initPreconditioner(3, 'rmsprop');
  assert.equal(r.t, 0);
  assert.deepEqual(Array.from(r.v), [1, 1, 1]);
  assert.equal(r.m, null);
  assert.deepEqual(Array.from(initPreconditioner(2, 'adam').m!), [0, 0]);
});

test('RMSProp with a constant gradient follows the closed form v_t = β2ᵗ + (1 − β2ᵗ)g², with and without bias correction', () => {
  const g = 0.3;
  for (const biasCorrection of [false, true]) {
    const params = resolvePreconditioner({ kind: 'rmsprop', beta2: 0.99, eps: 1e-3, biasCorrection });
    let s = initPreconditioner(1, 'rmsprop');
    for (let t = 1; t <= 3000; t++) {
      const u = updatePreconditioner(s, Float64Array.of(g), params);
      s = u.state;
      const b = 0.99 ** t;
      const v = b + (1 - b) * g * g;
      close(s.v[0], v, 1e-12, `v_${t}`);
      const vHat = biasCorrection ? v / (1 - b) : v;
      close(u.scale[0], 1 / (Math.sqrt(vHat) + 1e-3), 1e-12, `P_${t}`);
      assert.equal(u.drift[0], g);
    }
    // Both settings converge to 1/(|g| + eps) once 0.99ᵗ ≈ 1e-13.
    close(preconditionerScale(s, params)[0], 1 / (g + 1e-3), 1e-6, `P_3000 (biasCorrection ${biasCorrection})`);
  }
});

test('bias correction on vs off: very different at t = 1 (v₀ = 1 ⇒ v̂₁ ≈ 1/(1 − β2)), equal once β2ᵗ has decayed', () => {
  const on = resolvePreconditioner({ kind: 'rmsprop', biasCorrection: true });
  const off = resolvePreconditioner({ kind: 'rmsprop', biasCorrection: false });
  const g = Float64Array.of(0.05);
  const s1 = updatePreconditioner(initPreconditioner(1, 'rmsprop'), g, on).state;
  const ratio1 = preconditionerScale(s1, on)[0] / preconditionerScale(s1, off)[0];
  assert.ok(ratio1 < 0.1, `P ratio on/off at t = 1: ${ratio1}`);
  const late: PreconditionerState = { ...s1, t: 30_000 };
  close(preconditionerScale(late, on)[0], preconditionerScale(late, off)[0], 1e-9, 'P at t = 30000');
});

test('Adam: m̂ is the bias-corrected EMA of the gradients (exactly g for a constant g), drift = m̂', () => {
  const params = resolvePreconditioner({ kind: 'adam', beta1: 0.8 });
  const constant = iterate(initPreconditioner(2, 'adam'), Array.from({ length: 7 }, () => Float64Array.of(0.25, -2)), params);
  close(constant.drift[0], 0.25, 1e-14, 'm̂[0]');
  close(constant.drift[1], -2, 1e-14, 'm̂[1]');
  // Arbitrary sequence against the direct sum m_t = (1 − β1) Σ β1^{t−k} g_k.
  const gs = [0.3, -1.2, 0.7, 2.0, -0.4].map((x) => Float64Array.of(x));
  const u = iterate(initPreconditioner(1, 'adam'), gs, params);
  let m = 0;
  gs.forEach((g, k) => (m += 0.2 * 0.8 ** (gs.length - 1 - k) * g[0]));
  close(u.state.m![0], m, 1e-14, 'm_5');
  close(u.drift[0], m / (1 - 0.8 ** 5), 1e-14, 'm̂_5');
  assert.equal(u.state.t, 5);
});

test('updates are pure: inputs are untouched and the new state shares no mutable array with the old', () => {
  const params = resolvePreconditioner({ kind: 'adam' });
  const s0 = updatePreconditioner(initPreconditioner(2, 'adam'), Float64Array.of(1, 2), params).state;
  const snapshot = JSON.stringify([s0.t, Array.from(s0.v), Array.from(s0.m!)]);
  const g = Float64Array.of(0.5, -0.5);
  const a = updatePreconditioner(s0, g, params);
  const b = updatePreconditioner(s0, g, params);
  assert.equal(JSON.stringify([s0.t, Array.from(s0.v), Array.from(s0.m!)]), snapshot);
  assert.deepEqual(Array.from(g), [0.5, -0.5]);
  assert.notEqual(a.state.v, s0.v);
  assert.notEqual(a.state.m, s0.m);
  assert.deepEqual([Array.from(a.state.v), Array.from(a.scale), Array.from(a.drift)], [Array.from(b.state.v), Array.from(b.scale), Array.from(b.drift)]);
});

test('freezeAfter stops v (and P, bias correction included) but not Adam\'s first moment', () => {
  const params = resolvePreconditioner({ kind: 'adam', biasCorrection: true, freezeAfter: 3 });
  let s = initPreconditioner(1, 'adam');
  const scales: number[] = [];
  const ms: number[] = [];
  for (let t = 1; t <= 6; t++) {
    const u = updatePreconditioner(s, Float64Array.of(t), params);
    s = u.state;
    scales.push(u.scale[0]);
    ms.push(s.m![0]);
  }
  assert.equal(scales[3], scales[2]);
  assert.equal(scales[5], scales[2]);
  assert.notEqual(scales[2], scales[1]);
  assert.ok(ms[5] !== ms[4] && ms[4] !== ms[3]);
  assert.equal(s.t, 6);
});

test('invalid settings are rejected with the offending value', () => {
  assert.throws(() => resolvePreconditioner({ beta1: 1 }), /beta1 must be in \[0, 1\), got 1/);
  assert.throws(() => resolvePreconditioner({ beta2: -0.1 }), /beta2 must be in \[0, 1\), got -0.1/);
  assert.throws(() => resolvePreconditioner({ eps: 0 }), /eps must be a finite number > 0, got 0/);
  assert.throws(() => resolvePreconditioner({ freezeAfter: 1.5 }), /freezeAfter must be null or an integer ≥ 0, got 1.5/);
  assert.throws(() => resolvePreconditioner({ kind: 'sgd' as never }), /precondition must be 'none', 'rmsprop' or 'adam', got 'sgd'/);
  assert.throws(() => updatePreconditioner(initPreconditioner(1, 'rmsprop'), Float64Array.of(1), resolvePreconditioner({ kind: 'none' })), /kind 'none'/);
  assert.throws(() => updatePreconditioner(initPreconditioner(2, 'rmsprop'), Float64Array.of(1), resolvePreconditioner({ kind: 'rmsprop' })), /dimension 2, gradient 1/);
});
