/**
 * Deep linear network (DLN) targets with a known learning coefficient: a teacher
 * f(x) = W_L⋯W_1 x whose end-to-end map has rank exactly r, data x ~ N(0, I),
 * y = f(x) + σε, and λ from Aoyagi (2024) (dln.ts) or, for two layers, Aoyagi &
 * Watanabe (2005) (rrr.ts).
 *
 * Parameters use the MLP flat layout (mlpSpec.ts) with activation 'identity' and no
 * biases, so the student the samplers see is an ordinary MLP and w* is the teacher itself
 * (a true parameter: the LLC is evaluated there, docs/SCIENCE.md §3).
 *
 * Teacher construction (r > 0). In the layout's row-vector convention layer l maps
 * x ↦ x·W_l with W_l of shape [H_l, H_{l+1}]. We take W_l = A_l B_lᵀ with
 *   A_l = Q_l·diag(s^{1/L}),  B_l = Q_{l+1},
 * where Q_j ∈ R^{H_j×r} has orthonormal columns spanning a uniformly random subspace and
 * s_1…s_r are the end-to-end singular values, drawn in `singularValueRange`. Then every
 * layer has rank r and W_1⋯W_L = Q_1 diag(s) Q_{L+1}ᵀ has rank exactly r with singular
 * values exactly s, whatever the depth. Independent random factors would give the same
 * rank only almost surely, and a product of random r×r blocks can be badly conditioned,
 * so the data might not reveal rank r at the sample sizes used.
 * The teacher is balanced (W_lᵀW_l = W_{l+1}W_{l+1}ᵀ), as gradient flow from small
 * initialisation keeps it (Arora, Cohen & Hazan 2018). That is no loss of generality for λ:
 * W_l → W_l G, W_{l+1} → G⁻¹W_{l+1} (G invertible) is an analytic change of coordinates that
 * leaves the model unchanged, and the local learning coefficient is invariant under it.
 */
import { createRng } from '@llc/core/random/rng';
import { mlpForwardF64 } from '../models/mlpReference';
import { mlpLayout, type MlpSpec, type ParamLayout } from '../models/mlpSpec';
import { dlnLambda } from './dln';
import { matMul, numericalRank, randomOrthonormalColumns } from './linalg';
import { rrrLambda } from './rrr';

export interface DlnTargetConfig {
  /** [H_1 (input), …, H_{L+1} (output)], at least two entries. */
  widths: readonly number[];
  /** Rank r of every layer and of the end-to-end map, 0 ≤ r ≤ min(widths). */
  rank: number;
  /** Training rows. */
  n: number;
  /** Test rows (an independent draw). */
  nTest: number;
  /** σ of the Gaussian label noise. */
  noiseStd: number;
  seed: number;
  /** Range of the end-to-end nonzero singular values (default [1, 2]: well above typical noise, so rank r is identifiable). */
  singularValueRange?: readonly [number, number];
}

export interface DlnTarget {
  /** The model: an MLP with the teacher's widths, identity activation, no biases. */
  spec: MlpSpec;
  layout: ParamLayout;
  /** The true (teacher) parameters in the MLP flat layout; all zeros when r = 0. */
  wStar: Float64Array;
  /** End-to-end map W_1⋯W_L, row-major [H_1, H_{L+1}] (y = x·wTotal + σε). */
  wTotal: Float64Array;
  /** Nonzero singular values of wTotal, descending (length r). */
  singularValues: Float64Array;
  rank: number;
  /** Row-major [n, H_1]. */
  X: Float32Array;
  /** Row-major [n, H_{L+1}]. */
  Y: Float32Array;
  Xtest: Float32Array;
  Ytest: Float32Array;
  /** Known λ at w* (Aoyagi 2024; Aoyagi & Watanabe 2005 for two layers). */
  lambdaTrue: number;
  multiplicity: number;
}

