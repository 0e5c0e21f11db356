/**
 * Plain float64 JavaScript MLP: the ground truth the tensor model is tested against,
 * and the teacher's label generator (so data do not depend on the tfjs backend).
 * Slow (no SIMD, no blocking) but exact to float64 rounding.
 */
import type { ParamLayout } from './mlpSpec';

/** f_w(X) in float64 for row-major X [rows, d_in]; returns row-major [rows, d_out]. */
export function mlpForwardF64(layout: ParamLayout, w: ArrayLike<number>, X: ArrayLike<number>): Float64Array {
  const widths = layout.spec.widths;
  const dIn = widths[0];
  if (w.length !== layout.size) throw new Error(`Error in mlpForwardF64: w has length ${w.length}, layout needs ${layout.size}`);
  if (X.length % dIn !== 0) throw new Error(`Error in mlpForwardF64: X length ${X.length} is not a multiple of d_in ${dIn}`);
  const rows = X.length / dIn;
  const dOut = widths[widths.length - 1];
  const out = new Float64Array(rows * dOut);
  const maxWidth = Math.max(...widths);
  let a = new Float64Array(maxWidth);
  let z = new Float64Array(maxWidth);
  const last = layout.layers.length - 1;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < dIn; i++) a[i] = X[r * dIn + i];
    layout.layers.forEach((slot, l) => {
      for (let j = 0; j < slot.fanOut; j++) z[j] = slot.bOffset === null ? 0 : w[slot.bOffset + j];
      for (let i = 0; i < slot.fanIn; i++) {
        const ai = a[i];
        const row = slot.wOffset + i * slot.fanOut;
        for (let j = 0; j < slot.fanOut; j++) z[j] += ai * w[row + j];
      }
      if (l < last) {
        const act = layout.spec.activation;
        for (let j = 0; j < slot.fanOut; j++) z[j] = act === 'relu' ? Math.max(0, z[j]) : act === 'tanh' ? Math.tanh(z[j]) : z[j];
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
