/**
 * Shared by the MLP model tests (tfjs, WebAssembly SIMD, native): seeded problems, the
 * relative error they assert on, row gathering and float64 finite differences.
 */
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import type { LossModel } from '@llc/core/model';
import { mlpLossF64 } from '../models/mlpReference';
import { mlpLayout, type Activation, type MlpSpec } from '../models/mlpSpec';

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

/**
 * lossAndGrad(w, batch, out) writes the gradient into `out` and returns it, with the values of
 * a call without `out`; a buffer of the wrong length is left alone (a fresh array comes back).
 */
export function assertGradientIntoOut(model: LossModel, w: Float64Array, batch: Int32Array): void {
  const fresh = model.lossAndGrad(w, batch);
  const out = new Float64Array(model.dim).fill(Number.NaN);
  const into = model.lossAndGrad(w, batch, out);
  assert.equal(into.grad, out);
  assert.equal(into.loss, fresh.loss);
  assert.deepEqual(Array.from(out), Array.from(fresh.grad));
  const wrong = new Float64Array(model.dim + 1);
  assert.notEqual(model.lossAndGrad(w, batch, wrong).grad, wrong);
}
