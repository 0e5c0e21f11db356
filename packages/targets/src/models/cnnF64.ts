/**
 * A small convolutional network in float64 JavaScript: nn.Conv2d layers (any channels, kernel,
 * stride, zero padding), then nn.Linear layers, one activation after every layer but the last,
 * and the implicit nn.Flatten (channel-major, as PyTorch's) before the first linear layer.
 * Parameters are PyTorch's tensors in layer order, each in its own layout (conv [out, in, kh, kw],
 * linear [out, in]), then its bias, so w* is the state_dict concatenated.
 */
import type { LossModel } from '@llc/core/model';
import { activateF64 } from './mlpReference';
import type { Activation } from './mlpSpec';
import { activationSlope, rowwiseLossModel, type LossKind } from './rowwiseLoss';

export type CnnLayerSpec =
  | { kind: 'conv2d'; outChannels: number; kernel: [number, number]; stride: number; padding: number; bias: boolean }
  | { kind: 'linear'; outFeatures: number; bias: boolean };

export interface CnnSpec {
  /** [channels, height, width] of one input row (its C·H·W values, channel-major). */
  inputShape: [number, number, number];
  activation: Activation;
  layers: CnnLayerSpec[];
}

export type CnnSlot =
  | { kind: 'conv2d'; inShape: [number, number, number]; outShape: [number, number, number]; kernel: [number, number]; stride: number; padding: number; wOffset: number; bOffset: number | null }
  | { kind: 'linear'; fanIn: number; fanOut: number; wOffset: number; bOffset: number | null };

export interface CnnLayout {
  spec: CnnSpec;
  slots: CnnSlot[];
  /** Parameter count d. */
  size: number;
  dIn: number;
  dOut: number;
}

const sizeOf = (s: CnnSlot) => (s.kind === 'linear' ? s.fanOut : s.outShape[0] * s.outShape[1] * s.outShape[2]);

/** Where each layer's tensors sit in w, and every layer's input and output shape; throws naming the layer that does not fit. */
export function cnnLayout(spec: CnnSpec): CnnLayout {
  const slots: CnnSlot[] = [];
  let offset = 0;
  let shape: [number, number, number] | null = [...spec.inputShape];
  let features = shape[0] * shape[1] * shape[2];
  spec.layers.forEach((layer, l) => {
    if (layer.kind === 'conv2d') {
      if (shape === null) throw new Error(`Error in cnnLayout: layers[${l}] is a conv2d after a linear layer; convolutions come first`);
      const [c, h, w] = shape;
      const [kh, kw] = layer.kernel;
      const outH = Math.floor((h + 2 * layer.padding - kh) / layer.stride) + 1;
      const outW = Math.floor((w + 2 * layer.padding - kw) / layer.stride) + 1;
      if (outH < 1 || outW < 1) throw new Error(`Error in cnnLayout: layers[${l}]: a ${kh}×${kw} kernel does not fit a ${h}×${w} input with padding ${layer.padding}`);
      const wOffset = offset;
      offset += layer.outChannels * c * kh * kw;
      const bOffset = layer.bias ? offset : null;
      if (layer.bias) offset += layer.outChannels;
      const outShape: [number, number, number] = [layer.outChannels, outH, outW];
      slots.push({ kind: 'conv2d', inShape: [c, h, w], outShape, kernel: [kh, kw], stride: layer.stride, padding: layer.padding, wOffset, bOffset });
      shape = outShape;
      features = outShape[0] * outH * outW;
    } else {
      const wOffset = offset;
      offset += layer.outFeatures * features;
      const bOffset = layer.bias ? offset : null;
      if (layer.bias) offset += layer.outFeatures;
      slots.push({ kind: 'linear', fanIn: features, fanOut: layer.outFeatures, wOffset, bOffset });
      shape = null;
      features = layer.outFeatures;
    }
  });
  if (slots.length === 0 || slots[slots.length - 1].kind !== 'linear') throw new Error('Error in cnnLayout: the last layer must be linear (the logits or outputs)');
  return { spec, slots, size: offset, dIn: spec.inputShape[0] * spec.inputShape[1] * spec.inputShape[2], dOut: features };
}

function convForward(s: Extract<CnnSlot, { kind: 'conv2d' }>, w: Float64Array, input: Float64Array, z: Float64Array): void {
  const [c, h, wd] = s.inShape;
  const [o, oh, ow] = s.outShape;
  const [kh, kw] = s.kernel;
  for (let oc = 0; oc < o; oc++) {
    const bias = s.bOffset === null ? 0 : w[s.bOffset + oc];
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        let sum = bias;
        for (let ic = 0; ic < c; ic++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = y * s.stride + ky - s.padding;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = x * s.stride + kx - s.padding;
              if (ix < 0 || ix >= wd) continue;
              sum += w[s.wOffset + ((oc * c + ic) * kh + ky) * kw + kx] * input[(ic * h + iy) * wd + ix];
            }
          }
        }
        z[(oc * oh + y) * ow + x] = sum;
      }
    }
  }
}

