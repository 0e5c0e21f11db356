/**
 * Input distributions x ∈ R^p for synthetic regression data. Exact definitions
 * (rows independent; z denotes independent N(0, 1) draws):
 *
 *   gauss-iso        x_i = z_i.
 *   gauss-aniso      x_i = ρ^{i/2}·z_i, i = 0..p−1: independent coordinates with
 *                    Var(x_i) = ρ^i (coordinate 0 has variance 1), ρ ∈ (0, 1).
 *   mixture          k centres c_1..c_k ~ N(0, spread²·I_p) (the structure, drawn
 *                    once); each row picks j uniformly from 1..k and x = c_j + z.
 *   lowdim-manifold  A ∈ R^{m×p} with entries N(0, 1/m) (the structure, m = latentDim
 *                    ≤ p); each row draws Z ~ N(0, I_m) and x = tanh(Z·A) entrywise, so
 *                    atanh(x) lies in the m-dimensional row space of A and x ∈ (−1, 1)^p.
 *   heavy-tail       multivariate Student t: x = z·√(df/g), one g ~ χ²_df per row
 *                    shared by all p coordinates (each x_i is t_df; the tail of ‖x‖
 *                    decays like r^{−df}).
 *
 * The structure (centres, A) comes from its own stream through makeInputStructure, so a
 * training set and a test set drawn with different row streams share it. Rows are drawn
 * one after another from the row stream, so more rows never change the earlier rows.
 */
import type { Rng } from '@llc/core/random/rng';
import { sampleChiSquared } from './gamma';

export type InputSpec =
  | { readonly kind: 'gauss-iso' }
  | { readonly kind: 'gauss-aniso'; readonly rho: number }
  | { readonly kind: 'mixture'; readonly k: number; readonly spread: number }
  | { readonly kind: 'lowdim-manifold'; readonly latentDim: number }
  | { readonly kind: 'heavy-tail'; readonly df: number };

export type InputKind = InputSpec['kind'];
export const INPUT_KINDS: readonly InputKind[] = ['gauss-iso', 'gauss-aniso', 'mixture', 'lowdim-manifold', 'heavy-tail'];

/** Random but fixed parts of an input distribution, shared by every set drawn from it. */
export type InputStructure =
  | { readonly kind: 'none' }
  /** Row-major [k, p]. */
  | { readonly kind: 'mixture'; readonly centres: Float64Array }
  /** Row-major [latentDim, p]. */
  | { readonly kind: 'lowdim-manifold'; readonly A: Float64Array };

/**
 * Throws "Error in <caller>: <field><what>" when `spec` is not a valid input
 * distribution for p inputs (field is a prefix such as 'inputs.'; '' by default).
 */
export function validateInputSpec(spec: InputSpec, p: number, caller = 'makeInputs', field = ''): void {
  const fail = (what: string): never => {
    throw new Error(`Error in ${caller}: ${field}${what}`);
  };
  if (spec === null || typeof spec !== 'object') fail(`${field === '' ? 'spec' : field.slice(0, -1)} must be an object`);
  if (!(Number.isInteger(p) && p > 0)) fail(`p must be a positive integer, got ${String(p)}`);
  switch (spec.kind) {
    case 'gauss-iso':
      return;
    case 'gauss-aniso':
      if (!(typeof spec.rho === 'number' && spec.rho > 0 && spec.rho < 1)) fail(`rho must be in (0, 1), got ${String(spec.rho)}`);
      return;
    case 'mixture':
      if (!(Number.isSafeInteger(spec.k) && spec.k > 0)) fail(`k must be a positive integer, got ${String(spec.k)}`);
      if (!(typeof spec.spread === 'number' && Number.isFinite(spec.spread) && spec.spread >= 0)) {
        fail(`spread must be a finite number ≥ 0, got ${String(spec.spread)}`);
      }
      return;
    case 'lowdim-manifold':
      if (!(Number.isInteger(spec.latentDim) && spec.latentDim > 0 && spec.latentDim <= p)) {
        fail(`latentDim must be an integer in [1, p = ${p}], got ${String(spec.latentDim)}`);
      }
      return;
    case 'heavy-tail':
      if (!(typeof spec.df === 'number' && Number.isFinite(spec.df) && spec.df > 0)) fail(`df must be a finite number > 0, got ${String(spec.df)}`);
      return;
    default:
      fail(`kind must be one of ${INPUT_KINDS.join('|')}, got ${String((spec as { kind?: unknown }).kind)}`);
  }
}

