/**
 * LossModel backed by the WebAssembly SIMD kernel in mlp.c (built by build.ts into
 * mlp_f32.wasm / mlp_f64.wasm). Same function, flat layout and loss as
 * createMlpLossModel (mlp.ts), without tfjs: one wasm instance (own linear memory)
 * per model, X and Y copied in once, buffers allocated once at creation.
 *
 * Precision: 'float32' rounds w once on entry like the tfjs model and runs float32
 * matmuls; 'float64' runs the whole pass in double. Either way the loss and every
 * reduction across row blocks accumulate in float64 inside the kernel.
 */
import { readFileSync } from 'node:fs';
import type { LossModel } from '@llc/core/model';
import { mlpLayout, validateMlpSpec, type Activation, type MlpSpec, type ParamLayout } from '../mlpSpec';

export type Precision = 'float32' | 'float64';
export const PRECISIONS: readonly Precision[] = ['float32', 'float64'];

/** The committed kernels, next to this file. */
export const WASM_FILES: Record<Precision, string> = { float32: 'mlp_f32.wasm', float64: 'mlp_f64.wasm' };

const ACTIVATION_CODE: Record<Activation, number> = { relu: 0, tanh: 1, gelu: 2, identity: 3 };

/** Rows per forward/backward block: buffers are this many rows long and stay in L2. */
export const BLOCK_ROWS = 64;
/** mlp.c's MAXL. */
const MAX_LAYERS = 64;

/** The slice of the WebAssembly JS API used here (the project's TypeScript libs omit the DOM's declarations). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  mlp_setup(layers: number, widths: number, flags: number, activation: number, rows: number, blockRows: number): number;
  mlp_eval(rows: number, useBatch: number, wantGrad: number): number;
  ptr_x(): number;
  ptr_y(): number;
  ptr_w(): number;
  ptr_grad(): number;
  ptr_batch(): number;
  ptr_widths(): number;
  tanh_f64(x: number): number;
}

const modules = new Map<Precision, object>();

/** Compiled once per process and precision (synchronous: the kernels are ~40 kB). */
function kernelModule(precision: Precision): object {
  let module = modules.get(precision);
  if (module === undefined) {
    const bytes = readFileSync(new URL(`./${WASM_FILES[precision]}`, import.meta.url));
    module = new wasmApi.Module(bytes);
    modules.set(precision, module);
  }
  return module;
}

/** A fresh kernel instance (for tests of its helpers, e.g. tanh_f64). */
export function kernelInstance(precision: Precision): KernelExports {
  return new wasmApi.Instance(kernelModule(precision), {}).exports as KernelExports;
}

export interface SimdMlpLossModelOptions {
  spec: MlpSpec;
  /** Inputs, row-major [n, d_in]. */
  X: Float32Array | Float64Array;
  /** Targets, row-major [n, d_out]. */
  Y: Float32Array | Float64Array;
  n: number;
  /** A trained optimum to localise around (kept as a copy; not used by the loss). */
  wStar?: Float64Array;
  /** Default 'float32'. */
  precision?: Precision;
}

export interface SimdMlpLossModel extends LossModel {
  readonly layout: ParamLayout;
  readonly wStar: Float64Array | null;
  readonly precision: Precision;
  dispose(): void;
}

/** Checks a kernel model's options (both kernels take the same); names `caller` in every message. */
export function checkKernelOptions(options: SimdMlpLossModelOptions, caller: string) {
  const { spec, X, Y, n } = options;
  const precision = options.precision ?? 'float32';
  if (!PRECISIONS.includes(precision)) {
    throw new Error(`Error in ${caller}: precision must be one of ${PRECISIONS.join('|')}, got ${String(precision)}`);
  }
  validateMlpSpec(spec, caller);
  const layout = mlpLayout(spec);
  const widths = spec.widths;
  const dIn = widths[0];
  const dOut = widths[widths.length - 1];
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`Error in ${caller}: n must be a positive integer, got ${n}`);
  if (X.length !== n * dIn) throw new Error(`Error in ${caller}: X has length ${X.length}, expected n·d_in = ${n}·${dIn}`);
  if (Y.length !== n * dOut) throw new Error(`Error in ${caller}: Y has length ${Y.length}, expected n·d_out = ${n}·${dOut}`);
  if (widths.length - 1 > MAX_LAYERS) throw new Error(`Error in ${caller}: at most ${MAX_LAYERS} layers, got ${widths.length - 1}`);
  if (options.wStar !== undefined && options.wStar.length !== layout.size) {
    throw new Error(`Error in ${caller}: wStar has length ${options.wStar.length}, layout needs ${layout.size}`);
  }
  return { precision, layout, widths, dIn, dOut };
}

