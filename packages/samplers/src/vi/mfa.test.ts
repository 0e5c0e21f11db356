import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import {
  choleskyInPlace,
  choleskySolveInPlace,
  denseCovariance,
  drawFromNormals,
  factorColumn,
  factorIndex,
  initMfa,
  logQ,
  mfaLayout,
  mfaView,
  sampleMfa,
  mfaDrawBuffers,
} from './mfa';

/** A random q with unequal weights and O(1) factors, so every Woodbury term matters. */
function randomQ(d: number, M: number, r: number, seed: number) {
  const layout = mfaLayout(d, M, r);
  const rng = createRng(seed, 'q');
  const theta = initMfa(layout, 0.3, rng);
  for (let i = 0; i < d; i++) theta[layout.logSdOffset + i] = Math.log(0.2 + 0.5 * rng.uniform());
  for (let k = layout.factorOffset; k < layout.logitOffset; k++) theta[k] = 2 * rng.normal();
  for (let m = 0; m < M; m++) theta[layout.logitOffset + m] = rng.normal();
  return { layout, theta, view: mfaView(layout, theta) };
}

/** log N(v; 0, Σ) by a dense d×d Cholesky: the reference for the Woodbury path. */
function denseLogNormal(cov: Float64Array, d: number, v: Float64Array): number {
  const l = Float64Array.from(cov);
  assert.ok(choleskyInPlace(l, d));
  const x = Float64Array.from(v);
  choleskySolveInPlace(l, d, x);
  let quad = 0;
  let logDet = 0;
  for (let i = 0; i < d; i++) {
    quad += v[i] * x[i];
    logDet += 2 * Math.log(l[i * d + i]);
  }
  return -0.5 * d * Math.log(2 * Math.PI) - 0.5 * logDet - 0.5 * quad;
}

test('r×r Cholesky solve inverts a small SPD matrix', () => {
  const a = Float64Array.of(4, 2, 0.6, 2, 5, 1, 0.6, 1, 3);
  const l = Float64Array.from(a);
  assert.ok(choleskyInPlace(l, 3));
  const b = Float64Array.of(1, -2, 0.5);
  const x = Float64Array.from(b);
  choleskySolveInPlace(l, 3, x);
  for (let i = 0; i < 3; i++) {
    let s = 0;
    for (let j = 0; j < 3; j++) s += a[i * 3 + j] * x[j];
    assert.ok(Math.abs(s - b[i]) < 1e-12);
  }
  assert.equal(choleskyInPlace(Float64Array.of(1, 2, 2, 1), 2), false);
});

test('log q by Woodbury + determinant lemma equals the dense mixture density', () => {
  const d = 5, M = 3, r = 2;
  const { layout, view } = randomQ(d, M, r, 3);
  const rng = createRng(3, 'points');
  for (let trial = 0; trial < 5; trial++) {
    const v = rng.fillNormal(new Float64Array(d));
    // Dense Σ_m = D + K_m K_mᵀ from the factor columns in parameter units.
    const terms: number[] = [];
    for (let m = 0; m < M; m++) {
      const cov = new Float64Array(d * d);
      for (let i = 0; i < d; i++) cov[i * d + i] = view.sd[i] ** 2;
      for (let j = 0; j < r; j++) {
        const k = factorColumn(view, m, j);
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] += k[a] * k[b];
      }
      terms.push(Math.log(view.weights[m]) + denseLogNormal(cov, d, v));
    }
    const mx = Math.max(...terms);
    const ref = mx + Math.log(terms.reduce((s, t) => s + Math.exp(t - mx), 0));
    const got = logQ(view, v);
    assert.ok(Math.abs(got - ref) < 1e-10, `log q ${got} vs dense ${ref}`);
  }
  assert.equal(layout.size, d + M * d * r + M);
});

test('∇_v log q matches central finite differences', () => {
  const d = 4;
  const { view } = randomQ(d, 3, 2, 5);
  const v = createRng(5, 'v').fillNormal(new Float64Array(d));
  for (let i = 0; i < d; i++) v[i] *= 0.3;
  const g = new Float64Array(d);
  logQ(view, v, g);
  const e = 1e-6;
  for (let i = 0; i < d; i++) {
    const p = Float64Array.from(v);
    const m = Float64Array.from(v);
    p[i] += e;
    m[i] -= e;
    const fd = (logQ(view, p) - logQ(view, m)) / (2 * e);
    assert.ok(Math.abs(fd - g[i]) < 1e-6 * Math.max(1, Math.abs(fd)), `coordinate ${i}: ${g[i]} vs FD ${fd}`);
  }
});

test('draws are w* + √D⊙ε + K_m z and their covariance is Σ_m π_m Σ_m', () => {
  const d = 3, M = 2, r = 2;
  const { layout, view } = randomQ(d, M, r, 9);
  const eps = Float64Array.of(0.3, -1, 2);
  const z = Float64Array.of(-0.5, 1.5);
  const v = new Float64Array(d);
  drawFromNormals(view, 1, eps, z, v);
  const k0 = factorColumn(view, 1, 0);
  const k1 = factorColumn(view, 1, 1);
  for (let i = 0; i < d; i++) assert.ok(Math.abs(v[i] - (view.sd[i] * eps[i] + k0[i] * z[0] + k1[i] * z[1])) < 1e-14);
  assert.equal(factorIndex(layout, 1, 2, 1), layout.factorOffset + (1 * d + 2) * r + 1);

  const rng = createRng(9, 'draws');
  const draw = mfaDrawBuffers(layout);
  const N = 200_000;
  const cov = new Float64Array(d * d);
  for (let n = 0; n < N; n++) {
    sampleMfa(view, rng, draw);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] += (draw.v[a] * draw.v[b]) / N;
  }
  const ref = denseCovariance(view);
  for (let k = 0; k < d * d; k++) {
    const tol = 0.03 * Math.sqrt(ref[Math.floor(k / d) * (d + 1)] * ref[(k % d) * (d + 1)]);
    assert.ok(Math.abs(cov[k] - ref[k]) < tol, `Σ[${k}] sample ${cov[k]} vs ${ref[k]}`);
  }
});
