/**
 * MLP architecture and the flat parameter layout shared by every piece that touches
 * MLP parameters (tensor model, float64 reference, initialisers, samplers).
 *
 * Flat order, layer by layer l = 1..L:
 *   W_l (shape [fanIn, fanOut], row-major: W_l[i][j] at wOffset + i*fanOut + j),
 *   then b_l (fanOut entries at bOffset) when the spec has biases.
 * Hidden layers apply the activation; the output layer is linear.
 */

export type Activation = 'relu' | 'tanh' | 'identity';

export interface MlpSpec {
  /** [d_in, h_1, ..., d_out]; at least two entries. */
  readonly widths: readonly number[];
  /** Applied after every hidden layer (not the output layer). */
  readonly activation: Activation;
  readonly bias: boolean;
}

export interface LayerSlot {
  readonly fanIn: number;
  readonly fanOut: number;
  /** Start of W (row-major [fanIn, fanOut]) in the flat vector. */
  readonly wOffset: number;
  /** Start of b in the flat vector, or null when the spec has no biases. */
  readonly bOffset: number | null;
}

export interface ParamLayout {
  readonly spec: MlpSpec;
  readonly layers: readonly LayerSlot[];
  /** Total parameter count d. */
  readonly size: number;
}

const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'identity'];

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
}

/** Where each layer's W and b live in the flat parameter vector. */
export function mlpLayout(spec: MlpSpec): ParamLayout {
  validateMlpSpec(spec, 'mlpLayout');
  const layers: LayerSlot[] = [];
  let offset = 0;
  for (let l = 1; l < spec.widths.length; l++) {
    const fanIn = spec.widths[l - 1];
    const fanOut = spec.widths[l];
    const wOffset = offset;
    offset += fanIn * fanOut;
    const bOffset = spec.bias ? offset : null;
    if (spec.bias) offset += fanOut;
    layers.push({ fanIn, fanOut, wOffset, bOffset });
  }
  const frozenSpec: MlpSpec = { widths: [...spec.widths], activation: spec.activation, bias: spec.bias };
  return { spec: frozenSpec, layers, size: offset };
}
