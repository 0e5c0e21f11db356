/**
 * Plain float64 JavaScript MLP: the ground truth the tensor model is tested against,
 * and the teacher's label generator (so data do not depend on the tfjs backend).
 * Slow (no SIMD, no blocking) but exact to float64 rounding.
 */
import { GELU_C, GELU_K, LAYER_NORM_EPSILON, type Activation, type ParamLayout } from './mlpSpec';

export interface MlpForwardF64Options {
  /**
   * Multipliers for the hidden units' outputs (after the activation), row-major
   * [rows, Σ hidden widths] with each row's units listed layer by layer. Used for
   * teacher dropout (entries 0 or 1/(1 − p)); absent: all ones.
   */
  hiddenScale?: ArrayLike<number>;
}

/** σ(u) in float64. */
export function activateF64(activation: Activation, u: number): number {
  if (activation === 'relu') return Math.max(0, u);
  if (activation === 'tanh') return Math.tanh(u);
  if (activation === 'gelu') return 0.5 * u * (1 + Math.tanh(GELU_C * (u + GELU_K * u * u * u)));
  return u;
}

/** Σ of the hidden widths: the row length of MlpForwardF64Options.hiddenScale. */
export function hiddenUnitCount(layout: ParamLayout): number {
  return layout.layers.slice(0, -1).reduce((sum, slot) => sum + slot.fanOut, 0);
}

/** f_w(X) in float64 for row-major X [rows, d_in]; returns row-major [rows, d_out]. */
export function mlpForwardF64(
  layout: ParamLayout,
  w: ArrayLike<number>,
  X: ArrayLike<number>,
  options: MlpForwardF64Options = {},
): Float64Array {
  const widths = layout.spec.widths;
  const dIn = widths[0];
  if (w.length !== layout.size) throw new Error(`Error in mlpForwardF64: w has length ${w.length}, layout needs ${layout.size}`);
  if (X.length % dIn !== 0) throw new Error(`Error in mlpForwardF64: X length ${X.length} is not a multiple of d_in ${dIn}`);
  const rows = X.length / dIn;
  const hiddenUnits = hiddenUnitCount(layout);
  const scale = options.hiddenScale;
  if (scale !== undefined && scale.length !== rows * hiddenUnits) {
    throw new Error(`Error in mlpForwardF64: hiddenScale has length ${scale.length}, expected rows·Σhidden = ${rows}·${hiddenUnits}`);
  }
  const dOut = widths[widths.length - 1];
  const out = new Float64Array(rows * dOut);
  const maxWidth = Math.max(...widths);
  let a = new Float64Array(maxWidth);
  let z = new Float64Array(maxWidth);
  const last = layout.layers.length - 1;
  const act = layout.spec.activation;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < dIn; i++) a[i] = X[r * dIn + i];
    let unit = r * hiddenUnits;
    layout.layers.forEach((slot, l) => {
      const h = slot.fanOut;
      for (let j = 0; j < h; j++) z[j] = slot.bOffset === null ? 0 : w[slot.bOffset + j];
      for (let i = 0; i < slot.fanIn; i++) {
        const ai = a[i];
        const row = slot.wOffset + i * h;
        for (let j = 0; j < h; j++) z[j] += ai * w[row + j];
      }
      if (l < last) {
        if (slot.norm !== undefined) {
          let mean = 0;
          for (let j = 0; j < h; j++) mean += z[j];
          mean /= h;
          let variance = 0;
          for (let j = 0; j < h; j++) variance += (z[j] - mean) ** 2;
          variance /= h;
          const invStd = 1 / Math.sqrt(variance + LAYER_NORM_EPSILON);
          const { gainOffset, shiftOffset } = slot.norm;
          for (let j = 0; j < h; j++) z[j] = w[gainOffset + j] * ((z[j] - mean) * invStd) + w[shiftOffset + j];
        }
        for (let j = 0; j < h; j++) z[j] = activateF64(act, z[j]);
        if (scale !== undefined) for (let j = 0; j < h; j++) z[j] *= scale[unit + j];
        unit += h;
      }
      [a, z] = [z, a];
    });
    for (let j = 0; j < dOut; j++) out[r * dOut + j] = a[j];
  }
  return out;
}

/** Mean over rows and outputs of (f_w(x) − y)², all in float64. */
export function mlpLossF64(layout: ParamLayout, w: ArrayLike<number>, X: ArrayLike<number>, Y: ArrayLike<number>): number {
  const pred = mlpForwardF64(layout, w, X);
  if (pred.length !== Y.length) throw new Error(`Error in mlpLossF64: Y has length ${Y.length}, expected ${pred.length}`);
  let sum = 0;
  for (let i = 0; i < pred.length; i++) {
    const r = pred[i] - Y[i];
    sum += r * r;
  }
  return sum / pred.length;
}
