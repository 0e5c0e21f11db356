/**
 * How a PyTorch state_dict maps onto our flat MLP layout. The config names, layer by layer, the
 * state_dict keys of each nn.Linear's weight (shape [out, in]) and bias ([out]); widths come from
 * the tensors. Our layout stores W_l as [in, out] row-major (mlpSpec.ts), so each weight is
 * transposed on the way in and w* equals the network PyTorch computes.
 */
import type { Float64Tensor } from '@llc/core/artifacts/safetensors';
import { mlpLayout, type Activation, type MlpSpec, type ParamLayout } from '../models/mlpSpec';
import { cnnLayout, type CnnLayout, type CnnLayerSpec, type CnnSpec } from '../models/cnnF64';

export interface LinearLayerKeys {
  /** state_dict key of the nn.Linear weight, e.g. "net.0.weight". */
  weight: string;
  /** Its bias, e.g. "net.0.bias"; omitted for bias=False layers. */
  bias?: string;
}

export interface MlpArchitecture {
  family: 'mlp';
  activation: Activation;
  layers: LinearLayerKeys[];
}

/** A CNN layer by its state_dict keys: nn.Conv2d (stride, zero padding) or nn.Linear. */
export type CnnLayerKeys =
  | { type: 'conv2d'; weight: string; bias?: string; stride: number; padding: number }
  | { type: 'linear'; weight: string; bias?: string };

/** nn.Conv2d layers, then nn.Linear layers (flattened channel-major between them), one activation after each but the last. */
export interface CnnArchitecture {
  family: 'cnn';
  /** [channels, height, width] of one input row. */
  inputShape: [number, number, number];
  activation: Activation;
  layers: CnnLayerKeys[];
}

export type Architecture = MlpArchitecture | CnnArchitecture;

/** What evaluates an imported network: an MLP in our layout, or a CNN in PyTorch's. */
export type NetworkModel = { kind: 'mlp'; spec: MlpSpec; layout: ParamLayout } | { kind: 'cnn'; spec: CnnSpec; layout: CnnLayout };

/** One named tensor of the network and where its entries sit in w (PyTorch's shape and order). */
export interface ParameterTensor {
  name: string;
  shape: number[];
  /** Flat indices into w of the tensor's entries, in PyTorch's row-major order. */
  indices: number[];
}

export interface ImportedNetwork {
  model: NetworkModel;
  /** Parameter count, input width (C·H·W for a CNN) and output width. */
  size: number;
  dIn: number;
  dOut: number;
  wStar: Float64Array;
  parameters: ParameterTensor[];
}

/** Every state_dict key the architecture reads. */
export function architectureKeys(arch: Pick<Architecture, 'layers'>): string[] {
  return arch.layers.flatMap((l) => (l.bias === undefined ? [l.weight] : [l.weight, l.bias]));
}

/** Parameter tensor names and shapes without reading w (for validating restrictions). */
export function parameterTensors(layout: ParamLayout, keys: readonly LinearLayerKeys[]): ParameterTensor[] {
  const out: ParameterTensor[] = [];
  layout.layers.forEach((slot, l) => {
    const { fanIn, fanOut } = slot;
    // PyTorch's [out, in] entry (o, i) sits at our [in, out] index i·fanOut + o.
    const weight: number[] = [];
    for (let o = 0; o < fanOut; o++) for (let i = 0; i < fanIn; i++) weight.push(slot.wOffset + i * fanOut + o);
    out.push({ name: keys[l].weight, shape: [fanOut, fanIn], indices: weight });
    if (slot.bOffset !== null && keys[l].bias !== undefined) {
      out.push({ name: keys[l].bias!, shape: [fanOut], indices: Array.from({ length: fanOut }, (_, j) => slot.bOffset! + j) });
    }
  });
  return out;
}

