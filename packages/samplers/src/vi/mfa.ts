/**
 * A mixture of factor analysers centred at w*, the variational family of the VI LLC
 * estimator (docs/SCIENCE.md §2):
 *   q(w) = Σ_m π_m N(w; w*, Σ_m),   Σ_m = D + K_m K_mᵀ,   D = diag(σ²),   π = softmax(logits).
 *
 * All parameters live in one flat vector θ = [log σ (d) | U (M·d·r) | logits (M)] so that
 * Adam can treat them uniformly. The factors are stored relative to the diagonal scale:
 *   K_m = diag(σ) · U_m / √d.
 * Why: Adam moves every coordinate by ≈ lr per step whatever its gradient scale, so a raw
 * K_m would move by lr·√d in norm per step and by lr in absolute units, which is wrong
 * both for large d and for posteriors whose width is far from 1. Relative to σ and √d,
 * a unit change of U changes Σ_m by O(1) relative to D in every dimension and at every
 * width. The map (σ, U) ↔ (D, K) is a bijection, so the family is unchanged.
 *
 * With this parametrisation Σ_m = diag(σ)(I + B_m B_mᵀ)diag(σ), B_m = U_m/√d, and
 * Woodbury plus the matrix determinant lemma reduce every solve to the r×r matrix
 * C_m = I_r + B_mᵀB_m:
 *   a = v/σ,  u = B_mᵀa,  vᵀΣ_m⁻¹v = aᵀa − uᵀC_m⁻¹u,  log|Σ_m| = 2Σ log σ_i + log|C_m|.
 */
import type { Rng } from '@llc/core/random/rng';

export interface MfaLayout {
  readonly dim: number;
  readonly components: number;
  readonly rank: number;
  /** Offsets of the three blocks in θ. */
  readonly logSdOffset: number;
  readonly factorOffset: number;
  readonly logitOffset: number;
  /** Total length of θ. */
  readonly size: number;
}

export function mfaLayout(dim: number, components: number, rank: number): MfaLayout {
  if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`Error in mfaLayout: dim must be a positive integer, got ${dim}`);
  if (!(Number.isInteger(components) && components >= 1)) {
    throw new Error(`Error in mfaLayout: components must be a positive integer, got ${components}`);
  }
  if (!(Number.isInteger(rank) && rank >= 0)) throw new Error(`Error in mfaLayout: rank must be a non-negative integer, got ${rank}`);
  const factorOffset = dim;
  const logitOffset = factorOffset + components * dim * rank;
  return { dim, components, rank, logSdOffset: 0, factorOffset, logitOffset, size: logitOffset + components };
}

/** Index of U_m[i, j] in θ. */
export function factorIndex(layout: MfaLayout, m: number, i: number, j: number): number {
  return layout.factorOffset + (m * layout.dim + i) * layout.rank + j;
}

/**
 * Initial θ: σ = initScale everywhere, U entries N(0, 0.5²) so each factor column has
 * norm ≈ 0.5 relative to σ (small, but distinct per component so the components can
 * separate), equal weights.
 */
export function initMfa(layout: MfaLayout, initScale: number, rng: Rng): Float64Array {
  if (!(initScale > 0)) throw new Error(`Error in initMfa: initScale must be > 0, got ${initScale}`);
  const theta = new Float64Array(layout.size);
  theta.fill(Math.log(initScale), layout.logSdOffset, layout.logSdOffset + layout.dim);
  for (let k = layout.factorOffset; k < layout.logitOffset; k++) theta[k] = 0.5 * rng.normal();
  return theta;
}

/** Cholesky factor (lower, row-major) of a small SPD n×n matrix, in place; false if not SPD. */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j];
    for (let k = 0; k < j; k++) s -= a[j * n + k] ** 2;
    if (!(s > 0)) return false;
    const ljj = Math.sqrt(s);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j];
      for (let k = 0; k < j; k++) t -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = t / ljj;
    }
    for (let k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return true;
}

/** Solves (L Lᵀ) x = b in place of b, L from choleskyInPlace. */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}

/**
 * Everything about q that does not depend on the point: σ, π, the Cholesky factors of
 * the C_m and the component log normalisers. Recomputed once per optimisation step
 * (O(M d r²)), then log q costs O(M d r) per point.
 */
