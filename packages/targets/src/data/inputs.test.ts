import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import { makeInputs, makeInputStructure, validateInputSpec, type InputSpec } from './inputs';
import { assertBinomial, assertWithin, gram, symmetricEigenvalues } from '../testing/statsForTests';

const N = 100_000;

function draw(spec: InputSpec, n: number, p: number, seed = 1): { X: Float32Array; structure: ReturnType<typeof makeInputStructure> } {
  const structure = makeInputStructure(spec, p, createRng(seed, 'structure'));
  return { X: makeInputs(spec, n, p, createRng(seed, 'rows'), structure), structure };
}

test('gauss-iso is the plain standard-normal fill, bit for bit', () => {
  const X = makeInputs({ kind: 'gauss-iso' }, 1001, 3, createRng(5, 'rows'));
  assert.deepEqual(X, Float32Array.from(createRng(5, 'rows').fillNormal(new Float64Array(3003))));
});

test('gauss-aniso: independent coordinates with Var(x_i) = ρ^i', () => {
  const p = 6;
  const rho = 0.5;
  const { X } = draw({ kind: 'gauss-aniso', rho }, N, p);
  const cov = gram(X, p);
  for (let i = 0; i < p; i++) {
    const variance = rho ** i;
    // Var of a Gaussian sample variance: 2σ⁴/n.
    assertWithin(cov[i * p + i], variance, variance * Math.sqrt(2 / N), `Var(x_${i})`);
    for (let j = i + 1; j < p; j++) assertWithin(cov[i * p + j], 0, Math.sqrt((rho ** i * rho ** j) / N), `Cov(x_${i}, x_${j})`);
  }
});

test('mixture: k equally likely clusters around the drawn centres, unit spread within', () => {
  const p = 5;
  const k = 4;
  const spread = 10;
  const { X, structure } = draw({ kind: 'mixture', k, spread }, N, p);
  assert.equal(structure.kind, 'mixture');
  const centres = (structure as { centres: Float64Array }).centres;
  assert.deepEqual(centres, createRng(1, 'structure').fillNormal(new Float64Array(k * p)).map((v) => v * spread));
  const counts = new Array<number>(k).fill(0);
  let within = 0;
  for (let r = 0; r < N; r++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let i = 0; i < p; i++) d += (X[r * p + i] - centres[c * p + i]) ** 2;
      if (d < bestD) [best, bestD] = [c, d];
    }
    counts[best]++;
    within += bestD;
  }
  counts.forEach((count, c) => assertBinomial(count, N, 1 / k, `rows nearest centre ${c}`));
  // Squared distance to the own centre is χ²_p: mean p, variance 2p.
  assertWithin(within / N, p, Math.sqrt((2 * p) / N), 'mean squared distance to the nearest centre');
});

test('lowdim-manifold: x = tanh(Z·A) exactly, inside (−1, 1), atanh(x) of rank latentDim, x itself curved', () => {
  const p = 8;
  const latentDim = 3;
  const n = 20_000;
  const { X, structure } = draw({ kind: 'lowdim-manifold', latentDim }, n, p, 3);
  assert.ok(X.every((v) => v > -1 && v < 1));
  // Reconstruct from the seed: A from the structure stream, Z from the row stream.
  const A = createRng(3, 'structure').fillNormal(new Float64Array(latentDim * p)).map((v) => v * (1 / Math.sqrt(latentDim)));
  assert.deepEqual((structure as { A: Float64Array }).A, A);
  const Z = createRng(3, 'rows').fillNormal(new Float64Array(n * latentDim));
  const expected = new Float32Array(n * p);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < p; i++) {
      let u = 0;
      for (let j = 0; j < latentDim; j++) u += Z[r * latentDim + j] * A[j * p + i];
      expected[r * p + i] = Math.tanh(u);
    }
  }
  assert.deepEqual(X, expected);
  const linear = symmetricEigenvalues(gram(X, p, Math.atanh), p);
  assert.ok(linear[latentDim - 1] > 1e-3 * linear[0], `eigenvalues of atanh(x): ${linear.map((v) => v.toExponential(2))}`);
  for (let i = latentDim; i < p; i++) assert.ok(linear[i] < 1e-6 * linear[0], `atanh(x) eigenvalue ${i}: ${linear[i]}`);
  const curved = symmetricEigenvalues(gram(X, p), p);
  assert.ok(curved[latentDim] > 1e-3 * curved[0], `tanh bends the subspace: x itself spans more than ${latentDim} dimensions`);
});

