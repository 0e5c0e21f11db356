/**
 * An MLP's training loss and its gradient in plain float64 JavaScript, for either loss a
 * target may declare:
 *   'mse'            L = 1/(n·d_out) Σ_r Σ_j (f_w(x_r)_j − y_rj)²        (PyTorch's MSELoss, mean)
 *   'cross-entropy'  L = 1/n Σ_r [log Σ_k exp f_w(x_r)_k − f_w(x_r)_{y_r}]  (PyTorch's cross_entropy on logits)
 * Imported networks are sampled with it: the user's weights and data are float64 on the way in,
 * so L(w*) and ∇L(w*) match PyTorch's float64 values to rounding, on every machine (no engine to
 * resolve, so the cache key is the same everywhere). Slower than the SIMD and native kernels,
 * which compute only the squared error.
 */
import type { LossModel } from '@llc/core/model';
import { activateF64 } from './mlpReference';
import { GELU_C, GELU_K, type Activation, type ParamLayout } from './mlpSpec';

export type LossKind = 'mse' | 'cross-entropy';
export const LOSS_KINDS: readonly LossKind[] = ['mse', 'cross-entropy'];

export interface MlpLossF64Options {
  layout: ParamLayout;
  /** Row-major [n, d_in]. */
  X: Float64Array;
  /** 'mse': row-major [n, d_out]; 'cross-entropy': n class indices in [0, d_out). */
  Y: Float64Array;
  loss: LossKind;
}

/** dσ/du at the pre-activation u (ReLU's kink gets 0, as in PyTorch). */
function activationSlope(activation: Activation, u: number): number {
  if (activation === 'relu') return u > 0 ? 1 : 0;
  if (activation === 'tanh') {
    const t = Math.tanh(u);
    return 1 - t * t;
  }
  if (activation === 'gelu') {
    const t = Math.tanh(GELU_C * (u + GELU_K * u * u * u));
    return 0.5 * (1 + t) + 0.5 * u * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * u * u);
  }
  return 1;
}

/**
 * Loss of one row's output `out` (length d_out) against its label, and ∂loss/∂out into `delta`
 * (unscaled: the caller divides by the number of terms).
 */
function rowLoss(loss: LossKind, out: Float64Array, Y: Float64Array, row: number, delta: Float64Array): number {
  const dOut = out.length;
  if (loss === 'mse') {
    let sum = 0;
    for (let j = 0; j < dOut; j++) {
      const r = out[j] - Y[row * dOut + j];
      delta[j] = 2 * r;
      sum += r * r;
    }
    return sum;
  }
  let max = -Infinity;
  for (let j = 0; j < dOut; j++) max = Math.max(max, out[j]);
  let total = 0;
  for (let j = 0; j < dOut; j++) {
    delta[j] = Math.exp(out[j] - max);
    total += delta[j];
  }
  const label = Y[row];
  for (let j = 0; j < dOut; j++) delta[j] /= total;
  delta[label] -= 1;
  return max + Math.log(total) - out[label];
}