export interface MfaView {
  readonly layout: MfaLayout;
  readonly theta: Float64Array;
  readonly sd: Float64Array;
  readonly weights: Float64Array;
  readonly logWeights: Float64Array;
  /** Row-major r×r Cholesky factors of C_m, concatenated. */
  readonly chol: Float64Array;
  /** log π_m − ½ d log 2π − Σ log σ_i − ½ log|C_m|: log π_m N(v; 0, Σ_m) before the quadratic form. */
  readonly logNorm: Float64Array;
  /** 1/√d: the factor scale (B_m = U_m/√d). */
  readonly factorScale: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

export function mfaView(layout: MfaLayout, theta: Float64Array): MfaView {
  const { dim: d, components: M, rank: r } = layout;
  const sd = new Float64Array(d);
  let sumLogSd = 0;
  for (let i = 0; i < d; i++) {
    const s = theta[layout.logSdOffset + i];
    sd[i] = Math.exp(s);
    sumLogSd += s;
  }
  let maxLogit = -Infinity;
  for (let m = 0; m < M; m++) maxLogit = Math.max(maxLogit, theta[layout.logitOffset + m]);
  let z = 0;
  for (let m = 0; m < M; m++) z += Math.exp(theta[layout.logitOffset + m] - maxLogit);
  const logZ = maxLogit + Math.log(z);
  const logWeights = new Float64Array(M);
  const weights = new Float64Array(M);
  for (let m = 0; m < M; m++) {
    logWeights[m] = theta[layout.logitOffset + m] - logZ;
    weights[m] = Math.exp(logWeights[m]);
  }
  const factorScale = 1 / Math.sqrt(d);
  const chol = new Float64Array(M * r * r);
  const logNorm = new Float64Array(M);
  for (let m = 0; m < M; m++) {
    const c = chol.subarray(m * r * r, (m + 1) * r * r);
    // C_m = I + B_mᵀB_m, B_m = U_m/√d.
    for (let j = 0; j < r; j++) {
      for (let k = 0; k <= j; k++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += theta[factorIndex(layout, m, i, j)] * theta[factorIndex(layout, m, i, k)];
        s *= factorScale * factorScale;
        c[j * r + k] = s + (j === k ? 1 : 0);
        c[k * r + j] = c[j * r + k];
      }
    }
    // I + BᵀB ⪰ I, so this only fails on non-finite input.
    if (!choleskyInPlace(c, r)) throw new Error(`Error in mfaView: C_${m} is not positive definite (non-finite factors?)`);
    let logDetC = 0;
    for (let j = 0; j < r; j++) logDetC += 2 * Math.log(c[j * r + j]);
    logNorm[m] = logWeights[m] - 0.5 * d * LOG_2PI - sumLogSd - 0.5 * logDetC;
  }
  return { layout, theta, sd, weights, logWeights, chol, logNorm, factorScale };
}

/** Scratch buffers for logQ, so the hot loop does not allocate. */
export interface LogQScratch {
  a: Float64Array;
  /** u_m = B_mᵀa per component. */
  u: Float64Array;
  /** C_m⁻¹u_m per component. */
  y: Float64Array;
  logTerms: Float64Array;
}

export function logQScratch(layout: MfaLayout): LogQScratch {
  return { a: new Float64Array(layout.dim), u: new Float64Array(layout.components * layout.rank), y: new Float64Array(layout.components * layout.rank), logTerms: new Float64Array(layout.components) };
}

/**
 * log q(w* + v), and ∇_v log q into `gradOut` when given:
 *   ∇_v log q = −Σ_m ρ_m Σ_m⁻¹v,  ρ_m = π_m N_m(v)/q(v),  Σ_m⁻¹v = (a − B_m C_m⁻¹ B_mᵀ a)/σ.
 */
export function logQ(view: MfaView, v: Float64Array, gradOut?: Float64Array, scratch?: LogQScratch): number {
  const { layout, theta, sd, chol, logNorm, factorScale } = view;
  const { dim: d, components: M, rank: r } = layout;
  const s = scratch ?? logQScratch(layout);
  const { a, u, y, logTerms } = s;
  let aa = 0;
  for (let i = 0; i < d; i++) {
    a[i] = v[i] / sd[i];
    aa += a[i] * a[i];
  }
  let maxTerm = -Infinity;
  for (let m = 0; m < M; m++) {
    const um = u.subarray(m * r, (m + 1) * r);
    const ym = y.subarray(m * r, (m + 1) * r);
    for (let j = 0; j < r; j++) {
      let t = 0;
      for (let i = 0; i < d; i++) t += theta[factorIndex(layout, m, i, j)] * a[i];
      um[j] = t * factorScale;
      ym[j] = um[j];
    }
    choleskySolveInPlace(chol.subarray(m * r * r, (m + 1) * r * r), r, ym);
    let uCu = 0;
    for (let j = 0; j < r; j++) uCu += um[j] * ym[j];
    logTerms[m] = logNorm[m] - 0.5 * (aa - uCu);
    if (logTerms[m] > maxTerm) maxTerm = logTerms[m];
  }
  let sum = 0;
  for (let m = 0; m < M; m++) sum += Math.exp(logTerms[m] - maxTerm);
  const lq = maxTerm + Math.log(sum);
  if (gradOut) {
    gradOut.fill(0);
    for (let m = 0; m < M; m++) {
      const rho = Math.exp(logTerms[m] - lq);
      if (rho === 0) continue;
      const ym = y.subarray(m * r, (m + 1) * r);
      for (let i = 0; i < d; i++) {
        let by = 0;
        for (let j = 0; j < r; j++) by += theta[factorIndex(layout, m, i, j)] * ym[j];
        gradOut[i] -= (rho * (a[i] - by * factorScale)) / sd[i];
      }
    }
  }
  return lq;
}

/** One draw from q: component m, the standard normals it was built from, and v = w − w*. */
export interface MfaDraw {
  m: number;
  eps: Float64Array;
  z: Float64Array;
  v: Float64Array;
}

export function mfaDrawBuffers(layout: MfaLayout): MfaDraw {
  return { m: 0, eps: new Float64Array(layout.dim), z: new Float64Array(layout.rank), v: new Float64Array(layout.dim) };
}

/** Picks a component index from the weights with one uniform. */
export function sampleComponent(weights: Float64Array, u: number): number {
  let acc = 0;
  for (let m = 0; m < weights.length; m++) {
    acc += weights[m];
    if (u < acc) return m;
  }
  return weights.length - 1;
}

/** v = σ ⊙ (ε + B_m z) for a given component and given normals (common random numbers). */
export function drawFromNormals(view: MfaView, m: number, eps: Float64Array, z: Float64Array, v: Float64Array): void {
  const { layout, theta, sd, factorScale } = view;
  const { dim: d, rank: r } = layout;
  for (let i = 0; i < d; i++) {
    let bz = 0;
    for (let j = 0; j < r; j++) bz += theta[factorIndex(layout, m, i, j)] * z[j];
    v[i] = sd[i] * (eps[i] + bz * factorScale);
  }
}

/** w = w* + √D ⊙ ε + K_m z with m ~ π, ε ~ N(0, I_d), z ~ N(0, I_r); fills `out` (v = w − w*). */
export function sampleMfa(view: MfaView, rng: Rng, out: MfaDraw): MfaDraw {
  out.m = sampleComponent(view.weights, rng.uniform());
  rng.fillNormal(out.eps);
  rng.fillNormal(out.z);
  drawFromNormals(view, out.m, out.eps, out.z, out.v);
  return out;
}

/** Column j of K_m = σ ⊙ U_m[:, j]/√d, the factor in parameter units. */
export function factorColumn(view: MfaView, m: number, j: number, out = new Float64Array(view.layout.dim)): Float64Array {
  const { layout, theta, sd, factorScale } = view;
  for (let i = 0; i < layout.dim; i++) out[i] = sd[i] * theta[factorIndex(layout, m, i, j)] * factorScale;
  return out;
}

/** Dense Σ_q = Σ_m π_m (D + K_m K_mᵀ) (row-major d×d); for tests and small diagnostics only. */
export function denseCovariance(view: MfaView): Float64Array {
  const { dim: d, components: M, rank: r } = view.layout;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) cov[i * d + i] = view.sd[i] ** 2;
  const k = new Float64Array(d);
  for (let m = 0; m < M; m++) {
    for (let j = 0; j < r; j++) {
      factorColumn(view, m, j, k);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] += view.weights[m] * k[a] * k[b];
    }
  }
  return cov;
}
