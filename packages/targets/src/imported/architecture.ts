/**
 * How a PyTorch state_dict maps onto our flat MLP layout. The config names, layer by layer, the
 * state_dict keys of each nn.Linear's weight (shape [out, in]) and bias ([out]); widths come from
 * the tensors. Our layout stores W_l as [in, out] row-major (mlpSpec.ts), so each weight is
 * transposed on the way in and w* equals the network PyTorch computes.
 */
import type { Float64Tensor } from '@llc/core/artifacts/safetensors';
import { mlpLayout, type Activation, type MlpSpec, type ParamLayout } from '../models/mlpSpec';

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

/** One named tensor of the network and where its entries sit in w (PyTorch's shape and order). */
export interface ParameterTensor {
  name: string;
  shape: number[];
  /** Flat indices into w of the tensor's entries, in PyTorch's row-major order. */
  indices: number[];
}

export interface ImportedNetwork {
  spec: MlpSpec;
  layout: ParamLayout;
  wStar: Float64Array;
  parameters: ParameterTensor[];
}

/** Every state_dict key the architecture reads. */
export function architectureKeys(arch: MlpArchitecture): string[] {
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
  arch: MlpArchitecture,
  tensors: Record<string, Float64Tensor>,
  file: string,
): { network: ImportedNetwork; problems: [] } | { network: null; problems: string[] } {
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
  for (const key of keys) {
    const t = tensors[key];
    if (!t.dtype.startsWith('F') && t.dtype !== 'BF16') problems.push(`${file}: "${key}" has dtype ${t.dtype}; network weights must be floating point (F64, F32, F16, BF16)`);
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) problems.push(`${file}: "${key}" holds ${t.data[bad]} at flat index ${bad}; export weights from a network that trained without diverging`);
  }
  if (problems.length > 0) return { network: null, problems };

  const spec: MlpSpec = { widths, activation: arch.activation, bias: arch.layers[0].bias !== undefined };
  const layout = mlpLayout(spec);
  const parameters = parameterTensors(layout, arch.layers);
  const wStar = new Float64Array(layout.size);
  for (const p of parameters) {
    const values = tensors[p.name].data;
    p.indices.forEach((index, k) => (wStar[index] = values[k]));
  }
  return { network: { spec, layout, wStar, parameters }, problems: [] };
}