function convBackward(s: Extract<CnnSlot, { kind: 'conv2d' }>, w: Float64Array, input: Float64Array, dz: Float64Array, grad: Float64Array, below: Float64Array): void {
  const [c, h, wd] = s.inShape;
  const [o, oh, ow] = s.outShape;
  const [kh, kw] = s.kernel;
  below.fill(0, 0, c * h * wd);
  for (let oc = 0; oc < o; oc++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const d = dz[(oc * oh + y) * ow + x];
        if (s.bOffset !== null) grad[s.bOffset + oc] += d;
        if (d === 0) continue;
        for (let ic = 0; ic < c; ic++) {
          for (let ky = 0; ky < kh; ky++) {
            const iy = y * s.stride + ky - s.padding;
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < kw; kx++) {
              const ix = x * s.stride + kx - s.padding;
              if (ix < 0 || ix >= wd) continue;
              const wi = s.wOffset + ((oc * c + ic) * kh + ky) * kw + kx;
              const ii = (ic * h + iy) * wd + ix;
              grad[wi] += d * input[ii];
              below[ii] += d * w[wi];
            }
          }
        }
      }
    }
  }
}

function linearForward(s: Extract<CnnSlot, { kind: 'linear' }>, w: Float64Array, input: Float64Array, z: Float64Array): void {
  for (let j = 0; j < s.fanOut; j++) {
    let sum = s.bOffset === null ? 0 : w[s.bOffset + j];
    const row = s.wOffset + j * s.fanIn;
    for (let i = 0; i < s.fanIn; i++) sum += w[row + i] * input[i];
    z[j] = sum;
  }
}

function linearBackward(s: Extract<CnnSlot, { kind: 'linear' }>, w: Float64Array, input: Float64Array, dz: Float64Array, grad: Float64Array, below: Float64Array): void {
  below.fill(0, 0, s.fanIn);
  for (let j = 0; j < s.fanOut; j++) {
    const d = dz[j];
    if (s.bOffset !== null) grad[s.bOffset + j] += d;
    const row = s.wOffset + j * s.fanIn;
    for (let i = 0; i < s.fanIn; i++) {
      grad[row + i] += d * input[i];
      below[i] += d * w[row + i];
    }
  }
}

/** Row-by-row passes of the network on X (row-major [n, C·H·W]). */
function cnnPasses(layout: CnnLayout, X: Float64Array) {
  const { slots, dIn } = layout;
  const n = X.length / dIn;
  if (!Number.isInteger(n) || n < 1) throw new Error(`Error in CnnLossModelF64: X has ${X.length} values, not a positive multiple of C·H·W = ${dIn}`);
  const widths = [dIn, ...slots.map(sizeOf)];
  const z = widths.map((k) => new Float64Array(k));
  const a = widths.map((k) => new Float64Array(k));
  const delta = widths.map((k) => new Float64Array(k));
  const last = slots.length - 1;
  const activation = layout.spec.activation;
  const forwardRow = (w: Float64Array, row: number): Float64Array => {
    a[0].set(X.subarray(row * dIn, (row + 1) * dIn));
    slots.forEach((s, l) => {
      if (s.kind === 'conv2d') convForward(s, w, a[l], z[l + 1]);
      else linearForward(s, w, a[l], z[l + 1]);
      if (l === last) a[l + 1].set(z[l + 1]);
      else for (let j = 0; j < widths[l + 1]; j++) a[l + 1][j] = activateF64(activation, z[l + 1][j]);
    });
    return a[last + 1];
  };
  const backwardRow = (w: Float64Array, top: Float64Array, grad: Float64Array): void => {
    delta[last + 1].set(top);
    for (let l = last; l >= 0; l--) {
      const s = slots[l];
      if (s.kind === 'conv2d') convBackward(s, w, a[l], delta[l + 1], grad, delta[l]);
      else linearBackward(s, w, a[l], delta[l + 1], grad, delta[l]);
      if (l > 0) for (let i = 0; i < widths[l]; i++) delta[l][i] *= activationSlope(activation, z[l][i]);
    }
  };
  return { n, forwardRow, backwardRow };
}

/** The LossModel of a CNN under `loss`, in float64 (Y as in createMlpLossModelF64). */
export function createCnnLossModelF64(options: { layout: CnnLayout; X: Float64Array; Y: Float64Array; loss: LossKind }): LossModel {
  const { layout, X, Y, loss } = options;
  const { n, forwardRow, backwardRow } = cnnPasses(layout, X);
  return rowwiseLossModel({ name: 'CnnLossModelF64', dim: layout.size, n, dOut: layout.dOut, forwardRow, backwardRow }, loss, Y);
}

/** f_w(X), row-major [rows, d_out]. */
export function cnnForwardF64(layout: CnnLayout, w: Float64Array, X: Float64Array): Float64Array {
  const { n, forwardRow } = cnnPasses(layout, X);
  const out = new Float64Array(n * layout.dOut);
  for (let r = 0; r < n; r++) out.set(forwardRow(w, r), r * layout.dOut);
  return out;
}