/** Names of an MLP's tensors when it was not imported: layers.<l>.weight / layers.<l>.bias, PyTorch's layout. */
export function defaultLayerKeys(spec: MlpSpec): LinearLayerKeys[] {
  return spec.widths.slice(1).map((_, l) => ({ weight: `layers.${l}.weight`, ...(spec.bias ? { bias: `layers.${l}.bias` } : {}) }));
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Checks the file's tensors against the architecture and flattens them into w*. Returns the
 * problems (each naming the file, the tensor and the fix) instead of throwing, so that a config
 * check reports all of them at once.
 */
export function flattenStateDict(
  arch: Architecture,
  tensors: Record<string, Float64Tensor>,
  file: string,
): { network: ImportedNetwork; problems: [] } | { network: null; problems: string[] } {
  const problems = keyProblems(arch, tensors, file);
  if (problems.length > 0) return { network: null, problems };
  return arch.family === 'cnn' ? flattenCnn(arch, tensors, file) : flattenMlp(arch, tensors, file);
}

/** Missing and extra tensors, non-float dtypes and non-finite values: the same for every family. */
function keyProblems(arch: Architecture, tensors: Record<string, Float64Tensor>, file: string): string[] {
  const problems: string[] = [];
  const keys = architectureKeys(arch);
  const present = Object.keys(tensors);
  for (const key of keys) {
    if (!(key in tensors)) problems.push(`${file}: no tensor "${key}" (named by the architecture); the file holds ${present.join(', ') || 'no tensors'}`);
  }
  const extra = present.filter((k) => !keys.includes(k));
  if (extra.length > 0) {
    problems.push(`${file}: tensors ${extra.map((k) => `"${k}"`).join(', ')} are not in the architecture; add the layers they belong to, or save only the network's state_dict`);
  }
  if (problems.length > 0) return problems;
  for (const key of keys) {
    const t = tensors[key];
    if (!t.dtype.startsWith('F') && t.dtype !== 'BF16') problems.push(`${file}: "${key}" has dtype ${t.dtype}; network weights must be floating point (F64, F32, F16, BF16)`);
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) problems.push(`${file}: "${key}" holds ${t.data[bad]} at flat index ${bad}; export weights from a network that trained without diverging`);
  }
  return problems;
}

function flattenMlp(arch: MlpArchitecture, tensors: Record<string, Float64Tensor>, file: string): ReturnType<typeof flattenStateDict> {
  const problems: string[] = [];
  const biasUse = new Set(arch.layers.map((l) => l.bias !== undefined));
  if (biasUse.size > 1) problems.push(`${file}: architecture.layers give a bias for some layers and not others; every layer needs one, or none`);
  if (problems.length > 0) return { network: null, problems };

  const widths: number[] = [];
  arch.layers.forEach((layer, l) => {
    const w = tensors[layer.weight];
    if (w.shape.length !== 2) {
      problems.push(`${file}: "${layer.weight}" has shape ${shapeText(w.shape)}; an nn.Linear weight is [out, in]`);
      return;
    }
    const [out, inp] = w.shape;
    if (l === 0) widths.push(inp);
    else if (inp !== widths[l]) {
      problems.push(`${file}: "${layer.weight}" has shape ${shapeText(w.shape)}, but the layer before it has ${widths[l]} outputs: expected [${out}, ${widths[l]}]`);
    }
    widths.push(out);
    if (layer.bias !== undefined) {
      const b = tensors[layer.bias];
      if (b.shape.length !== 1 || b.shape[0] !== out) problems.push(`${file}: "${layer.bias}" has shape ${shapeText(b.shape)}, expected [${out}] (the outputs of "${layer.weight}")`);
    }
  });
  if (problems.length > 0) return { network: null, problems };

  const spec: MlpSpec = { widths, activation: arch.activation, bias: arch.layers[0].bias !== undefined };
  const layout = mlpLayout(spec);
  const parameters = parameterTensors(layout, arch.layers);
  const wStar = new Float64Array(layout.size);
  for (const p of parameters) {
    const values = tensors[p.name].data;
    p.indices.forEach((index, k) => (wStar[index] = values[k]));
  }
  return { network: { model: { kind: 'mlp', spec, layout }, size: layout.size, dIn: widths[0], dOut: widths[widths.length - 1], wStar, parameters }, problems: [] };
}

