/**
 * The losses an imported network may declare, and the float64 LossModel that averages one of them
 * over rows, given a network's forward and backward pass for one row:
 *   'mse'            L = 1/(n·d_out) Σ_r Σ_j (f_w(x_r)_j − y_rj)²        (PyTorch's MSELoss, mean)
 *   'cross-entropy'  L = 1/n Σ_r [log Σ_k exp f_w(x_r)_k − f_w(x_r)_{y_r}]  (PyTorch's cross_entropy on logits)
 */
import type { LossModel } from '@llc/core/model';
import { GELU_C, GELU_K, type Activation } from './mlpSpec';

export type LossKind = 'mse' | 'cross-entropy';
export const LOSS_KINDS: readonly LossKind[] = ['mse', 'cross-entropy'];

/** dσ/du at the pre-activation u (ReLU's kink gets 0, as in PyTorch). */
export function activationSlope(activation: Activation, u: number): number {
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

/** One network's row-by-row passes, for rowwiseLossModel. */
export interface RowNetwork {
  /** Who reports errors ("MlpLossModelF64"). */
  name: string;
  dim: number;
  n: number;
  dOut: number;
  /** f_w(x_row), into a buffer the network owns (valid until the next call). */
  forwardRow(w: Float64Array, row: number): Float64Array;
  /** Adds ∂(Σ terms)/∂w into `grad` given ∂/∂out = `delta` for the row forwardRow saw last. */
  backwardRow(w: Float64Array, delta: Float64Array, grad: Float64Array): void;
}

/** The mean of `loss` over all rows (or a batch of them) of `net`, with its gradient, in float64. */
export function rowwiseLossModel(net: RowNetwork, loss: LossKind, Y: Float64Array): LossModel {
  const { name, dim, n, dOut } = net;
  const labelWidth = loss === 'mse' ? dOut : 1;
  if (Y.length !== n * labelWidth) throw new Error(`Error in ${name}: Y has ${Y.length} values, expected ${n}·${labelWidth}`);
  const termsPerRow = loss === 'mse' ? dOut : 1;
  const delta = new Float64Array(dOut);

  function evaluate(w: Float64Array, rows: Int32Array | null, grad: Float64Array | null): number {
    if (w.length !== dim) throw new Error(`Error in ${name}: w has length ${w.length}, expected ${dim}`);
    const count = rows === null ? n : rows.length;
    if (count === 0) throw new Error(`Error in ${name}.lossAndGrad: batch is empty`);
    const scale = 1 / (count * termsPerRow);
    if (grad) grad.fill(0);
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const row = rows === null ? k : rows[k];
      if (!(row >= 0 && row < n)) throw new Error(`Error in ${name}.lossAndGrad: batch[${k}] = ${row} is outside [0, ${n})`);
      sum += rowLoss(loss, net.forwardRow(w, row), Y, row, delta);
      if (grad) {
        for (let j = 0; j < dOut; j++) delta[j] *= scale;
        net.backwardRow(w, delta, grad);
      }
    }
    return sum * scale;
  }

  return {
    dim,
    n,
    loss: (w) => evaluate(w, null, null),
    lossAndGrad(w, batch, out) {
      const grad = out && out.length === dim ? out : new Float64Array(dim);
      return { loss: evaluate(w, batch ?? null, grad), grad };
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
