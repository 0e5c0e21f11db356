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