/** The LossModel of an MLP (no layer norm) under `loss`, in float64. */
export function createMlpLossModelF64(options: MlpLossF64Options): LossModel {
  const { layout, X, Y, loss } = options;
  const widths = layout.spec.widths;
  if (layout.spec.layerNorm === true) throw new Error('Error in createMlpLossModelF64: layer norm is not supported');
  const dIn = widths[0];
  const dOut = widths[widths.length - 1];
  const n = X.length / dIn;
  if (!Number.isInteger(n) || n < 1) throw new Error(`Error in createMlpLossModelF64: X has ${X.length} values, not a positive multiple of d_in = ${dIn}`);
  const labelWidth = loss === 'mse' ? dOut : 1;
  if (Y.length !== n * labelWidth) throw new Error(`Error in createMlpLossModelF64: Y has ${Y.length} values, expected ${n}·${labelWidth}`);
  const activation = layout.spec.activation;
  const layers = layout.layers;
  const last = layers.length - 1;
  // Per-row buffers: pre-activations z_l and outputs a_l of every layer (a_0 is the input row).
  const z = widths.map((w) => new Float64Array(w));
  const a = widths.map((w) => new Float64Array(w));
  const delta = widths.map((w) => new Float64Array(w));
  const termsPerRow = loss === 'mse' ? dOut : 1;

  function forwardRow(w: Float64Array, row: number): void {
    a[0].set(X.subarray(row * dIn, (row + 1) * dIn));
    layers.forEach((slot, l) => {
      const zl = z[l + 1];
      const al = a[l + 1];
      const input = a[l];
      const h = slot.fanOut;
      for (let j = 0; j < h; j++) zl[j] = slot.bOffset === null ? 0 : w[slot.bOffset + j];
      for (let i = 0; i < slot.fanIn; i++) {
        const ai = input[i];
        if (ai === 0) continue;
        const base = slot.wOffset + i * h;
        for (let j = 0; j < h; j++) zl[j] += ai * w[base + j];
      }
      if (l === last) al.set(zl);
      else for (let j = 0; j < h; j++) al[j] = activateF64(activation, zl[j]);
    });
  }

  function backwardRow(w: Float64Array, scale: number, grad: Float64Array): void {
    const top = delta[last + 1];
    for (let j = 0; j < top.length; j++) top[j] *= scale;
    for (let l = last; l >= 0; l--) {
      const slot = layers[l];
      const h = slot.fanOut;
      const dz = delta[l + 1];
      const input = a[l];
      if (slot.bOffset !== null) for (let j = 0; j < h; j++) grad[slot.bOffset + j] += dz[j];
      const below = delta[l];
      for (let i = 0; i < slot.fanIn; i++) {
        const ai = input[i];
        const base = slot.wOffset + i * h;
        let back = 0;
        for (let j = 0; j < h; j++) {
          grad[base + j] += ai * dz[j];
          back += w[base + j] * dz[j];
        }
        below[i] = back;
      }
      if (l > 0) {
        const zBelow = z[l];
        for (let i = 0; i < slot.fanIn; i++) below[i] *= activationSlope(activation, zBelow[i]);
      }
    }
  }

  function evaluate(w: Float64Array, rows: Int32Array | null, grad: Float64Array | null): number {
    if (w.length !== layout.size) throw new Error(`Error in MlpLossModelF64: w has length ${w.length}, expected ${layout.size}`);
    const count = rows === null ? n : rows.length;
    if (count === 0) throw new Error('Error in MlpLossModelF64.lossAndGrad: batch is empty');
    const scale = 1 / (count * termsPerRow);
    if (grad) grad.fill(0);
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const row = rows === null ? k : rows[k];
      if (!(row >= 0 && row < n)) throw new Error(`Error in MlpLossModelF64.lossAndGrad: batch[${k}] = ${row} is outside [0, ${n})`);
      forwardRow(w, row);
      sum += rowLoss(loss, a[last + 1], Y, row, delta[last + 1]);
      if (grad) backwardRow(w, scale, grad);
    }
    return sum * scale;
  }

  return {
    dim: layout.size,
    n,
    loss: (w) => evaluate(w, null, null),
    lossAndGrad(w, batch, out) {
      const grad = out && out.length === layout.size ? out : new Float64Array(layout.size);
      const value = evaluate(w, batch ?? null, grad);
      return { loss: value, grad };
    },
  };
}

/** Fraction of rows whose largest logit (row-major [rows, dOut]) is the row's label. */
export function classificationAccuracy(logits: Float64Array, labels: Float64Array, dOut: number): number {
  let hits = 0;
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let j = 1; j < dOut; j++) if (logits[r * dOut + j] > logits[r * dOut + best]) best = j;
    if (best === labels[r]) hits++;
  }
  return hits / labels.length;
}
