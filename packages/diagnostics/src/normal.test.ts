import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, normalQuantile } from './normal';
import { assertClose } from './testing/testUtil';

// Reference values from mpmath at 60 digits (sqrt(2)·erfinv(2p − 1) and ncdf),
// evaluated at the exact binary64 value of each argument (0.999999 is not exact).
const QUANTILES: Array<[number, number]> = [
  [1e-20, -9.2623400897984075796],
  [1e-10, -6.3613409024040561991],
  [0.001, -3.0902323061678135354],
  [0.05, -1.644853626951472688],
  [0.3, -0.52440051270804081597],
  [0.6, 0.25334710313579974132],
  [0.975, 1.9599639845400538556],
  [0.999999, 4.7534243088170877657],
];

test('Φ⁻¹ matches the brief: Φ⁻¹(0.975) = 1.959963984540054, Φ⁻¹(1e-10) = −6.361340902404056', () => {
  assertClose(normalQuantile(0.975), 1.959963984540054, 1e-15);
  assertClose(normalQuantile(1e-10), -6.361340902404056, 1e-15);
});

test('Φ⁻¹ is accurate to 1e-15 relative in all three AS241 regions', () => {
  for (const [p, z] of QUANTILES) assertClose(normalQuantile(p), z, 1e-15, `Φ⁻¹(${p})`);
});

test('Φ⁻¹ edge values, symmetry and argument errors', () => {
  assert.equal(normalQuantile(0.5), 0);
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
  for (const p of [0.01, 0.2, 0.4, 0.49]) assert.equal(normalQuantile(1 - p), -normalQuantile(1 - (1 - p)));
  assert.throws(() => normalQuantile(1.5), /Error in normalQuantile: p must be in \[0, 1\], got 1.5/);
  assert.throws(() => normalQuantile(NaN), /got NaN/);
});

test('Φ is accurate to 5e-15 relative, including the far lower tail', () => {
  const cases: Array<[number, number]> = [
    [-30, 4.9067139271481870595e-198],
    [-10, 7.619853024160526066e-24],
    [-3, 0.0013498980316300945267],
    [-1.2, 0.11506967022170827665],
    [-0.5, 0.30853753872598689636],
    [0.7, 0.75803634777692697138],
    [2.5, 0.99379033467422386483],
    [6, 0.99999999901341235496],
  ];
  for (const [x, p] of cases) assertClose(normalCdf(x), p, 5e-15, `Φ(${x})`);
  assert.equal(normalCdf(0), 0.5);
  assert.equal(normalCdf(-Infinity), 0);
  assert.equal(normalCdf(Infinity), 1);
});

test('Φ(Φ⁻¹(p)) round-trips to ~1e-14 relative across the range', () => {
  for (let e = -15; e <= -1; e++) {
    for (const m of [1, 3, 7]) {
      const p = m * 10 ** e;
      if (p >= 1) continue;
      assertClose(normalCdf(normalQuantile(p)), p, 1e-13, `p = ${p}`);
    }
  }
});
