/**
 * Shared by the MLP model tests (tfjs, WebAssembly SIMD, native): seeded problems, the
 * relative error they assert on, row gathering and float64 finite differences.
 */
import { createRng } from '../../../tools/src/random/rng';
import { mlpLossF64 } from './mlpReference';
import { mlpLayout, type Activation, type MlpSpec } from './mlpSpec';

/** Seeded inputs, targets and parameters (weights scaled to keep activations O(1)); `stream` keeps each suite's data its own. */
export function mlpProblem(spec: MlpSpec, n: number, seed: number, stream: string) {
  const layout = mlpLayout(spec);
  const rng = createRng(seed, stream);
  const dOut = spec.widths[spec.widths.length - 1];
  const X = Float32Array.from(rng.fillNormal(new Float64Array(n * spec.widths[0])));
  const Y = Float32Array.from(rng.fillNormal(new Float64Array(n * dOut)));
  const w = rng.fillNormal(new Float64Array(layout.size)).map((v) => v * 0.5);
  return { layout, X, Y, w, rng };
}

/** max |a − b| / max |b|: relative error at the scale of the reference vector. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** Rows `batch` of a row-major matrix with `width` columns. */
export function gatherRows(M: Float32Array, width: number, batch: Int32Array): Float32Array {
  const out = new Float32Array(batch.length * width);
  batch.forEach((row, i) => out.set(M.subarray(row * width, (row + 1) * width), i * width));
  return out;
}

/** Central differences (h = 1e-5) of the float64 reference loss at the coordinates `coords`. */
export function finiteDifferences(spec: MlpSpec, w: Float64Array, X: Float32Array, Y: Float32Array, coords: number[]): number[] {
  const layout = mlpLayout(spec);
  const h = 1e-5;
  return coords.map((i) => {
    const wp = Float64Array.from(w);
    wp[i] += h;
    const up = mlpLossF64(layout, wp, X, Y);
    wp[i] -= 2 * h;
    const down = mlpLossF64(layout, wp, X, Y);
    return (up - down) / (2 * h);
  });
}

export const ACTIVATIONS: Activation[] = ['relu', 'tanh', 'gelu', 'identity'];
/** [bias, layerNorm] combinations. */
export const VARIANTS: Array<[boolean, boolean]> = [
  [true, false],
  [false, false],
  [true, true],
  [false, true],
];
