/**
 * Tensor implementation of an MLP regression loss with an explicit backward pass.
 *
 * Why not tf.grad: on the wasm backend the autodiff tape roughly triples the cost
 * of a step, while the MLP backward pass is a handful of matMuls we can write down.
 * Precision plan: tensors are float32 (the engine's only fast dtype); the sampler's
 * float64 parameters are rounded once on entry, per-row residuals are downloaded and
 * squared/summed in float64, and row chunks are summed in float64, so the loss does
 * not lose digits with n.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LossModel } from '../../../samplers/src/model';
import { mlpLayout, validateMlpSpec, type Activation, type MlpSpec, type ParamLayout } from './mlpSpec';

export interface LayerTensors {
  readonly W: tf.Tensor2D;
  readonly b: tf.Tensor1D | null;
}

/**
 * How transposed operands reach matMul in the backward pass: 'materialise' runs
 * tf.transpose then a plain A·B matMul; 'flags' passes transposeA/transposeB to matMul.
 */
export type TransposeStyle = 'materialise' | 'flags';

/** Float32 tensors for each layer of the flat vector `w` (dispose them, or create inside tf.tidy). */
export function mlpParamTensors(layout: ParamLayout, w: Float64Array | Float32Array): LayerTensors[] {
  if (w.length !== layout.size) {
    throw new Error(`Error in mlpParamTensors: w has length ${w.length}, layout needs ${layout.size}`);
  }
  // A fresh float32 copy per call: the cpu backend keeps a reference to the array it is given.
  const w32 = Float32Array.from(w);
  return layout.layers.map((slot) => ({
    W: tf.tensor2d(w32.subarray(slot.wOffset, slot.wOffset + slot.fanIn * slot.fanOut), [slot.fanIn, slot.fanOut]),
    b: slot.bOffset === null ? null : tf.tensor1d(w32.subarray(slot.bOffset, slot.bOffset + slot.fanOut)),
  }));
}

function activate(activation: Activation, z: tf.Tensor2D): tf.Tensor2D {
  if (activation === 'relu') return tf.relu(z);
  if (activation === 'tanh') return tf.tanh(z);
  return z;
}

/** Affine map of one layer: A·W (+ b). */
function affine(a: tf.Tensor2D, layer: LayerTensors): tf.Tensor2D {
  const z: tf.Tensor2D = tf.matMul(a, layer.W);
  return layer.b === null ? z : (tf.add(z, layer.b) as tf.Tensor2D);
}

/**
 * Forward pass f_w(X) of shape [rows, d_out]. Returns a new tensor; intermediates
 * are left to the caller's tf.tidy.
 */
export function mlpForward(layout: ParamLayout, params: readonly LayerTensors[], X: tf.Tensor2D): tf.Tensor2D {
  let a = X;
  const last = params.length - 1;
  params.forEach((layer, l) => {
    const z = affine(a, layer);
    a = l === last ? z : activate(layout.spec.activation, z);
  });
  return a;
}

/** Predictions for row-major float32 inputs, as a row-major Float32Array [rows, d_out]. */
export function mlpPredict(layout: ParamLayout, w: Float64Array | Float32Array, X: Float32Array): Float32Array {
  const dIn = layout.spec.widths[0];
  if (X.length % dIn !== 0) throw new Error(`Error in mlpPredict: X length ${X.length} is not a multiple of d_in ${dIn}`);
  return tf.tidy(() => {
    const params = mlpParamTensors(layout, w);
    return mlpForward(layout, params, tf.tensor2d(X, [X.length / dIn, dIn])).dataSync() as Float32Array;
  });
}

