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
import type { LossModel } from '@llc/core/model';
import {
  GELU_C,
  GELU_K,
  LAYER_NORM_EPSILON,
  mlpLayout,
  validateMlpSpec,
  type Activation,
  type MlpSpec,
  type ParamLayout,
} from './mlpSpec';

export interface LayerTensors {
  readonly W: tf.Tensor2D;
  readonly b: tf.Tensor1D | null;
  /** Layer-norm gain and shift of a hidden layer of a layerNorm spec. */
  readonly norm?: { readonly gain: tf.Tensor1D; readonly shift: tf.Tensor1D };
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
  return layout.layers.map((slot) => {
    const W = tf.tensor2d(w32.subarray(slot.wOffset, slot.wOffset + slot.fanIn * slot.fanOut), [slot.fanIn, slot.fanOut]);
    const b = slot.bOffset === null ? null : tf.tensor1d(w32.subarray(slot.bOffset, slot.bOffset + slot.fanOut));
    if (slot.norm === undefined) return { W, b };
    const gain = tf.tensor1d(w32.subarray(slot.norm.gainOffset, slot.norm.gainOffset + slot.fanOut));
    const shift = tf.tensor1d(w32.subarray(slot.norm.shiftOffset, slot.norm.shiftOffset + slot.fanOut));
    return { W, b, norm: { gain, shift } };
  });
}

/** Disposes the tensors of mlpParamTensors. */
export function disposeParamTensors(params: readonly LayerTensors[]): void {
  for (const p of params) {
    p.W.dispose();
    p.b?.dispose();
    p.norm?.gain.dispose();
    p.norm?.shift.dispose();
  }
}

/** tanh(√(2/π)·(u + k·u³)), the gate of the tanh-approximate GELU. */
function geluGate(u: tf.Tensor2D): tf.Tensor2D {
  const cube = tf.mul(u, tf.mul(u, u));
  return tf.tanh(tf.mul<tf.Tensor2D>(tf.add(u, tf.mul(cube, GELU_K)), GELU_C));
}

function activate(activation: Activation, z: tf.Tensor2D): tf.Tensor2D {
  if (activation === 'relu') return tf.relu(z);
  if (activation === 'tanh') return tf.tanh(z);
  // ½·u·(1 + t) written as ½u + ½u·t.
  if (activation === 'gelu') {
    const half = tf.mul(z, 0.5);
    return tf.add(half, tf.mul(half, geluGate(z)));
  }
  return z;
}

interface NormCache {
  /** (z − mean)/√(var + ε), per row. */
  readonly xhat: tf.Tensor2D;
  /** 1/√(var + ε), shape [rows, 1]. */
  readonly invStd: tf.Tensor2D;
}

/** Layer norm over each row's units: xhat and 1/σ for the backward pass. */
function normalise(z: tf.Tensor2D): NormCache {
  const centred = tf.sub<tf.Tensor2D>(z, tf.mean(z, 1, true));
  const invStd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), 1, true), LAYER_NORM_EPSILON)) as tf.Tensor2D;
  return { xhat: tf.mul(centred, invStd), invStd };
}

/** g ⊙ xhat + s. */
function normAffine(xhat: tf.Tensor2D, norm: NonNullable<LayerTensors['norm']>): tf.Tensor2D {
  return tf.add(tf.mul(xhat, norm.gain), norm.shift);
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
    if (l === last) a = z;
    else a = activate(layout.spec.activation, layer.norm === undefined ? z : normAffine(normalise(z).xhat, layer.norm));
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

/**
 * δ ⊙ σ'(u). relu and tanh write σ' in terms of the output a = σ(u); gelu needs the
 * activation input u.
 */
function backThroughActivation(activation: Activation, delta: tf.Tensor2D, a: tf.Tensor2D, u: tf.Tensor2D): tf.Tensor2D {
  // relu: σ'(z) = 1[z > 0] = 1[a > 0]; tf.step(0) = 0 matches the autodiff convention at the kink.
  if (activation === 'relu') return tf.mul(delta, tf.step(a));
  // tanh: σ'(z) = 1 − a².
  if (activation === 'tanh') return tf.sub(delta, tf.mul(delta, tf.square(a)));
  if (activation === 'gelu') {
    // With t = tanh(c(u + k u³)): gelu'(u) = ½(1 + t) + ½·u·(1 − t²)·c·(1 + 3k u²).
    const t = geluGate(u);
    const inner = tf.mul(tf.add(tf.mul(tf.square(u), 3 * GELU_K), 1), 0.5 * GELU_C);
    const slope = tf.add(tf.mul(tf.add(t, 1), 0.5), tf.mul(tf.mul(u, tf.sub(1, tf.square(t))), inner));
    return tf.mul(delta, slope);
  }
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
    // inputs[l] is the input of layer l (A_{l-1} in 1-based notation); for hidden layer l,
    // preActivation[l] is the activation's input u and norms[l] the layer-norm cache.
    const inputs: tf.Tensor2D[] = [X];
    const preActivation: tf.Tensor2D[] = [];
    const norms: Array<NormCache | null> = [];
    let out = X;
    params.forEach((layer, l) => {
      const z = affine(inputs[l], layer);
      if (l === last) {
        out = z;
        return;
      }
      const norm = layer.norm === undefined ? null : normalise(z);
      const u = norm === null || layer.norm === undefined ? z : normAffine(norm.xhat, layer.norm);
      preActivation.push(u);
      norms.push(norm);
      inputs.push(activate(activation, u));
    });
    const residual = tf.sub<tf.Tensor2D>(out, Y);
    const r = residual.dataSync();
    for (let i = 0; i < r.length; i++) sumSq += r[i] * r[i];
    if (grad === null) return;

    // Column sums as 1ᵀ·δ: tf.sum over axis 0 transposes internally and measured slower on wasm.
    const onesRow = layout.spec.bias || layout.spec.layerNorm === true ? tf.ones([1, X.shape[0]]) : null;
    let delta: tf.Tensor2D = residual;
    for (let l = last; l >= 0; l--) {
      const slot = layout.layers[l];
      addScaled(grad, slot.wOffset, matMulTransA(inputs[l], delta, style).dataSync(), gradScale);
      if (slot.bOffset !== null && onesRow !== null) {
        addScaled(grad, slot.bOffset, tf.matMul(onesRow, delta).dataSync(), gradScale);
      }
      if (l === 0) break;
      // Back through hidden layer l − 1: activation, then layer norm.
      delta = backThroughActivation(activation, matMulTransB(delta, params[l].W, style), inputs[l], preActivation[l - 1]);
      const norm = norms[l - 1];
      const below = layout.layers[l - 1].norm;
      const tensors = params[l - 1].norm;
      if (norm !== null && below !== undefined && tensors !== undefined && onesRow !== null) {
        addScaled(grad, below.gainOffset, tf.matMul(onesRow, tf.mul(delta, norm.xhat)).dataSync(), gradScale);
        addScaled(grad, below.shiftOffset, tf.matMul(onesRow, delta).dataSync(), gradScale);
        // ∂/∂z of g ⊙ xhat: (1/σ)·(d − mean(d) − xhat·mean(d ⊙ xhat)) with d = δ ⊙ g, means over units.
        const d = tf.mul(delta, tensors.gain);
        const centred = tf.sub(d, tf.mean(d, 1, true));
        const projected = tf.sub(centred, tf.mul(norm.xhat, tf.mean(tf.mul(d, norm.xhat), 1, true)));
        delta = tf.mul(projected, norm.invStd);
      }
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
      disposeParamTensors(params);
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