/** The structure of `spec` for p inputs (mixture centres, manifold map A), drawn from `rng`. */
export function makeInputStructure(spec: InputSpec, p: number, rng: Rng): InputStructure {
  validateInputSpec(spec, p, 'makeInputStructure');
  if (spec.kind === 'mixture') {
    const centres = rng.fillNormal(new Float64Array(spec.k * p));
    for (let i = 0; i < centres.length; i++) centres[i] *= spec.spread;
    return { kind: 'mixture', centres };
  }
  if (spec.kind === 'lowdim-manifold') {
    const A = rng.fillNormal(new Float64Array(spec.latentDim * p));
    const scale = 1 / Math.sqrt(spec.latentDim);
    for (let i = 0; i < A.length; i++) A[i] *= scale;
    return { kind: 'lowdim-manifold', A };
  }
  return { kind: 'none' };
}

function checkStructure(spec: InputSpec, p: number, structure: InputStructure | undefined): InputStructure {
  const fail = (what: string): never => {
    throw new Error(`Error in makeInputs: ${what}`);
  };
  if (spec.kind === 'mixture') {
    if (structure?.kind !== 'mixture') fail(`kind 'mixture' needs its centres: pass makeInputStructure(spec, p, rng)`);
    const { centres } = structure as Extract<InputStructure, { kind: 'mixture' }>;
    if (centres.length !== spec.k * p) fail(`structure has ${centres.length} centre entries, expected k·p = ${spec.k}·${p}`);
  } else if (spec.kind === 'lowdim-manifold') {
    if (structure?.kind !== 'lowdim-manifold') fail(`kind 'lowdim-manifold' needs its map A: pass makeInputStructure(spec, p, rng)`);
    const { A } = structure as Extract<InputStructure, { kind: 'lowdim-manifold' }>;
    if (A.length !== spec.latentDim * p) fail(`structure A has ${A.length} entries, expected latentDim·p = ${spec.latentDim}·${p}`);
  } else if (structure !== undefined && structure.kind !== 'none') {
    fail(`kind '${spec.kind}' takes no structure, got one of kind '${structure.kind}'`);
  }
  return structure ?? { kind: 'none' };
}

/**
 * n rows of p inputs from `spec`, row-major Float32Array [n, p], drawn from `rng`
 * (mixture and lowdim-manifold also need the structure from makeInputStructure).
 * gauss-iso is exactly Float32Array.from(rng.fillNormal(new Float64Array(n·p))).
 */
export function makeInputs(spec: InputSpec, n: number, p: number, rng: Rng, structure?: InputStructure): Float32Array {
  validateInputSpec(spec, p, 'makeInputs');
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`Error in makeInputs: n must be a positive integer, got ${String(n)}`);
  const shared = checkStructure(spec, p, structure);
  const X = new Float32Array(n * p);
  switch (spec.kind) {
    case 'gauss-iso':
      X.set(rng.fillNormal(new Float64Array(n * p)));
      break;
    case 'gauss-aniso': {
      const z = rng.fillNormal(new Float64Array(n * p));
      const std = Float64Array.from({ length: p }, (_, i) => Math.pow(spec.rho, i / 2));
      for (let r = 0; r < n; r++) for (let i = 0; i < p; i++) X[r * p + i] = std[i] * z[r * p + i];
      break;
    }
    case 'mixture': {
      const { centres } = shared as Extract<InputStructure, { kind: 'mixture' }>;
      const z = new Float64Array(p);
      for (let r = 0; r < n; r++) {
        const c = rng.int(spec.k) * p;
        rng.fillNormal(z);
        for (let i = 0; i < p; i++) X[r * p + i] = centres[c + i] + z[i];
      }
      break;
    }
    case 'lowdim-manifold': {
      const { A } = shared as Extract<InputStructure, { kind: 'lowdim-manifold' }>;
      const m = spec.latentDim;
      const Z = rng.fillNormal(new Float64Array(n * m));
      const row = new Float64Array(p);
      for (let r = 0; r < n; r++) {
        row.fill(0);
        for (let j = 0; j < m; j++) {
          const zj = Z[r * m + j];
          for (let i = 0; i < p; i++) row[i] += zj * A[j * p + i];
        }
        for (let i = 0; i < p; i++) X[r * p + i] = Math.tanh(row[i]);
      }
      break;
    }
    case 'heavy-tail': {
      const z = new Float64Array(p);
      for (let r = 0; r < n; r++) {
        rng.fillNormal(z);
        const scale = Math.sqrt(spec.df / sampleChiSquared(spec.df, rng));
        for (let i = 0; i < p; i++) X[r * p + i] = z[i] * scale;
      }
      break;
    }
  }
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i])) {
      throw new Error(`Error in makeInputs: row ${Math.floor(i / p)} is not finite in float32 (${spec.kind} with these options is too heavy-tailed)`);
    }
  }
  return X;
}
