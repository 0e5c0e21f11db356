/**
 * Label noise y = f(x) + ε. Exact definitions, per label entry (row r, output o;
 * z, z' independent N(0, 1); p = input dimension):
 *
 *   gauss      ε = std·z.
 *   hetero     ε = σ(x)·z with σ(x) = std·(1 + slope·‖x‖/√p) (slope ≥ 0; ‖x‖/√p is
 *              about 1 for standard-normal inputs, so σ ranges from std at x = 0 upward).
 *   student-t  ε = std·z·√(df/g), g ~ χ²_df: std is the scale of a t_df variable
 *              (its standard deviation is std·√(df/(df − 2)) when df > 2, infinite otherwise).
 *   outliers   ε = std·z + B·scale·std·z', B ~ Bernoulli(fraction): Gaussian noise plus,
 *              independently per entry with probability `fraction`, an extra
 *              N(0, (scale·std)²) kick.
 *
 * Streams: z always comes from createRng(seed, stream) as one fillNormal over all
 * entries (so 'gauss' equals the earlier y = f(x) + σ·ε bit for bit); g, B and z' come
 * from the sub-streams (seed, stream, 'chi2' | 'outlier-flags' | 'outlier-values').
 */
import { createRng } from '@llc/core/random/rng';
import { sampleChiSquared } from './gamma';

export type NoiseSpec =
  | { readonly kind: 'gauss'; readonly std: number }
  | { readonly kind: 'hetero'; readonly std: number; readonly slope: number }
  | { readonly kind: 'student-t'; readonly std: number; readonly df: number }
  | { readonly kind: 'outliers'; readonly std: number; readonly fraction: number; readonly scale: number };

export type NoiseKind = NoiseSpec['kind'];
export const NOISE_KINDS: readonly NoiseKind[] = ['gauss', 'hetero', 'student-t', 'outliers'];

type WithOptionalStd<T> = T extends { std: number } ? Omit<T, 'std'> & { readonly std?: number } : never;
/** A NoiseSpec as configs give it: std may be left out and then comes from noiseStd. */
export type NoiseConfig = WithOptionalStd<NoiseSpec>;

/** Throws "Error in <caller>: <field><what>" when `spec` is not valid noise (field: a prefix such as 'noise.'). */
export function validateNoiseSpec(spec: NoiseSpec, caller = 'addNoise', field = ''): void {
  const fail = (what: string): never => {
    throw new Error(`Error in ${caller}: ${field}${what}`);
  };
  const finiteAtLeast0 = (value: unknown, name: string): void => {
    if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) fail(`${name} must be a finite number ≥ 0, got ${String(value)}`);
  };
  if (spec === null || typeof spec !== 'object') fail(`${field === '' ? 'spec' : field.slice(0, -1)} must be an object`);
  if (!NOISE_KINDS.includes(spec.kind)) fail(`kind must be one of ${NOISE_KINDS.join('|')}, got ${String(spec.kind)}`);
  finiteAtLeast0(spec.std, 'std');
  if (spec.kind === 'hetero') finiteAtLeast0(spec.slope, 'slope');
  if (spec.kind === 'student-t' && !(typeof spec.df === 'number' && Number.isFinite(spec.df) && spec.df > 0)) {
    fail(`df must be a finite number > 0, got ${String(spec.df)}`);
  }
  if (spec.kind === 'outliers') {
    if (!(typeof spec.fraction === 'number' && spec.fraction >= 0 && spec.fraction <= 1)) fail(`fraction must be in [0, 1], got ${String(spec.fraction)}`);
    finiteAtLeast0(spec.scale, 'scale');
  }
}

/**
 * The noise spec a config means: `noise` (default { kind: 'gauss' }) with its std
 * defaulting to `noiseStd`. One of them must give the std; noise.std wins when both do.
 */
