import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import { addNoise, drawNoise, resolveNoiseSpec, validateNoiseSpec, type NoiseSpec } from './noise';
import { assertBinomial, assertWithin, meanOf, normalTwoSidedTail } from '../testing/statsForTests';

const N = 100_000;
const p = 4;
const X = Float32Array.from(createRng(1, 'x').fillNormal(new Float64Array(N * p)));

test('gauss is std·z from the stream, bit for bit (the original label noise)', () => {
  const eps = drawNoise({ kind: 'gauss', std: 0.3 }, X.subarray(0, 10 * p), p, 2, 7, 'noise');
  const z = createRng(7, 'noise').fillNormal(new Float64Array(20));
  assert.deepEqual(eps, z.map((v) => 0.3 * v));
  const clean = Float64Array.from({ length: 20 }, (_, i) => i / 7);
  assert.deepEqual(addNoise({ kind: 'gauss', std: 0.3 }, clean, X.subarray(0, 10 * p), p, 7, 'noise'), clean.map((c, i) => c + 0.3 * z[i]));
});

test('hetero: σ(x) = std·(1 + slope·‖x‖/√p) — standardised noise is N(0, 1), variance grows with ‖x‖', () => {
  const spec: NoiseSpec = { kind: 'hetero', std: 0.2, slope: 1.5 };
  const eps = drawNoise(spec, X, p, 1, 2, 'noise');
  const sigma = Float64Array.from({ length: N }, (_, r) => {
    let sq = 0;
    for (let i = 0; i < p; i++) sq += X[r * p + i] ** 2;
    return 0.2 * (1 + (1.5 * Math.sqrt(sq)) / Math.sqrt(p));
  });
  const standardised = eps.map((e, r) => e / sigma[r]);
  assertWithin(meanOf(standardised, (v) => v * v), 1, Math.sqrt(2 / N), 'E[(ε/σ(x))²]');
  // Rows by ‖x‖: the bottom and top quarter have noise variance mean(σ²) of their rows.
  const order = Array.from({ length: N }, (_, r) => r).sort((a, b) => sigma[a] - sigma[b]);
  const quarter = N / 4;
  const variances = [order.slice(0, quarter), order.slice(N - quarter)].map((rows) => {
    const empirical = rows.reduce((s, r) => s + eps[r] ** 2, 0) / quarter;
    const expected = rows.reduce((s, r) => s + sigma[r] ** 2, 0) / quarter;
    assertWithin(empirical, expected, expected * Math.sqrt(2 / quarter) * 1.5, 'noise variance in a quarter of rows by ‖x‖');
    return empirical;
  });
  // With slope 1.5 the top quarter's σ² is ≈ 2.98× the bottom quarter's (from σ(x) on these rows).
  assert.ok(variances[1] > 2.5 * variances[0], `top/bottom quarter variance ${variances[1]} vs ${variances[0]}`);
  // slope 0 is plain Gaussian noise.
  assert.deepEqual(drawNoise({ kind: 'hetero', std: 0.2, slope: 0 }, X, p, 1, 2, 'noise'), drawNoise({ kind: 'gauss', std: 0.2 }, X, p, 1, 2, 'noise'));
});

test('student-t: ε/std is t_df — exact t_2 tails, t_10 variance df/(df−2) and kurtosis 3 + 6/(df−4)', () => {
  const std = 0.5;
  const t2 = drawNoise({ kind: 'student-t', std, df: 2 }, X, p, 1, 3, 'noise');
  for (const t of [0.5, 2, 10]) {
    const above = t2.reduce((c, e) => c + (Math.abs(e) > std * t ? 1 : 0), 0);
    assertBinomial(above, N, 1 - t / Math.sqrt(2 + t * t), `P(|ε| > ${t}·std), df 2`);
  }
  const df = 10;
  const t10 = drawNoise({ kind: 'student-t', std, df }, X, p, 1, 4, 'noise').map((e) => e / std);
  const m2 = meanOf(t10, (v) => v * v);
  const m4 = meanOf(t10, (v) => v ** 4);
  // E t² = ν/(ν−2) = 1.25, E t⁴ = 3ν²/((ν−2)(ν−4)) = 6.25 → Var(t²) = 4.6875.
  assertWithin(m2, 1.25, Math.sqrt(4.6875 / N), 'E[(ε/std)²], df 10');
  // E t⁸ = 105ν⁴/((ν−2)(ν−4)(ν−6)(ν−8)) ≈ 2734 → SE of the kurtosis ≈ √(Var(t⁴)/n)/σ⁴ ≈ 0.1.
  const kurtosisSe = Math.sqrt((105e4 / (8 * 6 * 4 * 2) - 6.25 ** 2) / N) / 1.25 ** 2;
  assertWithin(m4 / (m2 * m2), 4, kurtosisSe, 'kurtosis, df 10', 4);
});

