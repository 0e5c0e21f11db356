/**
 * An MLP's training loss and its gradient in plain float64 JavaScript, for either loss a
 * target may declare (rowwiseLoss.ts). Imported networks are sampled with it: the user's weights
 * and data are float64 on the way in, so L(w*) and ∇L(w*) match PyTorch's float64 values to
 * rounding, on every machine (no engine to resolve, so the cache key is the same everywhere).
 * Slower than the SIMD and native kernels, which compute only the squared error.
 */
import type { LossModel } from '@llc/core/model';
import { activateF64 } from './mlpReference';
import type { ParamLayout } from './mlpSpec';
import { activationSlope, rowwiseLossModel, type LossKind } from './rowwiseLoss';

export { classificationAccuracy, LOSS_KINDS, type LossKind } from './rowwiseLoss';

export interface MlpLossF64Options {
  layout: ParamLayout;
  /** Row-major [n, d_in]. */
  X: Float64Array;
  /** 'mse': row-major [n, d_out]; 'cross-entropy': n class indices in [0, d_out). */
  Y: Float64Array;
  loss: LossKind;
}

/** The LossModel of an MLP (no layer norm) under `loss`, in float64. */
export function createMlpLossModelF64(options: MlpLossF64Options): LossModel {
  const { layout, X, Y, loss } = options;
  const name = 'MlpLossModelF64';
  const widths = layout.spec.widths;
  if (layout.spec.layerNorm === true) throw new Error(`Error in ${name}: layer norm is not supported`);
  const dIn = widths[0];
  const n = X.length / dIn;
  if (!Number.isInteger(n) || n < 1) throw new Error(`Error in ${name}: X has ${X.length} values, not a positive multiple of d_in = ${dIn}`);
  const activation = layout.spec.activation;
  const layers = layout.layers;
  const last = layers.length - 1;
  // Per-row buffers: pre-activations z_l and outputs a_l of every layer (a_0 is the input row).
  const z = widths.map((w) => new Float64Array(w));
  const a = widths.map((w) => new Float64Array(w));
  const delta = widths.map((w) => new Float64Array(w));

  function forwardRow(w: Float64Array, row: number): Float64Array {
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
    return a[last + 1];
  }

  function backwardRow(w: Float64Array, top: Float64Array, grad: Float64Array): void {
    delta[last + 1].set(top);
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

  return rowwiseLossModel({ name, dim: layout.size, n, dOut: widths[widths.length - 1], forwardRow, backwardRow }, loss, Y);
}
