import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dualAveraging from './dualAveraging';

test('dual averaging starts at ε0 with μ = log(10ε0) and matches Hoffman & Gelman (2014) eq. by hand', () => {
  const s0 = dualAveraging.init(0.5);
  assert.equal(dualAveraging.current(s0), 0.5);
  assert.ok(Math.abs(s0.mu - Math.log(5)) < 1e-15);
  const s1 = dualAveraging.update(s0, 0.3, { targetAcceptance: 0.8 });
  // t = 1: H̄ = (0.8 − 0.3)/11, x = μ − √1/0.05·H̄, x̄ = x (weight 1^−0.75 = 1).
  const hbar = 0.5 / 11;
  assert.ok(Math.abs(s1.errorAvg - hbar) < 1e-15);
  assert.ok(Math.abs(s1.logStepSize - (Math.log(5) - 20 * hbar)) < 1e-14);
  assert.ok(Math.abs(s1.logStepSizeAvg - s1.logStepSize) < 1e-15);
  assert.equal(s0.count, 0, 'input state untouched');
});

test('dual averaging converges to the step size whose acceptance is the target', () => {
  // Deterministic acceptance α(ε) = exp(−ε): the target 0.8 is reached at ε* = ln(1/0.8).
  let s = dualAveraging.init(1);
  for (let i = 0; i < 5000; i++) s = dualAveraging.update(s, Math.exp(-dualAveraging.current(s)), { targetAcceptance: 0.8 });
  const eps = dualAveraging.final(s);
  assert.ok(Math.abs(eps - Math.log(1 / 0.8)) < 0.01 * Math.log(1 / 0.8), `ε̄ = ${eps}`);
  // A non-finite acceptance counts as a rejection (step too large), never as NaN.
  const bad = dualAveraging.update(dualAveraging.init(1), Number.NaN, { targetAcceptance: 0.8 });
  assert.ok(Number.isFinite(bad.logStepSize) && bad.logStepSize < Math.log(10));
});