/** Parameter tensors of a CNN: each layer's weight then bias, contiguous, in PyTorch's own layout. */
export function cnnParameterTensors(layout: CnnLayout, keys: readonly CnnLayerKeys[]): ParameterTensor[] {
  const out: ParameterTensor[] = [];
  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
  layout.slots.forEach((slot, l) => {
    const shape = slot.kind === 'linear' ? [slot.fanOut, slot.fanIn] : [slot.outShape[0], slot.inShape[0], ...slot.kernel];
    const count = shape.reduce((a, b) => a * b, 1);
    out.push({ name: keys[l].weight, shape, indices: range(slot.wOffset, count) });
    if (slot.bOffset !== null && keys[l].bias !== undefined) out.push({ name: keys[l].bias!, shape: [shape[0]], indices: range(slot.bOffset, shape[0]) });
  });
  return out;
}

/** The CnnSpec the tensors describe under `arch` (channels and kernels from the conv weights' [out, in, kh, kw]). */
export function cnnSpecOf(arch: CnnArchitecture, shapeOf: (key: string) => readonly number[], file: string): { spec: CnnSpec | null; problems: string[] } {
  const problems: string[] = [];
  const layers: CnnLayerSpec[] = [];
  let channels = arch.inputShape[0];
  arch.layers.forEach((layer) => {
    const w = shapeOf(layer.weight);
    const out = w[0];
    if (layer.type === 'conv2d') {
      if (w.length !== 4) problems.push(`${file}: "${layer.weight}" has shape ${shapeText(w)}; an nn.Conv2d weight is [out, in, kh, kw]`);
      else if (w[1] !== channels) problems.push(`${file}: "${layer.weight}" has shape ${shapeText(w)}, but its input has ${channels} channels: expected [${out}, ${channels}, ${w[2]}, ${w[3]}]`);
      else layers.push({ kind: 'conv2d', outChannels: out, kernel: [w[2], w[3]], stride: layer.stride, padding: layer.padding, bias: layer.bias !== undefined });
      channels = out;
    } else if (w.length !== 2) problems.push(`${file}: "${layer.weight}" has shape ${shapeText(w)}; an nn.Linear weight is [out, in]`);
    else layers.push({ kind: 'linear', outFeatures: out, bias: layer.bias !== undefined });
    if (layer.bias !== undefined) {
      const b = shapeOf(layer.bias);
      if (b.length !== 1 || b[0] !== out) problems.push(`${file}: "${layer.bias}" has shape ${shapeText(b)}, expected [${out}] (the outputs of "${layer.weight}")`);
    }
  });
  return problems.length > 0 ? { spec: null, problems } : { spec: { inputShape: [...arch.inputShape], activation: arch.activation, layers }, problems: [] };
}

function flattenCnn(arch: CnnArchitecture, tensors: Record<string, Float64Tensor>, file: string): ReturnType<typeof flattenStateDict> {
  const { spec, problems } = cnnSpecOf(arch, (key) => tensors[key].shape, file);
  if (spec === null) return { network: null, problems };
  let layout: CnnLayout;
  try {
    layout = cnnLayout(spec);
  } catch (error) {
    return { network: null, problems: [`${file}: ${(error as Error).message.replace(/^Error in cnnLayout: /, '')}`] };
  }
  // Each linear layer's input width is fixed by what comes before it: check it against the file.
  const mismatched = layout.slots.flatMap((slot, l) => {
    const w = tensors[arch.layers[l].weight].shape;
    return slot.kind === 'linear' && w[1] !== slot.fanIn
      ? [`${file}: "${arch.layers[l].weight}" has shape ${shapeText(w)}, but the layer before it gives ${slot.fanIn} features: expected [${w[0]}, ${slot.fanIn}] (check inputShape, stride and padding)`]
      : [];
  });
  if (mismatched.length > 0) return { network: null, problems: mismatched };
  const parameters = cnnParameterTensors(layout, arch.layers);
  const wStar = new Float64Array(layout.size);
  for (const p of parameters) wStar.set(tensors[p.name].data, p.indices[0]);
  return { network: { model: { kind: 'cnn', spec, layout }, size: layout.size, dIn: layout.dIn, dOut: layout.dOut, wStar, parameters }, problems: [] };
}
