import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fftInPlace } from './fft';
import {
  autocovariance,
  averageRanks,
  essBasic,
  foldDraws,
  guardDraws,
  quantileSorted,
  rhatBasic,
  splitChains,
  toMatrix,
  zScale,
} from './kernels';
import { normalQuantile } from './normal';
import { arChains } from './testing/testVectors';
import { assertClose } from './testing/testUtil';

const m = (rows: number[][]): Float64Array[] => rows.map((r) => Float64Array.from(r));

function directAutocov(y: ArrayLike<number>): number[] {
  const n = y.length;
  let mu = 0;
  for (let i = 0; i < n; i++) mu += y[i] / n;
  return Array.from({ length: n }, (_, k) => {
    let s = 0;
    for (let t = 0; t + k < n; t++) s += (y[t] - mu) * (y[t + k] - mu);
    return s / n;
  });
}

test('fftInPlace matches a direct DFT and inverts (unnormalised)', () => {
  const n = 16;
  const x = arChains(1, n, 0.5, 0, () => 7)[0];
  const re = Float64Array.from(x);
  const im = new Float64Array(n);
  fftInPlace(re, im);
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      sr += x[t] * Math.cos((2 * Math.PI * k * t) / n);
      si -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
    }
    assert.ok(Math.abs(re[k] - sr) < 1e-12 && Math.abs(im[k] - si) < 1e-12, `bin ${k}`);
  }
  fftInPlace(re, im, true);
  for (let t = 0; t < n; t++) assert.ok(Math.abs(re[t] / n - x[t]) < 1e-14 && Math.abs(im[t] / n) < 1e-14);
  assert.throws(() => fftInPlace(new Float64Array(12), new Float64Array(12)), /power of two, got 12/);
});

test('FFT autocovariance equals direct O(n²) sums to 1e-12 of lag 0 for many lengths', () => {
  for (const n of [1, 2, 3, 4, 5, 7, 16, 17, 31, 100, 333, 1000]) {
    const y = arChains(1, n, 0.7, 0, () => n)[0].map((v) => v + 3); // offset exercises centring
    const fast = autocovariance(y);
    const slow = directAutocov(y);
    for (let k = 0; k < n; k++) {
      assert.ok(Math.abs(fast[k] - slow[k]) <= 1e-12 * slow[0], `n=${n} lag ${k}: ${fast[k]} vs ${slow[k]}`);
    }
  }
  assert.deepEqual(Array.from(autocovariance([2, 2, 2])), [0, 0, 0]);
});

test('splitChains keeps first and last ⌊n/2⌋ draws, dropping the middle for odd n', () => {
  assert.deepEqual(splitChains(m([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]])).map((c) => Array.from(c)), [[1, 2], [6, 7], [4, 5], [9, 10]]);
  assert.deepEqual(splitChains(m([[1, 2, 3, 4]])).map((c) => Array.from(c)), [[1, 2], [3, 4]]);
  assert.deepEqual(splitChains(m([[5], [6]])).map((c) => Array.from(c)), [[5], [6]]);
});

test('averageRanks gives ties their average rank; zScale uses Blom (r − 3/8)/(S + 1/4)', () => {
  assert.deepEqual(Array.from(averageRanks([3, 1, 3, 2, 3])), [4, 1, 4, 2, 4]);
  assert.deepEqual(Array.from(averageRanks([0, -0, 1])), [1.5, 1.5, 3]);
  const z = zScale(m([[10, 30], [20, 20]]));
  const zr = (r: number): number => normalQuantile((r - 3 / 8) / 4.25);
  assert.deepEqual(z.map((c) => Array.from(c)), [[zr(1), zr(4)], [zr(2.5), zr(2.5)]]);
});

test('quantileSorted is R type 7 and foldDraws folds about the pooled median', () => {
  const s = Float64Array.from({ length: 10 }, (_, i) => i + 1);
  assertClose(quantileSorted(s, 0.05), 1.45, 1e-15); // R: quantile(1:10, 0.05)
  assertClose(quantileSorted(s, 0.95), 9.55, 1e-15);
  assert.equal(quantileSorted(s, 0.5), 5.5);
  assert.equal(quantileSorted(Float64Array.of(1, 2, 2, 4), 1 / 3), 2);
  assert.deepEqual(foldDraws(m([[1, 5], [2, 8]])).map((c) => Array.from(c)), [[2.5, 1.5], [1.5, 4.5]]);
});

test('rhatBasic: hand-computed value and NA cases', () => {
  // means 2, 5 → B = 3·4.5 = 13.5; W = 1 → √((13.5 + 2)/3)
  assert.deepEqual(rhatBasic(m([[1, 2, 3], [4, 5, 6]])), { value: Math.sqrt(15.5 / 3), na: null });
  assert.deepEqual(rhatBasic(m([[1, 2, 3]])), { value: null, na: 'too few chains' });
  assert.deepEqual(rhatBasic(m([[1, 1], [2, 2]])), { value: null, na: 'zero within-chain variance' });
  assert.deepEqual(rhatBasic(m([[1], [2]])), { value: null, na: 'too few draws' });
});

test('essBasic: iid draws give ESS ≈ S, AR(0.9) far less, and short chains follow posterior', () => {
  const iid = m(arChains(4, 1000, 0, 0, (c) => 101 + c));
  const ess = essBasic(iid).value!;
  assert.ok(ess > 0.85 * 4000 && ess < 1.15 * 4000, `iid ESS ${ess}`);
  const ar = essBasic(m(arChains(4, 1000, 0.9, 0, (c) => 101 + c))).value!;
  assert.ok(ar < 4000 / 10, `AR(0.9) ESS ${ar}`);
  // n ≤ 5: the Geyer loop never runs and R's 1:0 indexing makes τ̂ = 2, so ESS = S/2 whatever the data.
  for (const n of [3, 4, 5]) {
    assert.equal(essBasic(m(arChains(2, n, 0.3, 0, (c) => 9 + c))).value, (2 * n) / 2, `n = ${n}`);
  }
  assert.deepEqual(essBasic(m([[1, 2], [3, 4]])), { value: null, na: 'too few draws' });
});

test('guardDraws reports non-finite, then too few draws, then constant', () => {
  assert.equal(guardDraws(m([[1, NaN, 1]]), 3), 'non-finite values');
  assert.equal(guardDraws(m([[1, Infinity]]), 3), 'non-finite values');
  assert.equal(guardDraws(m([[1, 1]]), 3), 'too few draws');
  assert.equal(guardDraws(m([[1, 1, 1], [1, 1, 1]]), 3), 'constant trace');
  assert.equal(guardDraws(m([[1, 1 + 1e-17, 1]]), 3), 'constant trace'); // below posterior's eps tolerance
  assert.equal(guardDraws(m([[1, 2, 1]]), 3), null);
});

test('toMatrix rejects malformed arguments with the function name and actual value', () => {
  assert.throws(() => toMatrix([[1, 2, 3], [1, 2]], 'f'), /^RangeError: Error in f: chains must all have the same length, got lengths \[3, 2\]$/);
  assert.throws(() => toMatrix([], 'f'), /Error in f: chains must be a non-empty array of chains, got 0 chains/);
  assert.throws(() => toMatrix([[]], 'f'), /Error in f: chains must contain at least one draw, got length 0/);
  assert.throws(() => toMatrix(undefined as unknown as number[][], 'f'), /got undefined/);
  const input = [Float64Array.of(1, 2)];
  const copy = toMatrix(input, 'f');
  copy[0][0] = 99;
  assert.equal(input[0][0], 1);
});
