import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, rngFromState, seedState } from './rng';

test('xoshiro128** matches the reference output for a known state', () => {
  // Reference: C xoshiro128** (Blackman & Vigna) from state {1, 2, 3, 4}.
  const rng = rngFromState(Uint32Array.of(1, 2, 3, 4));
  const out = Array.from({ length: 6 }, () => rng.nextUint32());
  assert.deepEqual(out, [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
});

test('same seed and stream give identical sequences; different streams differ', () => {
  const a = createRng(42, 'chain', 0);
  const b = createRng(42, 'chain', 0);
  const c = createRng(42, 'chain', 1);
  const xa = Array.from({ length: 5 }, () => a.uniform());
  const xb = Array.from({ length: 5 }, () => b.uniform());
  const xc = Array.from({ length: 5 }, () => c.uniform());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('state() round-trips: continuing from a saved state reproduces the stream', () => {
  const a = createRng(7);
  a.normal();
  const saved = a.state();
  const expected = [a.normal(), a.uniform(), a.int(10)];
  const b = rngFromState(saved);
  assert.deepEqual([b.normal(), b.uniform(), b.int(10)], expected);
  assert.deepEqual(seedState(7), createRng(7).state());
});

test('normals have mean 0 and variance 1; uniforms mean 1/2 (n = 200,000)', () => {
  const rng = createRng(1);
  const z = rng.fillNormal(new Float64Array(200_000));
  let s = 0, s2 = 0, s4 = 0;
  for (const v of z) { s += v; s2 += v * v; s4 += v ** 4; }
  const n = z.length;
  assert.ok(Math.abs(s / n) < 0.01, `mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.015, `var ${s2 / n}`);
  assert.ok(Math.abs(s4 / n - 3) < 0.1, `kurtosis ${s4 / n}`);
  let u = 0;
  for (let i = 0; i < n; i++) u += rng.uniform();
  assert.ok(Math.abs(u / n - 0.5) < 0.003);
});

test('bad seeds are rejected with the argument named', () => {
  assert.throws(() => createRng(1.5), /seed must be a safe integer, got 1.5/);
  assert.throws(() => createRng(1).int(0), /n must be a positive integer/);
});

/** Φ(b) − Φ(a) by composite Simpson on exp(−x²/2)/√(2π) (error < 1e-12 at this step). */
function normalMass(a: number, b: number): number {
  const lo = Math.max(a, -12), hi = Math.min(b, 12);
  if (hi <= lo) return 0;
  const m = 2 * Math.ceil((hi - lo) / 1e-3);
  const h = (hi - lo) / m;
  const f = (x: number) => Math.exp(-0.5 * x * x);
  let sum = f(lo) + f(hi);
  for (let i = 1; i < m; i++) sum += (i % 2 ? 4 : 2) * f(lo + i * h);
  return (sum * h) / 3 / Math.sqrt(2 * Math.PI);
}

test('ziggurat normals follow N(0, 1) bin by bin, tails included (χ² over 26 bins, n = 2,000,000)', () => {
  const edges = [-Infinity, -4, -3.654, -3.3, -3, -2.5, -2, -1.5, -1.2, -0.9, -0.6, -0.3, -0.1, 0, 0.1, 0.3, 0.6, 0.9, 1.2, 1.5, 2, 2.5, 3, 3.3, 3.654, 4, Infinity];
  const n = 2_000_000;
  const z = createRng(2024).fillNormal(new Float64Array(n));
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const v of z) {
    let k = 0;
    while (v >= edges[k + 1]) k++;
    counts[k]++;
  }
  let chi2 = 0;
  for (let k = 0; k < counts.length; k++) {
    const expected = n * normalMass(edges[k], edges[k + 1]);
    chi2 += (counts[k] - expected) ** 2 / expected;
  }
  // 25 degrees of freedom: the 0.999 quantile is 52.6.
  assert.ok(chi2 < 52.6, `χ² = ${chi2.toFixed(1)}; counts ${counts.join(',')}`);
  // The tail beyond R = 3.654 (its own code path): expected 2·n·(1 − Φ(R)) ≈ 516 draws.
  const tail = counts[0] + counts[1] + counts[counts.length - 1] + counts[counts.length - 2];
  const expectedTail = 2 * n * normalMass(3.654, Infinity);
  assert.ok(Math.abs(tail - expectedTail) < 4 * Math.sqrt(expectedTail), `tail ${tail} vs ${expectedTail.toFixed(0)}`);
});

test('fillNormal() draws exactly the stream of repeated normal() calls, rare paths included, and leaves the same state', () => {
  const a = createRng(3);
  const b = createRng(3);
  const filled = a.fillNormal(new Float64Array(200_000));
  for (let i = 0; i < filled.length; i++) {
    const z = b.normal();
    if (z !== filled[i]) assert.fail(`draw ${i}: normal() ${z}, fillNormal ${filled[i]}`);
  }
  assert.deepEqual(a.state(), b.state());
  // 200,000 draws take each rare path hundreds of times (tail beyond R: ~50; wedges: ~1%).
  assert.ok(filled.some((z) => Math.abs(z) > 3.6541528853610088));
});