test('heavy-tail: multivariate t — P(‖x‖² > r²) = (1 + r²/df)^(−df/2) for p = 2, t_2 marginals, Hill index ≈ df', () => {
  for (const df of [1, 3]) {
    const { X } = draw({ kind: 'heavy-tail', df }, N, 2, 4);
    for (const r2 of [1, 4, 25, 100]) {
      let above = 0;
      for (let r = 0; r < N; r++) if (X[2 * r] ** 2 + X[2 * r + 1] ** 2 > r2) above++;
      assertBinomial(above, N, (1 + r2 / df) ** (-df / 2), `df ${df}: P(‖x‖² > ${r2})`);
    }
  }
  // Marginal of t_2: P(|T| > t) = 1 − t/√(2 + t²).
  const p = 3;
  const { X } = draw({ kind: 'heavy-tail', df: 2 }, N, p, 5);
  for (const t of [0.5, 2, 10]) {
    let above = 0;
    for (let i = 0; i < X.length; i += p) if (Math.abs(X[i]) > t) above++;
    assertBinomial(above, N, 1 - t / Math.sqrt(2 + t * t), `t_2 marginal: P(|x_0| > ${t})`);
  }
  // Hill estimator of the tail index of ‖x‖ from the top 1,000 of 100,000 (relative SE ≈ 1/√1000).
  const df = 3;
  const tail = draw({ kind: 'heavy-tail', df }, N, 2, 6).X;
  const norms = Float64Array.from({ length: N }, (_, r) => Math.hypot(tail[2 * r], tail[2 * r + 1])).sort().reverse();
  const k = 1000;
  let sumLog = 0;
  for (let i = 0; i < k; i++) sumLog += Math.log(norms[i] / norms[k]);
  const hill = k / sumLog;
  assert.ok(Math.abs(hill / df - 1) < 0.15, `Hill tail index ${hill.toFixed(2)} vs df ${df}`);
});

test('same stream → bit-identical rows; more rows keep the first rows; streams differ', () => {
  const specs: InputSpec[] = [
    { kind: 'gauss-aniso', rho: 0.8 },
    { kind: 'mixture', k: 3, spread: 2 },
    { kind: 'lowdim-manifold', latentDim: 2 },
    { kind: 'heavy-tail', df: 4 },
  ];
  for (const spec of specs) {
    const a = draw(spec, 500, 5, 9).X;
    const b = draw(spec, 500, 5, 9).X;
    assert.deepEqual(new Uint8Array(b.buffer), new Uint8Array(a.buffer), spec.kind);
    assert.deepEqual(draw(spec, 800, 5, 9).X.subarray(0, a.length), a, `${spec.kind}: prefix`);
    assert.notDeepEqual(draw(spec, 500, 5, 10).X, a, `${spec.kind}: seed`);
  }
});

test('bad options are rejected with named messages', () => {
  const rng = createRng(1, 'x');
  assert.throws(() => makeInputs({ kind: 'gauss-aniso', rho: 1.5 }, 10, 3, rng), { message: 'Error in makeInputs: rho must be in (0, 1), got 1.5' });
  assert.throws(() => makeInputs({ kind: 'gauss-aniso', rho: 1 }, 10, 3, rng), /rho must be in \(0, 1\), got 1/);
  assert.throws(() => makeInputs({ kind: 'mixture', k: 0, spread: 1 }, 10, 3, rng), /k must be a positive integer, got 0/);
  assert.throws(() => makeInputs({ kind: 'mixture', k: 2, spread: -1 }, 10, 3, rng), /spread must be a finite number ≥ 0, got -1/);
  assert.throws(() => makeInputs({ kind: 'lowdim-manifold', latentDim: 4 }, 10, 3, rng), /latentDim must be an integer in \[1, p = 3\], got 4/);
  assert.throws(() => makeInputs({ kind: 'heavy-tail', df: 0 }, 10, 3, rng), /df must be a finite number > 0, got 0/);
  assert.throws(() => makeInputs({ kind: 'cube' } as never, 10, 3, rng), /kind must be one of gauss-iso\|gauss-aniso\|mixture\|lowdim-manifold\|heavy-tail, got cube/);
  assert.throws(() => makeInputs({ kind: 'gauss-iso' }, 0, 3, rng), /n must be a positive integer, got 0/);
  assert.throws(() => makeInputs({ kind: 'mixture', k: 2, spread: 1 }, 10, 3, rng), /kind 'mixture' needs its centres/);
  const wrong = makeInputStructure({ kind: 'mixture', k: 2, spread: 1 }, 4, rng);
  assert.throws(() => makeInputs({ kind: 'mixture', k: 2, spread: 1 }, 10, 3, rng, wrong), /structure has 8 centre entries, expected k·p = 2·3/);
  assert.throws(() => validateInputSpec({ kind: 'gauss-aniso', rho: 0 }, 3, 'buildTeacherStudentTarget', 'inputs.'), {
    message: 'Error in buildTeacherStudentTarget: inputs.rho must be in (0, 1), got 0',
  });
});
