import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxGradientError } from '../testing/gradientCheck';
import { normalCrossingLlc } from './normalCrossing';
import { scalarChainLlc, scalarChainPotential } from './scalarChain';

test('scalar chain ½(w_1⋯w_L)²: loss and gradient (also with a zero factor)', () => {
  const m = scalarChainPotential(3);
  const w = Float64Array.of(0.9, -1.4, 0.6);
  assert.ok(Math.abs(m.loss(w) - 0.5 * (0.9 * 1.4 * 0.6) ** 2) < 1e-15);
  assert.ok(maxGradientError(m, w) < 1e-8);
  assert.ok(maxGradientError(m, Float64Array.of(0, 1.2, -0.7)) < 1e-8);
  assert.deepEqual(scalarChainPotential(1).lossAndGrad(Float64Array.of(2)), { loss: 2, grad: Float64Array.of(2) });
});

test('scalar chain λ (DLN [1,…,1], r = 0): ½ with m = L, as the normal crossing Π w_i²', () => {
  assert.deepEqual(scalarChainLlc(1), { lambda: 0.5, multiplicity: 1 });
  assert.deepEqual(scalarChainLlc(2), { lambda: 0.5, multiplicity: 2 });
  for (let L = 1; L <= 6; L++) assert.deepEqual(scalarChainLlc(L), normalCrossingLlc(new Array(L).fill(1)));
  assert.throws(() => scalarChainPotential(0), /depth must be a positive integer, got 0/);
});
