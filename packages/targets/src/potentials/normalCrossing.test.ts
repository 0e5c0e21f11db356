import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxGradientError } from '../testing/gradientCheck';
import { normalCrossingLlc, normalCrossingPotential } from './normalCrossing';

test('normal crossing Π w_i^{2k_i}: loss and gradient (also on a coordinate hyperplane)', () => {
  const m = normalCrossingPotential([1, 2, 1]);
  const w = Float64Array.of(0.7, -1.1, 1.3);
  assert.ok(Math.abs(m.loss(w) - 0.49 * 1.1 ** 4 * 1.69) < 1e-14);
  assert.ok(maxGradientError(m, w) < 1e-8);
  // w_1 = 0: only ∂/∂w_1 is non-zero when k_1 = 1 (computed without dividing by w_1).
  const z = Float64Array.of(0, 0.8, -0.9);
  assert.ok(maxGradientError(m, z) < 1e-8);
  assert.equal(m.lossAndGrad(z).grad[1], 0);
  assert.deepEqual(m.lossAndGrad(new Float64Array(3)), { loss: 0, grad: new Float64Array(3) });
});

test('normal crossing λ = min 1/(2k_i), m = number attaining it', () => {
  assert.deepEqual(normalCrossingLlc([1]), { lambda: 0.5, multiplicity: 1 });
  assert.deepEqual(normalCrossingLlc([1, 2]), { lambda: 0.25, multiplicity: 1 });
  assert.deepEqual(normalCrossingLlc([2, 2, 1]), { lambda: 0.25, multiplicity: 2 });
  assert.deepEqual(normalCrossingLlc([1, 1, 1]), { lambda: 0.5, multiplicity: 3 });
  assert.deepEqual(normalCrossingLlc([3, 1, 3, 3]), { lambda: 1 / 6, multiplicity: 3 });
});

test('normal crossing: argument errors', () => {
  assert.throws(() => normalCrossingPotential([]), /k must list at least one exponent/);
  assert.throws(() => normalCrossingPotential([1, 0]), /k\[1\] must be a positive integer, got 0/);
  assert.throws(() => normalCrossingLlc([1.5]), /Error in normalCrossingLlc: k\[0\] must be a positive integer, got 1.5/);
});
