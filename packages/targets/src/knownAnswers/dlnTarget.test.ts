import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlpForwardF64 } from '../models/mlpReference';
import { dlnLambda } from './dln';
import { endToEndMap, makeDlnTarget, makeRrrTarget, type DlnTargetConfig } from './dlnTarget';
import { matMul, numericalRank, singularValues } from './linalg';
import { rrrLambda } from './rrr';

const base = { n: 4000, nTest: 500, noiseStd: 0.3, seed: 17 };

test('every layer and the end-to-end map have rank exactly r; singular values as drawn', () => {
  const cases: Array<[number[], number]> = [[[3, 4, 2, 5], 1], [[4, 3, 3, 3, 4], 2], [[5, 3, 5], 3], [[6, 5, 4, 6], 4], [[2, 2], 2], [[3, 4, 2, 5], 0]];
  for (const [widths, rank] of cases) {
    const t = makeDlnTarget({ ...base, n: 10, nTest: 10, widths, rank });
    assert.equal(t.wStar.length, t.layout.size);
    assert.deepEqual(t.spec, { widths, activation: 'identity', bias: false });
    for (const slot of t.layout.layers) {
      const W = t.wStar.subarray(slot.wOffset, slot.wOffset + slot.fanIn * slot.fanOut);
      assert.equal(numericalRank(W, slot.fanIn, slot.fanOut), rank, `${widths} r=${rank} layer at ${slot.wOffset}`);
    }
    const dOut = widths[widths.length - 1];
    assert.equal(numericalRank(t.wTotal, widths[0], dOut), rank);
    const sv = singularValues(t.wTotal, widths[0], dOut);
    assert.equal(t.singularValues.length, rank);
    for (let i = 0; i < rank; i++) {
      assert.ok(Math.abs(sv[i] - t.singularValues[i]) < 1e-12, `σ_${i}: ${sv[i]} vs ${t.singularValues[i]}`);
      assert.ok(t.singularValues[i] >= 1 && t.singularValues[i] <= 2);
    }
    if (rank === 0) assert.ok(t.wStar.every((v) => v === 0));
    assert.deepEqual({ lambda: t.lambdaTrue, multiplicity: t.multiplicity }, dlnLambda(widths, rank));
  }
});

test('wTotal is the map the MLP forward pass computes (layout convention x·W_1⋯W_L)', () => {
  const t = makeDlnTarget({ ...base, n: 7, nTest: 3, widths: [3, 4, 2, 5], rank: 2 });
  const viaForward = mlpForwardF64(t.layout, t.wStar, t.X);
  const viaTotal = matMul(t.X, t.wTotal, 7, 3, 5);
  for (let i = 0; i < viaTotal.length; i++) assert.ok(Math.abs(viaForward[i] - viaTotal[i]) < 1e-12);
  assert.deepEqual(endToEndMap(t.layout, t.wStar), t.wTotal);
});

test('data: x ~ N(0, I), Y − X·W_total has variance σ², and XᵀY/n ≈ W_total', () => {
  const widths = [4, 3, 3, 3, 4];
  const t = makeDlnTarget({ ...base, widths, rank: 2 });
  const { n } = base;
  const dIn = 4, dOut = 4;
  const mean = t.X.reduce((s, v) => s + v, 0) / t.X.length;
  const variance = t.X.reduce((s, v) => s + v * v, 0) / t.X.length - mean * mean;
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(variance - 1) < 0.05, `inputs mean ${mean}, variance ${variance}`);

  const clean = matMul(t.X, t.wTotal, n, dIn, dOut);
  let residualVariance = 0;
  for (let i = 0; i < clean.length; i++) residualVariance += (t.Y[i] - clean[i]) ** 2;
  residualVariance /= clean.length;
  // 16000 noise draws: relative sd of the variance estimate ≈ √(2/16000) ≈ 1.1%.
  assert.ok(Math.abs(residualVariance / 0.09 - 1) < 0.05, `residual variance ${residualVariance} vs σ² = 0.09`);

  // E[xᵀy] = W_total for x ~ N(0, I); entrywise sd ≈ √((‖W col‖² + σ²)/n) < 0.05.
  const cross = new Float64Array(dIn * dOut);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < dIn; i++) for (let j = 0; j < dOut; j++) cross[i * dOut + j] += (t.X[r * dIn + i] * t.Y[r * dOut + j]) / n;
  }
  for (let k = 0; k < cross.length; k++) assert.ok(Math.abs(cross[k] - t.wTotal[k]) < 0.15, `entry ${k}: ${cross[k]} vs ${t.wTotal[k]}`);

  // The test split follows the same law.
  const cleanTest = matMul(t.Xtest, t.wTotal, base.nTest, dIn, dOut);
  let testVariance = 0;
  for (let i = 0; i < cleanTest.length; i++) testVariance += (t.Ytest[i] - cleanTest[i]) ** 2;
  assert.ok(Math.abs(testVariance / cleanTest.length / 0.09 - 1) < 0.15);
});