/** LossModel for L_n(w) = mean over rows and outputs of (f_w(x) − y)² (no ½), as createMlpLossModel. */
export function createSimdMlpLossModel(options: SimdMlpLossModelOptions): SimdMlpLossModel {
  const { spec, X, Y, n } = options;
  const caller = 'createSimdMlpLossModel';
  const { precision, layout, widths, dIn, dOut } = checkKernelOptions(options, caller);

  let kernel: KernelExports | null = kernelInstance(precision);
  new Int32Array(kernel.memory.buffer, kernel.ptr_widths(), widths.length).set(widths);
  const flags = (spec.bias ? 1 : 0) | (spec.layerNorm === true ? 2 : 0);
  const size = kernel.mlp_setup(widths.length - 1, kernel.ptr_widths(), flags, ACTIVATION_CODE[spec.activation], n, BLOCK_ROWS);
  if (size === -1) throw new Error(`Error in ${caller}: out of wasm memory for n = ${n}, widths ${widths.join('-')} (${precision})`);
  if (size !== layout.size) throw new Error(`bug: ${caller}: kernel layout has ${size} parameters, mlpLayout ${layout.size} (${widths.join('-')})`);
  // memory.grow happens only in mlp_setup, so these views stay valid until dispose().
  const buffer = kernel.memory.buffer;
  const Real = precision === 'float32' ? Float32Array : Float64Array;
  new Real(buffer, kernel.ptr_x(), n * dIn).set(X);
  new Real(buffer, kernel.ptr_y(), n * dOut).set(Y);
  const wView = new Float64Array(buffer, kernel.ptr_w(), layout.size);
  const gradView = new Float64Array(buffer, kernel.ptr_grad(), layout.size);
  const batchView = new Int32Array(buffer, kernel.ptr_batch(), n);
  const wStar = options.wStar === undefined ? null : Float64Array.from(options.wStar);

  const live = (): KernelExports => {
    if (kernel === null) throw new Error('Error in SimdMlpLossModel: used after dispose()');
    return kernel;
  };
  const setW = (w: Float64Array): void => {
    if (w.length !== layout.size) throw new Error(`Error in SimdMlpLossModel: w has length ${w.length}, model has dim ${layout.size}`);
    wView.set(w);
  };
  const setBatch = (batch: Int32Array): void => {
    if (batch.length === 0) throw new Error('Error in SimdMlpLossModel.lossAndGrad: batch is empty');
    if (batch.length > n) throw new Error(`Error in SimdMlpLossModel.lossAndGrad: batch has ${batch.length} rows, more than n = ${n}`);
    for (let i = 0; i < batch.length; i++) {
      const row = batch[i];
      if (row < 0 || row >= n) throw new Error(`Error in SimdMlpLossModel.lossAndGrad: batch[${i}] = ${row} is outside [0, ${n})`);
    }
    batchView.set(batch);
  };

  return {
    dim: layout.size,
    n,
    layout,
    wStar,
    precision,
    loss(w) {
      const k = live();
      setW(w);
      return k.mlp_eval(n, 0, 0);
    },
    lossAndGrad(w, batch, out) {
      const k = live();
      setW(w);
      if (batch) setBatch(batch);
      const loss = k.mlp_eval(batch ? batch.length : n, batch ? 1 : 0, 1);
      // A copy (into the caller's `out` when given): the kernel's buffer is overwritten by the next call.
      if (out?.length === layout.size) {
        out.set(gradView);
        return { loss, grad: out };
      }
      return { loss, grad: gradView.slice() };
    },
    dispose() {
      // Dropping the instance frees its linear memory.
      kernel = null;
    },
  };
}