test('outliers: Gaussian noise plus, with probability fraction, an N(0, (scale·std)²) kick', () => {
  const std = 0.5;
  const fraction = 0.02;
  const scale = 20;
  const eps = drawNoise({ kind: 'outliers', std, fraction, scale }, X, p, 1, 5, 'noise');
  // |ε| > 6 std: essentially only kicked entries, each with P(|N(0, 1 + scale²)| > 6).
  const q = (1 - fraction) * normalTwoSidedTail(6) + fraction * normalTwoSidedTail(6 / Math.sqrt(1 + scale * scale));
  const far = eps.reduce((c, e) => c + (Math.abs(e) > 6 * std ? 1 : 0), 0);
  assertBinomial(far, N, q, 'entries beyond 6 std');
  // The bulk: without kicks ε = std·z exactly (same z stream as 'gauss').
  const base = drawNoise({ kind: 'gauss', std }, X, p, 1, 5, 'noise');
  const kicked = eps.reduce((c, e, i) => c + (e !== base[i] ? 1 : 0), 0);
  assertBinomial(kicked, N, fraction, 'entries with a kick');
  const variance = 1 + fraction * scale * scale;
  // Var(ε²/std²) = E[ε⁴]/std⁴ − variance², E[ε⁴]/std⁴ = 3[(1 − f) + f(1 + s²)²].
  const fourth = 3 * (1 - fraction + fraction * (1 + scale * scale) ** 2);
  assertWithin(meanOf(eps, (e) => (e / std) ** 2), variance, Math.sqrt((fourth - variance ** 2) / N), 'E[ε²]/std²');
  assert.deepEqual(drawNoise({ kind: 'outliers', std, fraction: 0, scale }, X, p, 1, 5, 'noise'), base);
});

test('std 0 gives no noise; same stream → identical; other streams differ', () => {
  const specs: NoiseSpec[] = [
    { kind: 'gauss', std: 0.1 },
    { kind: 'hetero', std: 0.1, slope: 1 },
    { kind: 'student-t', std: 0.1, df: 3 },
    { kind: 'outliers', std: 0.1, fraction: 0.1, scale: 5 },
  ];
  const x = X.subarray(0, 500 * p);
  for (const spec of specs) {
    assert.ok(drawNoise({ ...spec, std: 0 }, x, p, 2, 1, 'n').every((v) => v === 0), `${spec.kind} with std 0`);
    const a = drawNoise(spec, x, p, 2, 1, 'n');
    assert.deepEqual(new Uint8Array(drawNoise(spec, x, p, 2, 1, 'n').buffer), new Uint8Array(a.buffer), spec.kind);
    assert.notDeepEqual(drawNoise(spec, x, p, 2, 1, 'other'), a);
    assert.deepEqual(drawNoise(spec, X.subarray(0, 800 * p), p, 2, 1, 'n').subarray(0, a.length), a, `${spec.kind}: prefix`);
  }
});

test('resolveNoiseSpec: std defaults to noiseStd, noise.std wins, one is required', () => {
  assert.deepEqual(resolveNoiseSpec(undefined, 0.1), { kind: 'gauss', std: 0.1 });
  assert.deepEqual(resolveNoiseSpec({ kind: 'student-t', df: 3 }, 0.2), { kind: 'student-t', df: 3, std: 0.2 });
  assert.deepEqual(resolveNoiseSpec({ kind: 'gauss', std: 0.5 }, 0.2), { kind: 'gauss', std: 0.5 });
  assert.throws(() => resolveNoiseSpec({ kind: 'gauss' }, undefined, 'makeTeacherStudentData'), {
    message: 'Error in makeTeacherStudentData: give the noise scale as noise.std or noiseStd',
  });
  assert.throws(() => resolveNoiseSpec({ kind: 'hetero', slope: -1 }, 0.1, 'f'), { message: 'Error in f: noise.slope must be a finite number ≥ 0, got -1' });
});

test('bad options are rejected with named messages', () => {
  const bad: Array<[unknown, RegExp]> = [
    [{ kind: 'gauss', std: -1 }, /Error in addNoise: std must be a finite number ≥ 0, got -1/],
    [{ kind: 'laplace', std: 1 }, /kind must be one of gauss\|hetero\|student-t\|outliers, got laplace/],
    [{ kind: 'hetero', std: 1 }, /slope must be a finite number ≥ 0, got undefined/],
    [{ kind: 'student-t', std: 1, df: 0 }, /df must be a finite number > 0, got 0/],
    [{ kind: 'outliers', std: 1, fraction: 1.5, scale: 1 }, /fraction must be in \[0, 1\], got 1.5/],
    [{ kind: 'outliers', std: 1, fraction: 0.1, scale: NaN }, /scale must be a finite number ≥ 0, got NaN/],
  ];
  for (const [spec, message] of bad) assert.throws(() => validateNoiseSpec(spec as NoiseSpec), message);
  assert.throws(() => addNoise({ kind: 'gauss', std: 1 }, new Float64Array(5), X.subarray(0, 8), p, 1, 'n'), /clean has length 5, not a multiple of the 2 rows of X/);
  assert.throws(() => drawNoise({ kind: 'gauss', std: 1 }, X.subarray(0, 7), p, 1, 1, 'n'), /X length 7 is not a multiple of inputDim 4/);
});
