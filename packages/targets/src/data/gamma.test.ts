import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import { sampleChiSquared, sampleGamma } from './gamma';
import { assertBinomial, assertWithin, meanOf, normalTwoSidedTail } from '../testing/statsForTests';

const N = 100_000;

test('Gamma(a) has mean a and variance a (a < 1 through the boost, a ≥ 1 Marsaglia–Tsang)', () => {
  for (const a of [0.3, 1, 2.5, 7]) {
    const rng = createRng(1, 'gamma', a);
    const g = Float64Array.from({ length: N }, () => sampleGamma(a, rng));
    assert.ok(g.every((v) => v > 0 && Number.isFinite(v)));
    const m = meanOf(g, (v) => v);
    const v = meanOf(g, (x) => (x - m) ** 2);
    assertWithin(m, a, Math.sqrt(a / N), `mean of Gamma(${a})`);
    // Var of the sample variance ≈ (μ4 − σ⁴)/n with μ4 = 3a² + 6a for Gamma(a).
    assertWithin(v, a, Math.sqrt((2 * a * a + 6 * a) / N), `variance of Gamma(${a})`);
  }
});

test('distribution checks: Gamma(1) is Exp(1), χ²_1 is Z²', () => {
  const rng = createRng(2, 'gamma');
  let above2 = 0;
  for (let i = 0; i < N; i++) if (sampleGamma(1, rng) > 2) above2++;
  assertBinomial(above2, N, Math.exp(-2), 'P(Gamma(1) > 2)');
  for (const t of [0.5, 1, 2]) {
    const chi = createRng(3, 'chi2', t);
    let above = 0;
    for (let i = 0; i < N; i++) if (sampleChiSquared(1, chi) > t * t) above++;
    assertBinomial(above, N, normalTwoSidedTail(t), `P(χ²_1 > ${t * t})`);
  }
});

test('seeded streams give identical variates; bad parameters are named', () => {
  const a = createRng(4, 'g');
  const b = createRng(4, 'g');
  for (let i = 0; i < 1000; i++) assert.equal(sampleChiSquared(3.5, a), sampleChiSquared(3.5, b));
  assert.throws(() => sampleGamma(0, a), /Error in sampleGamma: shape must be a finite number > 0, got 0/);
  assert.throws(() => sampleChiSquared(-1, a), /Error in sampleChiSquared: df must be a finite number > 0, got -1/);
  assert.throws(() => sampleGamma(Infinity, a), /shape must be a finite number > 0/);
});