export interface RrrTargetConfig extends Omit<DlnTargetConfig, 'widths'> {
  /** Input dimension. */
  M: number;
  /** Hidden (inner) dimension. */
  H: number;
  /** Output dimension. */
  N: number;
}

const DEFAULT_SINGULAR_VALUE_RANGE: readonly [number, number] = [1, 2];

function checkConfig(config: DlnTargetConfig, caller: string): void {
  const fail = (message: string): never => {
    throw new Error(`Error in ${caller}: ${message}`);
  };
  const { widths, rank, n, nTest, noiseStd, seed } = config;
  if (!Array.isArray(widths) || widths.length < 2) fail(`widths must list at least [input, output], got ${JSON.stringify(widths)}`);
  widths.forEach((h, j) => {
    if (!(Number.isInteger(h) && h >= 1)) fail(`widths[${j}] must be a positive integer, got ${String(h)}`);
  });
  if (!(Number.isInteger(rank) && rank >= 0)) fail(`rank must be a non-negative integer, got ${String(rank)}`);
  if (rank > Math.min(...widths)) fail(`rank must be ≤ min(widths) = ${Math.min(...widths)}, got ${rank}`);
  if (!(Number.isInteger(n) && n > 0)) fail(`n must be a positive integer, got ${String(n)}`);
  if (!(Number.isInteger(nTest) && nTest > 0)) fail(`nTest must be a positive integer, got ${String(nTest)}`);
  if (!(Number.isFinite(noiseStd) && noiseStd >= 0)) fail(`noiseStd must be a finite number ≥ 0, got ${String(noiseStd)}`);
  if (!Number.isSafeInteger(seed)) fail(`seed must be a safe integer, got ${String(seed)}`);
  const range = config.singularValueRange ?? DEFAULT_SINGULAR_VALUE_RANGE;
  if (!(Array.isArray(range) && range.length === 2 && range[0] > 0 && Number.isFinite(range[1]) && range[1] >= range[0])) {
    fail(`singularValueRange must be [lo, hi] with 0 < lo ≤ hi < ∞, got ${JSON.stringify(range)}`);
  }
}

/** Teacher parameters (MLP layout), end-to-end map and its singular values; see the file comment. */
function buildTeacher(layout: ParamLayout, rank: number, seed: number, range: readonly [number, number]) {
  const widths = layout.spec.widths;
  const L = widths.length - 1;
  const wStar = new Float64Array(layout.size);
  const s = new Float64Array(rank);
  const rng = createRng(seed, 'dln', 'teacher');
  for (let i = 0; i < rank; i++) s[i] = range[0] + (range[1] - range[0]) * rng.uniform();
  s.sort().reverse();
  const Q = widths.map((h) => randomOrthonormalColumns(rng, h, rank));
  layout.layers.forEach((slot, l) => {
    // W_l = Q_l diag(s^{1/L}) Q_{l+1}ᵀ, shape [fanIn, fanOut] row-major at slot.wOffset.
    for (let i = 0; i < slot.fanIn; i++) {
      for (let j = 0; j < slot.fanOut; j++) {
        let v = 0;
        for (let k = 0; k < rank; k++) v += Q[l][i * rank + k] * s[k] ** (1 / L) * Q[l + 1][j * rank + k];
        wStar[slot.wOffset + i * slot.fanOut + j] = v;
      }
    }
  });
  return { wStar, singularValues: s };
}

/** W_1⋯W_L of a bias-free layout, row-major [H_1, H_{L+1}]. */
export function endToEndMap(layout: ParamLayout, w: Float64Array): Float64Array {
  if (w.length !== layout.size) throw new Error(`Error in endToEndMap: w has length ${w.length}, layout needs ${layout.size}`);
  if (layout.spec.bias) throw new Error('Error in endToEndMap: layout has biases; the end-to-end map is affine, not linear');
  const widths = layout.spec.widths;
  let total: Float64Array = new Float64Array(widths[0] * widths[0]);
  for (let i = 0; i < widths[0]; i++) total[i * widths[0] + i] = 1;
  for (const slot of layout.layers) {
    total = matMul(total, w.subarray(slot.wOffset, slot.wOffset + slot.fanIn * slot.fanOut), widths[0], slot.fanIn, slot.fanOut);
  }
  return total;
}