export function resolveNoiseSpec(noise: NoiseConfig | undefined, noiseStd: number | undefined, caller = 'resolveNoiseSpec'): NoiseSpec {
  if (noise !== undefined && (noise === null || typeof noise !== 'object')) throw new Error(`Error in ${caller}: noise must be an object`);
  const config: NoiseConfig = noise ?? { kind: 'gauss' };
  const std = config.std ?? noiseStd;
  if (std === undefined) throw new Error(`Error in ${caller}: give the noise scale as noise.std or noiseStd`);
  const spec = { ...config, std } as NoiseSpec;
  validateNoiseSpec(spec, caller, 'noise.');
  return spec;
}

/**
 * ε for every entry of a [rows, outputDim] label array (row-major), rows = X.length / inputDim;
 * X (row-major [rows, inputDim]) is read by 'hetero' only.
 */
export function drawNoise(
  spec: NoiseSpec,
  X: ArrayLike<number>,
  inputDim: number,
  outputDim: number,
  seed: number,
  stream: string,
): Float64Array {
  validateNoiseSpec(spec, 'drawNoise');
  const fail = (what: string): never => {
    throw new Error(`Error in drawNoise: ${what}`);
  };
  if (!(Number.isInteger(inputDim) && inputDim > 0)) fail(`inputDim must be a positive integer, got ${String(inputDim)}`);
  if (!(Number.isInteger(outputDim) && outputDim > 0)) fail(`outputDim must be a positive integer, got ${String(outputDim)}`);
  if (X.length % inputDim !== 0) fail(`X length ${X.length} is not a multiple of inputDim ${inputDim}`);
  const rows = X.length / inputDim;
  const eps = createRng(seed, stream).fillNormal(new Float64Array(rows * outputDim));
  const { std } = spec;
  switch (spec.kind) {
    case 'gauss':
      for (let i = 0; i < eps.length; i++) eps[i] = std * eps[i];
      break;
    case 'hetero': {
      const rootP = Math.sqrt(inputDim);
      for (let r = 0; r < rows; r++) {
        let sq = 0;
        for (let i = 0; i < inputDim; i++) sq += X[r * inputDim + i] ** 2;
        const sigma = std * (1 + (spec.slope * Math.sqrt(sq)) / rootP);
        for (let o = 0; o < outputDim; o++) eps[r * outputDim + o] *= sigma;
      }
      break;
    }
    case 'student-t': {
      const chi2 = createRng(seed, stream, 'chi2');
      for (let i = 0; i < eps.length; i++) eps[i] = std * eps[i] * Math.sqrt(spec.df / sampleChiSquared(spec.df, chi2));
      break;
    }
    case 'outliers': {
      const flags = createRng(seed, stream, 'outlier-flags');
      const kicks = createRng(seed, stream, 'outlier-values').fillNormal(new Float64Array(eps.length));
      const kickStd = spec.scale * std;
      for (let i = 0; i < eps.length; i++) {
        eps[i] = std * eps[i];
        if (flags.uniform() < spec.fraction) eps[i] += kickStd * kicks[i];
      }
      break;
    }
  }
  return eps;
}

/** clean + ε (float64, same layout as clean: [rows, clean.length / rows]). */
export function addNoise(
  spec: NoiseSpec,
  clean: Float64Array,
  X: ArrayLike<number>,
  inputDim: number,
  seed: number,
  stream: string,
): Float64Array {
  if (!(Number.isInteger(inputDim) && inputDim > 0)) throw new Error(`Error in addNoise: inputDim must be a positive integer, got ${String(inputDim)}`);
  const rows = X.length / inputDim;
  if (!(Number.isInteger(rows) && rows > 0 && clean.length % rows === 0)) {
    throw new Error(`Error in addNoise: clean has length ${clean.length}, not a multiple of the ${rows} rows of X`);
  }
  const eps = drawNoise(spec, X, inputDim, clean.length / rows, seed, stream);
  const out = new Float64Array(clean.length);
  for (let i = 0; i < clean.length; i++) out[i] = clean[i] + eps[i];
  return out;
}