/** δ ⊙ σ'(z), with σ' written in terms of the activation output a = σ(z) (no pre-activation cache needed). */
function backThroughActivation(activation: Activation, delta: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D {
  // relu: σ'(z) = 1[z > 0] = 1[a > 0]; tf.step(0) = 0 matches the autodiff convention at the kink.
  if (activation === 'relu') return tf.mul(delta, tf.step(a));
  // tanh: σ'(z) = 1 − a².
  if (activation === 'tanh') return tf.sub(delta, tf.mul(delta, tf.square(a)));
  return delta;
}

/** a·bᵀ */
function matMulTransB(a: tf.Tensor2D, b: tf.Tensor2D, style: TransposeStyle): tf.Tensor2D {
  return style === 'flags' ? tf.matMul(a, b, false, true) : tf.matMul(a, tf.transpose(b));
}

/** aᵀ·b */
function matMulTransA(a: tf.Tensor2D, b: tf.Tensor2D, style: TransposeStyle): tf.Tensor2D {
  return style === 'flags' ? tf.matMul(a, b, true, false) : tf.matMul(tf.transpose(a), b);
}

/**
 * One chunk of rows: returns Σ (f_w(x) − y)² over the chunk in float64 and, when
 * `grad` is given, adds `gradScale` × ∇_w ½Σ(f_w(x) − y)² into it.
 * Backprop of ½ΣR² starts from δ_L = R; the 2/(rows·d_out) factor of the mean is
 * applied in float64 by the caller through `gradScale`.
 */
function accumulateChunk(
  layout: ParamLayout,
  params: readonly LayerTensors[],
  X: tf.Tensor2D,
  Y: tf.Tensor2D,
  grad: Float64Array | null,
  gradScale: number,
  style: TransposeStyle,
): number {
  let sumSq = 0;
  tf.tidy(() => {
    const activation = layout.spec.activation;
    const last = params.length - 1;
    // inputs[l] is the input of layer l (A_{l-1} in 1-based notation).
    const inputs: tf.Tensor2D[] = [X];
    let out = X;
    params.forEach((layer, l) => {
      const z = affine(inputs[l], layer);
      if (l === last) out = z;
      else inputs.push(activate(activation, z));
    });
    const residual = tf.sub<tf.Tensor2D>(out, Y);
    const r = residual.dataSync();
    for (let i = 0; i < r.length; i++) sumSq += r[i] * r[i];
    if (grad === null) return;

    // Column sums as 1ᵀ·δ: tf.sum over axis 0 transposes internally and measured slower on wasm.
    const onesRow = layout.spec.bias ? tf.ones([1, X.shape[0]]) : null;
    let delta: tf.Tensor2D = residual;
    for (let l = last; l >= 0; l--) {
      const slot = layout.layers[l];
      addScaled(grad, slot.wOffset, matMulTransA(inputs[l], delta, style).dataSync(), gradScale);
      if (slot.bOffset !== null && onesRow !== null) {
        addScaled(grad, slot.bOffset, tf.matMul(onesRow, delta).dataSync(), gradScale);
      }
      if (l > 0) delta = backThroughActivation(activation, matMulTransB(delta, params[l].W, style), inputs[l]);
    }
  });
  return sumSq;
}

function addScaled(target: Float64Array, offset: number, values: ArrayLike<number>, scale: number): void {
  for (let k = 0; k < values.length; k++) target[offset + k] += scale * values[k];
}

/** Activations held at once per chunk (floats); bounds memory for large n. */
const CHUNK_ELEMENTS = 1 << 22;

export interface MlpLossModelOptions {
  spec: MlpSpec;
  /** Inputs, row-major [n, d_in]. */
  X: Float32Array;
  /** Targets, row-major [n, d_out]. */
  Y: Float32Array;
  n: number;
  /** A trained optimum to localise around (kept as a copy; not used by the loss). */
  wStar?: Float64Array;
  /** Backward-pass matMul form (default 'materialise': 3–4× faster than 'flags' on wasm, see mlp.bench.ts). */
  transposeStyle?: TransposeStyle;
}

export interface MlpLossModel extends LossModel {
  readonly layout: ParamLayout;
  readonly wStar: Float64Array | null;
  dispose(): void;
}

/**
 * LossModel for L_n(w) = mean over rows and outputs of (f_w(x) − y)² (no ½).
 * X and Y stay resident as tensors until dispose().
 */
export function createMlpLossModel(options: MlpLossModelOptions): MlpLossModel {
  const { spec, X, Y, n } = options;
  validateMlpSpec(spec, 'createMlpLossModel');
  const layout = mlpLayout(spec);
  const dIn = spec.widths[0];
  const dOut = spec.widths[spec.widths.length - 1];
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`Error in createMlpLossModel: n must be a positive integer, got ${n}`);
  if (X.length !== n * dIn) throw new Error(`Error in createMlpLossModel: X has length ${X.length}, expected n·d_in = ${n}·${dIn}`);
  if (Y.length !== n * dOut) throw new Error(`Error in createMlpLossModel: Y has length ${Y.length}, expected n·d_out = ${n}·${dOut}`);
  if (options.wStar !== undefined && options.wStar.length !== layout.size) {
    throw new Error(`Error in createMlpLossModel: wStar has length ${options.wStar.length}, layout needs ${layout.size}`);
  }
  const style = options.transposeStyle ?? 'materialise';
  const chunkRows = Math.max(1, Math.floor(CHUNK_ELEMENTS / Math.max(...spec.widths)));

  // Copies: the cpu backend would otherwise alias the caller's arrays.
  let xTensor: tf.Tensor2D | null = tf.tensor2d(Float32Array.from(X), [n, dIn]);
  let yTensor: tf.Tensor2D | null = tf.tensor2d(Float32Array.from(Y), [n, dOut]);
  const wStar = options.wStar === undefined ? null : Float64Array.from(options.wStar);

  const resident = (): [tf.Tensor2D, tf.Tensor2D] => {
    if (xTensor === null || yTensor === null) throw new Error('Error in MlpLossModel: used after dispose()');
    return [xTensor, yTensor];
  };

  const checkBatch = (batch: Int32Array): void => {
    if (batch.length === 0) throw new Error('Error in MlpLossModel.lossAndGrad: batch is empty');
    for (let i = 0; i < batch.length; i++) {
      const row = batch[i];
      if (row < 0 || row >= n) throw new Error(`Error in MlpLossModel.lossAndGrad: batch[${i}] = ${row} is outside [0, ${n})`);
    }
  };

  /** Mean loss (and gradient into `grad`) over all rows or the rows in `batch`, chunk by chunk. */
  const evaluate = (w: Float64Array, batch: Int32Array | null, grad: Float64Array | null): number => {
    if (w.length !== layout.size) {
      throw new Error(`Error in MlpLossModel: w has length ${w.length}, model has dim ${layout.size}`);
    }
    const [xAll, yAll] = resident();
    const rows = batch === null ? n : batch.length;
    const gradScale = 2 / (rows * dOut);
    let sumSq = 0;
    const params = mlpParamTensors(layout, w);
    try {
      for (let start = 0; start < rows; start += chunkRows) {
        const size = Math.min(chunkRows, rows - start);
        if (batch === null && size === n) {
          sumSq += accumulateChunk(layout, params, xAll, yAll, grad, gradScale, style);
          continue;
        }
        const [xc, yc] = tf.tidy(() => {
          if (batch === null) return [tf.slice(xAll, [start, 0], [size, dIn]), tf.slice(yAll, [start, 0], [size, dOut])];
          const idx = tf.tensor1d(batch.subarray(start, start + size), 'int32');
          return [tf.gather(xAll, idx), tf.gather(yAll, idx)];
        });
        try {
          sumSq += accumulateChunk(layout, params, xc, yc, grad, gradScale, style);
        } finally {
          xc.dispose();
          yc.dispose();
        }
      }
    } finally {
      for (const p of params) {
        p.W.dispose();
        p.b?.dispose();
      }
    }
    return sumSq / (rows * dOut);
  };

  return {
    dim: layout.size,
    n,
    layout,
    wStar,
    loss(w) {
      return evaluate(w, null, null);
    },
    lossAndGrad(w, batch) {
      if (batch) checkBatch(batch);
      const grad = new Float64Array(layout.size);
      const loss = evaluate(w, batch ?? null, grad);
      return { loss, grad };
    },
    dispose() {
      xTensor?.dispose();
      yTensor?.dispose();
      xTensor = null;
      yTensor = null;
    },
  };
}