function drawRows(seed: number, rows: number, layout: ParamLayout, wStar: Float64Array, noiseStd: number, split: string) {
  const dIn = layout.spec.widths[0];
  // Named streams per split: changing n never changes the teacher, the test set or the first training rows.
  const X = Float32Array.from(createRng(seed, 'dln', split, 'inputs').fillNormal(new Float64Array(rows * dIn)));
  const clean = mlpForwardF64(layout, wStar, X);
  const noise = createRng(seed, 'dln', split, 'noise').fillNormal(new Float64Array(clean.length));
  const Y = new Float32Array(clean.length);
  for (let i = 0; i < clean.length; i++) Y[i] = clean[i] + noiseStd * noise[i];
  return { X, Y };
}

function buildTarget(config: DlnTargetConfig, caller: string, known: { lambda: number; multiplicity: number }): DlnTarget {
  const { widths, rank, n, nTest, noiseStd, seed } = config;
  const spec: MlpSpec = { widths: [...widths], activation: 'identity', bias: false };
  const layout = mlpLayout(spec);
  const { wStar, singularValues } = buildTeacher(layout, rank, seed, config.singularValueRange ?? DEFAULT_SINGULAR_VALUE_RANGE);
  const wTotal = endToEndMap(layout, wStar);
  // The construction guarantees these ranks; checked because λ is only right if they hold.
  for (const [l, slot] of layout.layers.entries()) {
    const got = numericalRank(wStar.subarray(slot.wOffset, slot.wOffset + slot.fanIn * slot.fanOut), slot.fanIn, slot.fanOut);
    if (got !== rank) throw new Error(`Error in ${caller}: layer ${l + 1} has numerical rank ${got}, expected ${rank}`);
  }
  const totalRank = numericalRank(wTotal, widths[0], widths[widths.length - 1]);
  if (totalRank !== rank) throw new Error(`Error in ${caller}: end-to-end map has numerical rank ${totalRank}, expected ${rank}`);
  const train = drawRows(seed, n, layout, wStar, noiseStd, 'train');
  const test = drawRows(seed, nTest, layout, wStar, noiseStd, 'test');
  return {
    spec,
    layout,
    wStar,
    wTotal,
    singularValues,
    rank,
    X: train.X,
    Y: train.Y,
    Xtest: test.X,
    Ytest: test.Y,
    lambdaTrue: known.lambda,
    multiplicity: known.multiplicity,
  };
}

/** A deep linear network target with known λ (Aoyagi 2024). */
export function makeDlnTarget(config: DlnTargetConfig): DlnTarget {
  checkConfig(config, 'makeDlnTarget');
  return buildTarget(config, 'makeDlnTarget', dlnLambda(config.widths, config.rank));
}

/** Reduced-rank regression: the two-layer DLN [M, H, N] with λ from Aoyagi & Watanabe (2005). */
export function makeRrrTarget(config: RrrTargetConfig): DlnTarget {
  const { M, H, N, ...rest } = config;
  for (const [name, value] of [['M', M], ['H', H], ['N', N]] as const) {
    if (!(Number.isInteger(value) && value >= 1)) throw new Error(`Error in makeRrrTarget: ${name} must be a positive integer, got ${String(value)}`);
  }
  const dln: DlnTargetConfig = { ...rest, widths: [M, H, N] };
  checkConfig(dln, 'makeRrrTarget');
  return buildTarget(dln, 'makeRrrTarget', rrrLambda({ M, H, N, r: config.rank }));
}
