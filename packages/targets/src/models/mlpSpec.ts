/**
 * MLP architecture and the flat parameter layout shared by every piece that touches
 * MLP parameters (tensor model, float64 reference, initialisers, samplers).
 *
 * Flat order, layer by layer l = 1..L:
 *   W_l (shape [fanIn, fanOut], row-major: W_l[i][j] at wOffset + i*fanOut + j),
 *   then b_l (fanOut entries at bOffset) when the spec has biases.
 * With layerNorm, every hidden layer l < L also has a gain g_l then a shift s_l
 * (fanOut entries each, after W_l and b_l). Hidden layers compute
 *   z = a·W + b,  u = layerNorm ? g ⊙ (z − mean(z)) / √(var(z) + ε) + s : z,  a' = σ(u)
 * (mean and biased variance over the layer's units of one row, ε = LAYER_NORM_EPSILON);
 * the output layer is linear and never normalised.
 *
 * Activations: relu, tanh, identity, and gelu in its tanh approximation
 *   gelu(u) = ½·u·(1 + tanh(√(2/π)·(u + 0.044715·u³)))
 * (PyTorch's approximate='tanh'): it needs only tanh, which every tfjs backend and
 * Math provide, so the tensor model and the float64 reference compute the same
 * function (tfjs' erf is itself a 1e-7 polynomial approximation, and Math has none).
 */

export type Activation = 'relu' | 'tanh' | 'gelu' | 'identity';

/** ε under the square root of the layer-norm variance (PyTorch's default). */
export const LAYER_NORM_EPSILON = 1e-5;
/** √(2/π) and the cubic coefficient of the tanh-approximate GELU. */
export const GELU_C = Math.sqrt(2 / Math.PI);
export const GELU_K = 0.044715;

export interface MlpSpec {
  /** [d_in, h_1, ..., d_out]; at least two entries. */
  readonly widths: readonly number[];
  /** Applied after every hidden layer (not the output layer). */
  readonly activation: Activation;
  readonly bias: boolean;
  /** Layer norm with a learned gain and shift after every hidden pre-activation (absent: false). */
  readonly layerNorm?: boolean;
}

export interface LayerSlot {
  readonly fanIn: number;
  readonly fanOut: number;
  /** Start of W (row-major [fanIn, fanOut]) in the flat vector. */
  readonly wOffset: number;
  /** Start of b in the flat vector, or null when the spec has no biases. */
  readonly bOffset: number | null;
  /** Hidden layers of a layerNorm spec only: where the gain and the shift (fanOut each) start. */
  readonly norm?: { readonly gainOffset: number; readonly shiftOffset: number };
}

export interface ParamLayout {
  readonly spec: MlpSpec;
  readonly layers: readonly LayerSlot[];
  /** Total parameter count d. */
  readonly size: number;
}

export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'gelu', 'identity'];

/** Throws a named message ("Error in <caller>: <field>.widths[1] ...") when `spec` is not a usable MLP. */
export function validateMlpSpec(spec: MlpSpec, caller = 'validateMlpSpec', field = 'spec'): void {
  const fail = (what: string): never => {
    throw new Error(`Error in ${caller}: ${field}${what}`);
  };
  if (spec === null || typeof spec !== 'object') fail(' must be an object');
  if (!Array.isArray(spec.widths) || spec.widths.length < 2) {
    fail(`.widths must list at least [d_in, d_out], got ${JSON.stringify(spec.widths)}`);
  }
  spec.widths.forEach((width, i) => {
    if (!(Number.isInteger(width) && width > 0)) fail(`.widths[${i}] must be a positive integer, got ${String(width)}`);
  });
  if (!ACTIVATIONS.includes(spec.activation)) {
    fail(`.activation must be one of ${ACTIVATIONS.join('|')}, got ${String(spec.activation)}`);
  }
  if (typeof spec.bias !== 'boolean') fail(`.bias must be a boolean, got ${String(spec.bias)}`);
  if (spec.layerNorm !== undefined && typeof spec.layerNorm !== 'boolean') {
    fail(`.layerNorm must be a boolean, got ${String(spec.layerNorm)}`);
  }
  if (spec.layerNorm === true) {
    if (spec.widths.length < 3) fail('.layerNorm needs at least one hidden layer');
    spec.widths.slice(1, -1).forEach((width, i) => {
      // A single unit normalises to 0 whatever its input: the layer would be dead.
      if (width < 2) fail(`.widths[${i + 1}] must be ≥ 2 with layerNorm (one unit normalises to 0), got ${width}`);
    });
  }
}

/** Where each layer's W and b live in the flat parameter vector. */
export function mlpLayout(spec: MlpSpec): ParamLayout {
  validateMlpSpec(spec, 'mlpLayout');
  const layers: LayerSlot[] = [];
  let offset = 0;
  const last = spec.widths.length - 1;
  for (let l = 1; l <= last; l++) {
    const fanIn = spec.widths[l - 1];
    const fanOut = spec.widths[l];
    const wOffset = offset;
    offset += fanIn * fanOut;
    const bOffset = spec.bias ? offset : null;
    if (spec.bias) offset += fanOut;
    if (spec.layerNorm === true && l < last) {
      const norm = { gainOffset: offset, shiftOffset: offset + fanOut };
      offset += 2 * fanOut;
      layers.push({ fanIn, fanOut, wOffset, bOffset, norm });
    } else {
      layers.push({ fanIn, fanOut, wOffset, bOffset });
    }
  }
  // layerNorm is recorded only when on, so specs written before it existed stay identical.
  const frozenSpec: MlpSpec = {
    widths: [...spec.widths],
    activation: spec.activation,
    bias: spec.bias,
    ...(spec.layerNorm === true ? { layerNorm: true } : {}),
  };
  return { spec: frozenSpec, layers, size: offset };
}
