import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monomialPotential, monomialExactLlc } from './monomial';

test('monomial potential: loss, gradient against finite differences, exact λ', () => {
  const m = monomialPotential([4, 2]);
  const w = Float64Array.of(0.7, -0.3);
  assert.equal(m.loss(w), 0.5 * 0.7 ** 4 + 0.5 * 0.09);
  const { grad } = m.lossAndGrad(w);
  for (let i = 0; i < 2; i++) {
    const h = 1e-6;
    const up = Float64Array.from(w); up[i] += h;
    const dn = Float64Array.from(w); dn[i] -= h;
    assert.ok(Math.abs((m.loss(up) - m.loss(dn)) / (2 * h) - grad[i]) < 1e-8);
  }
  assert.equal(monomialExactLlc([4]), 0.25);
  assert.equal(monomialExactLlc([4, 2]), 0.75);
  assert.throws(() => monomialPotential([3]), /powers\[0\] must be an even integer ≥ 2, got 3/);
});
