/**
 * The same MLP loss differentiated by tf.grad: a reference for tests of the explicit
 * backward pass and the baseline in its benchmark. Not used by the pipeline.
 */
import * as tf from '@tensorflow/tfjs-core';
// The Node build of tfjs-core ships no gradient functions (the umbrella @tensorflow/tfjs
// package registers them), and its register_all_gradients entry does not resolve under
// Node ESM; so register, from tfjs-core's own modules, just the kernels this loss uses.
import { addGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Add_grad';
import { batchMatMulGradConfig } from '@tensorflow/tfjs-core/dist/gradients/BatchMatMul_grad';
import { meanGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Mean_grad';
import { multiplyGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Multiply_grad';
import { reluGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Relu_grad';
import { rsqrtGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Rsqrt_grad';
import { squareGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Square_grad';
import { subGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Sub_grad';
import { tanhGradConfig } from '@tensorflow/tfjs-core/dist/gradients/Tanh_grad';
import { mlpForward, mlpParamTensors, type LayerTensors } from './mlp';
import type { ParamLayout } from './mlpSpec';

for (const config of [
  addGradConfig,
  batchMatMulGradConfig,
  meanGradConfig,
  multiplyGradConfig,
  reluGradConfig,
  rsqrtGradConfig,
  squareGradConfig,
  subGradConfig,
  tanhGradConfig,
]) {
  tf.registerGradient(config);
}

/** Loss (float32 mean, as tf computes it) and tf.grad gradient, for rows `batch` or all rows. */
export function mlpLossAndGradAutodiff(
  layout: ParamLayout,
  X: tf.Tensor2D,
  Y: tf.Tensor2D,
  w: Float64Array,
  batch?: Int32Array | null,
): { loss: number; grad: Float64Array } {
  const grad = new Float64Array(layout.size);
  let loss = 0;
  tf.tidy(() => {
    const params = mlpParamTensors(layout, w);
    const flat: tf.Tensor[] = params.flatMap((p) => [p.W, ...(p.b === null ? [] : [p.b]), ...(p.norm ? [p.norm.gain, p.norm.shift] : [])]);
    const idx = batch ? tf.tensor1d(batch, 'int32') : null;
    const xb = idx ? tf.gather(X, idx) : X;
    const yb = idx ? tf.gather(Y, idx) : Y;
    const lossOf = (...tensors: tf.Tensor[]): tf.Scalar => {
      let k = 0;
      const rebuilt: LayerTensors[] = params.map((p) => {
        const W = tensors[k++] as tf.Tensor2D;
        const b = p.b === null ? null : (tensors[k++] as tf.Tensor1D);
        if (p.norm === undefined) return { W, b };
        const gain = tensors[k++] as tf.Tensor1D;
        const shift = tensors[k++] as tf.Tensor1D;
        return { W, b, norm: { gain, shift } };
      });
      return tf.mean(tf.square(tf.sub(mlpForward(layout, rebuilt, xb), yb)));
    };
    const { value, grads } = tf.valueAndGrads(lossOf)(flat);
    loss = value.dataSync()[0];
    let k = 0;
    layout.layers.forEach((slot) => {
      grad.set(grads[k++].dataSync(), slot.wOffset);
      if (slot.bOffset !== null) grad.set(grads[k++].dataSync(), slot.bOffset);
      if (slot.norm !== undefined) {
        grad.set(grads[k++].dataSync(), slot.norm.gainOffset);
        grad.set(grads[k++].dataSync(), slot.norm.shiftOffset);
      }
    });
  });
  return { loss, grad };
}
