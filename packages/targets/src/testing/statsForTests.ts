/**
 * Small statistics used by the data tests: tolerances come from standard errors,
 * so checks are "within z standard errors" rather than hand-picked constants.
 */
import assert from 'node:assert/strict';

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Mean of f(v) over the values. */
export function meanOf(values: ArrayLike<number>, f: (v: number) => number): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += f(values[i]);
  return sum / values.length;
}

/** Standard normal density integrated over [0, t] by composite Simpson (error ≪ 1e-10 for t ≤ 40). */
function normalMassFromZero(t: number): number {
  const steps = 4000;
  const h = t / steps;
  const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  let sum = phi(0) + phi(t);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * phi(i * h);
  return (sum * h) / 3;
}

/** P(|Z| > t) for Z ~ N(0, 1), t ≥ 0. */
export function normalTwoSidedTail(t: number): number {
  return Math.max(0, 1 - 2 * normalMassFromZero(t));
}

/** Asserts that `count` successes out of `n` fit probability `q` within `z` binomial standard errors. */
export function assertBinomial(count: number, n: number, q: number, label: string, z = 5): void {
  const se = Math.sqrt((n * q * (1 - q)) || 1);
  assert.ok(Math.abs(count - n * q) <= z * se, `${label}: ${count} of ${n}, expected ${(n * q).toFixed(1)} ± ${(z * se).toFixed(1)}`);
}

/** Asserts |estimate − expected| ≤ z·se. */
export function assertWithin(estimate: number, expected: number, se: number, label: string, z = 5): void {
  assert.ok(
    Math.abs(estimate - expected) <= z * se,
    `${label}: ${estimate.toPrecision(6)}, expected ${expected.toPrecision(6)} ± ${(z * se).toPrecision(3)} (${z} SE)`,
  );
}

/** Eigenvalues (descending) of a symmetric k×k row-major matrix, by cyclic Jacobi rotations. */
export function symmetricEigenvalues(matrix: ArrayLike<number>, k: number): number[] {
  const a = Float64Array.from(matrix);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) off += a[i * k + j] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = a[p * k + q];
        if (apq === 0) continue;
        const theta = (a[q * k + q] - a[p * k + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const arp = a[r * k + p];
          const arq = a[r * k + q];
          a[r * k + p] = c * arp - s * arq;
          a[r * k + q] = s * arp + c * arq;
        }
        for (let r = 0; r < k; r++) {
          const apr = a[p * k + r];
          const aqr = a[q * k + r];
          a[p * k + r] = c * apr - s * aqr;
          a[q * k + r] = s * apr + c * aqr;
        }
      }
    }
  }
  return Array.from({ length: k }, (_, i) => a[i * k + i]).sort((x, y) => y - x);
}

/** Xᵀ X / rows for row-major X [rows, p] (after applying f to every entry). */
export function gram(X: ArrayLike<number>, p: number, f: (v: number) => number = (v) => v): Float64Array {
  const rows = X.length / p;
  const out = new Float64Array(p * p);
  const row = new Float64Array(p);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < p; i++) row[i] = f(X[r * p + i]);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) out[i * p + j] += row[i] * row[j];
  }
  for (let i = 0; i < out.length; i++) out[i] /= rows;
  return out;
}
