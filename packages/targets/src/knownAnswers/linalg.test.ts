import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import { matMul, numericalRank, randomOrthonormalColumns, singularValues } from './linalg';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('matMul: small hand example', () => {
  // [1 2; 3 4]·[5; 6] = [17; 39]
  assert.deepEqual(matMul([1, 2, 3, 4], [5, 6], 2, 2, 1), Float64Array.of(17, 39));
  assert.throws(() => matMul([1, 2, 3], [5, 6], 2, 2, 1), /a has length 3/);
});

test('singularValues: known spectra in both orientations', () => {
  // diag(3, 1) embedded in 2×3: σ = (3, 1).
  // The same matrix transposed, [0 1; 3 0; 0 0], exercises the tall orientation.
  for (const sv of [singularValues([0, 3, 0, 1, 0, 0], 2, 3), singularValues([0, 1, 3, 0, 0, 0], 3, 2)]) {
    assert.equal(sv.length, 2);
    close(sv[0], 3);
    close(sv[1], 1);
  }
  // [1 1; 1 1] has σ = (2, 0).
  const b = singularValues([1, 1, 1, 1], 2, 2);
  close(b[0], 2);
  assert.ok(b[1] < 1e-15);
  // Σσ² = ‖A‖_F² on a random matrix.
  const rng = createRng(3, 'svd');
  const c = rng.fillNormal(new Float64Array(5 * 4));
  const sc = singularValues(c, 5, 4);
  close(sc.reduce((s, x) => s + x * x, 0), c.reduce((s, x) => s + x * x, 0), 1e-12);
});

test('numericalRank: exact low-rank products and the zero matrix', () => {
  const rng = createRng(5, 'rank');
  for (const [m, k, n] of [[6, 2, 5], [4, 1, 7], [5, 3, 5], [3, 3, 3]]) {
    const a = rng.fillNormal(new Float64Array(m * k));
    const b = rng.fillNormal(new Float64Array(k * n));
    assert.equal(numericalRank(matMul(a, b, m, k, n), m, n), k, `${m}×${k}·${k}×${n}`);
  }
  assert.equal(numericalRank(new Float64Array(12), 3, 4), 0);
});

test('randomOrthonormalColumns: QᵀQ = I to rounding', () => {
  const q = randomOrthonormalColumns(createRng(9, 'q'), 7, 4);
  for (let a = 0; a < 4; a++) {
    for (let b = 0; b < 4; b++) {
      let dot = 0;
      for (let i = 0; i < 7; i++) dot += q[i * 4 + a] * q[i * 4 + b];
      close(dot, a === b ? 1 : 0, 1e-14);
    }
  }
  assert.equal(randomOrthonormalColumns(createRng(9, 'q'), 3, 0).length, 0);
  assert.throws(() => randomOrthonormalColumns(createRng(9, 'q'), 3, 4), /r must be an integer in \[0, rows = 3\], got 4/);
});
