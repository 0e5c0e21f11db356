import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxGradientError } from '../testing/gradientCheck';
import { quadraticExactLlc, quadraticPotential, quadraticUlaLlc } from './quadratic';

test('quadratic potential: loss, gradient against finite differences, centre', () => {
  const q = quadraticPotential([1, 4, 0.5]);
  const w = Float64Array.of(0.3, -1.2, 2);
  assert.equal(q.dim, 3);
  assert.equal(q.n, 1);
  assert.ok(Math.abs(q.loss(w) - (0.5 * 0.09 + 2 * 1.44 + 0.25 * 4)) < 1e-15);
  assert.ok(maxGradientError(q, w) < 1e-8);
  const c = quadraticPotential([2], Float64Array.of(1), 50);
  assert.equal(c.loss(Float64Array.of(1)), 0);
  assert.equal(c.n, 50);
});

test('quadratic λ: docs/SCIENCE.md §3 example and the flat-prior limit d/2', () => {
  // d = 3, h = 1, γ = 1, t = 100: 3·½·100/101.
  assert.ok(Math.abs(quadraticExactLlc([1, 1, 1], 100, 1) - 1.485149) < 5e-7);
  assert.ok(Math.abs(quadraticUlaLlc([1, 1, 1], 100, 1, 1e-3) - 1.52362) < 5e-6);
  assert.equal(quadraticExactLlc([1, 3, 7, 0.2], 1e3, 0), 2);
});
