/**
 * Small dense float64 linear algebra for building and checking known-answer targets
 * (matrices of a few dozen rows; no engine, so results do not depend on the backend).
 * All matrices are row-major Float64Array with explicit shapes.
 */
import type { Rng } from '@llc/core/random/rng';

/** C = A·B with A [m, k], B [k, n]. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  if (a.length !== m * k) throw new Error(`Error in matMul: a has length ${a.length}, expected ${m}·${k}`);
  if (b.length !== k * n) throw new Error(`Error in matMul: b has length ${b.length}, expected ${k}·${n}`);
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
    }
  }
  return c;
}

/**
 * Singular values (descending) of A [rows, cols] by one-sided Jacobi (Hestenes 1958):
 * plane rotations orthogonalise the columns; at convergence the column norms are the
 * singular values. Chosen over Gram–Schmidt because it is accurate for the tiny
 * singular values that decide a numerical rank (Demmel & Veselić 1992).
 */
export function singularValues(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  if (a.length !== rows * cols) throw new Error(`Error in singularValues: a has length ${a.length}, expected ${rows}·${cols}`);
  // Work on the orientation with fewer columns (σ(A) = σ(Aᵀ)); store columns contiguously.
  const wide = cols > rows;
  const m = wide ? cols : rows; // column length
  const n = wide ? rows : cols; // number of columns
  const col = new Float64Array(n * m);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (wide) col[i * m + j] = a[i * cols + j];
      else col[j * m + i] = a[i * cols + j];
    }
  }
  const eps = 2.220446049250313e-16;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = col[p * m + i], y = col[q * m + i];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = col[p * m + i], y = col[q * m + i];
          col[p * m + i] = c * x - s * y;
          col[q * m + i] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const sv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += col[j * m + i] ** 2;
    sv[j] = Math.sqrt(s);
  }
  return sv.sort().reverse();
}

/** Number of singular values above max(rows, cols)·ε·σ_max (the LAPACK/NumPy default tolerance). */
export function numericalRank(a: ArrayLike<number>, rows: number, cols: number): number {
  const sv = singularValues(a, rows, cols);
  if (sv.length === 0 || sv[0] === 0) return 0;
  const tol = Math.max(rows, cols) * 2.220446049250313e-16 * sv[0];
  return sv.filter((s) => s > tol).length;
}

/**
 * A [rows, r] matrix with orthonormal columns spanning a uniformly random r-dimensional
 * subspace: Gaussian columns, modified Gram–Schmidt applied twice ("twice is enough",
 * Giraud et al. 2005) so orthogonality holds to rounding.
 */
export function randomOrthonormalColumns(rng: Rng, rows: number, r: number): Float64Array {
  if (!(Number.isInteger(r) && r >= 0 && r <= rows)) {
    throw new Error(`Error in randomOrthonormalColumns: r must be an integer in [0, rows = ${rows}], got ${r}`);
  }
  const q = new Float64Array(rows * r);
  const v = new Float64Array(rows);
  for (let j = 0; j < r; j++) {
    rng.fillNormal(v);
    const initial = Math.hypot(...v);
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < rows; i++) dot += q[i * r + p] * v[i];
        for (let i = 0; i < rows; i++) v[i] -= dot * q[i * r + p];
      }
    }
    const norm = Math.hypot(...v);
    // A Gaussian vector lies in a proper subspace with probability 0; a failure here means a broken generator.
    if (!(norm > 1e-8 * initial)) throw new Error(`Error in randomOrthonormalColumns: column ${j} is numerically dependent`);
    for (let i = 0; i < rows; i++) q[i * r + j] = v[i] / norm;
  }
  return q;
}