test('rank 0: the teacher is zero and Y is pure noise', () => {
  const t = makeDlnTarget({ ...base, widths: [3, 2, 3], rank: 0 });
  assert.ok(t.wStar.every((v) => v === 0) && t.wTotal.every((v) => v === 0));
  const v = t.Y.reduce((s, y) => s + y * y, 0) / t.Y.length;
  assert.ok(Math.abs(v / 0.09 - 1) < 0.05, `label variance ${v}`);
  assert.deepEqual({ lambda: t.lambdaTrue, multiplicity: t.multiplicity }, { lambda: 2.5, multiplicity: 1 }); // (3,2,3), r = 0: (2·2·6 − 0 − 4)/8, M+H+N+r even
});

test('reproducible by seed; n does not change the teacher, the test set or the first rows', () => {
  const config: DlnTargetConfig = { ...base, n: 50, nTest: 20, widths: [3, 4, 2, 5], rank: 1 };
  const a = makeDlnTarget(config);
  const b = makeDlnTarget(config);
  assert.deepEqual(a.wStar, b.wStar);
  assert.deepEqual(a.X, b.X);
  assert.deepEqual(a.Y, b.Y);
  assert.deepEqual(a.Ytest, b.Ytest);
  const other = makeDlnTarget({ ...config, seed: 18 });
  assert.notDeepEqual(other.wStar, a.wStar);
  assert.notDeepEqual(other.X, a.X);
  const longer = makeDlnTarget({ ...config, n: 80 });
  assert.deepEqual(longer.wStar, a.wStar);
  assert.deepEqual(longer.Xtest, a.Xtest);
  assert.deepEqual(longer.X.subarray(0, a.X.length), a.X);
  assert.notDeepEqual(a.X.subarray(0, 60), a.Xtest.subarray(0, 60));
});

test('makeRrrTarget: the two-layer DLN [M, H, N] with λ from Aoyagi & Watanabe (2005)', () => {
  const t = makeRrrTarget({ ...base, n: 20, nTest: 5, M: 5, H: 3, N: 5, rank: 0 });
  assert.deepEqual(t.spec.widths, [5, 3, 5]);
  assert.equal(t.lambdaTrue, 6.5);
  assert.equal(t.multiplicity, 2);
  const r = makeRrrTarget({ ...base, n: 20, nTest: 5, M: 4, H: 2, N: 4, rank: 1 });
  assert.equal(r.lambdaTrue, rrrLambda({ M: 4, H: 2, N: 4, r: 1 }).lambda);
  assert.equal(numericalRank(r.wTotal, 4, 4), 1);
  // Same seed and widths: identical to the DLN target.
  assert.deepEqual(r.wStar, makeDlnTarget({ ...base, n: 20, nTest: 5, widths: [4, 2, 4], rank: 1 }).wStar);
});

test('argument errors name the argument', () => {
  const ok: DlnTargetConfig = { ...base, widths: [3, 2, 3], rank: 1 };
  assert.throws(() => makeDlnTarget({ ...ok, rank: 3 }), /Error in makeDlnTarget: rank must be ≤ min\(widths\) = 2, got 3/);
  assert.throws(() => makeDlnTarget({ ...ok, widths: [3] }), /widths must list at least/);
  assert.throws(() => makeDlnTarget({ ...ok, n: 0 }), /n must be a positive integer, got 0/);
  assert.throws(() => makeDlnTarget({ ...ok, noiseStd: -1 }), /noiseStd must be a finite number ≥ 0/);
  assert.throws(() => makeDlnTarget({ ...ok, seed: 1.5 }), /seed must be a safe integer/);
  assert.throws(() => makeDlnTarget({ ...ok, singularValueRange: [0, 1] }), /singularValueRange must be/);
  assert.throws(() => makeRrrTarget({ ...base, M: 2, H: 0, N: 2, rank: 0 }), /Error in makeRrrTarget: H must be a positive integer, got 0/);
  assert.throws(() => makeRrrTarget({ ...base, M: 2, H: 2, N: 1, rank: 2 }), /Error in makeRrrTarget: rank must be ≤ min\(widths\) = 1, got 2/);
});
