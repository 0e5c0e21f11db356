/**
 * LossModel backed by the optional native addon (mlp.c + kernel.h, a plain Node-API
 * addon built by `npm run build:native` into build/Release/mlp_native.node, and
 * tolerantly at `npm install`). Same function, options, flat layout and loss as
 * createSimdMlpLossModel (../simd/mlpSimd.ts) and createMlpLossModel (../mlp.ts).
 *
 * The kernel picks AVX-512F, AVX2+FMA or baseline SSE2 code at model creation from the
 * CPU it runs on (LLC_NATIVE_ISA=avx2|sse2 caps the choice), so one build serves any
 * x86-64 machine. Precision: 'float32' rounds w once per call like the tfjs model and
 * runs float32 matmuls; 'float64' runs in double. The loss and every reduction across
 * row blocks accumulate in float64 either way.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Activation } from '../mlpSpec';
import { BLOCK_ROWS, checkKernelOptions, type SimdMlpLossModel, type SimdMlpLossModelOptions } from '../simd/mlpSimd';

export const NATIVE_DIR = dirname(fileURLToPath(import.meta.url));
/** Where node-gyp puts the addon. */
export const ADDON_PATH = join(NATIVE_DIR, 'build', 'Release', 'mlp_native.node');
/** The command that builds it. */
export const BUILD_COMMAND = 'npm run build:native';

const ACTIVATION_CODE: Record<Activation, number> = { relu: 0, tanh: 1, gelu: 2, identity: 3 };

type Handle = object;
interface Addon {
  abi: number;
  create(widths: Int32Array, flags: number, activation: number, n: number, blockRows: number, float64: boolean, X: Float32Array | Float64Array, Y: Float32Array | Float64Array): Handle;
  eval(handle: Handle, w: Float64Array, batch: Int32Array | null, grad: Float64Array | null): number;
  info(handle: Handle): { isa: string; size: number; vectorBytes: number };
  dispose(handle: Handle): void;
  tanh(x: number): number;
}

let cached: { addon: Addon } | { why: string } | null = null;

/** Loads the addon once per process; the reason it cannot be used otherwise. */
export function loadNativeAddon(): { ok: true; addon: Addon } | { ok: false; why: string } {
  if (cached === null) {
    if (!existsSync(ADDON_PATH)) {
      cached = { why: `the native addon is not built (no ${ADDON_PATH}); build it with \`${BUILD_COMMAND}\` (needs a C compiler, make and python3)` };
    } else {
      try {
        const addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
        cached = addon.abi === 1 ? { addon } : { why: `${ADDON_PATH} is from another version (abi ${String(addon.abi)}); rebuild it with \`${BUILD_COMMAND}\`` };
      } catch (e) {
        cached = { why: `${ADDON_PATH} does not load (${(e as Error).message.split('\n')[0]}); rebuild it with \`${BUILD_COMMAND}\`` };
      }
    }
  }
  return 'addon' in cached ? { ok: true, addon: cached.addon } : { ok: false, why: cached.why };
}

/** Whether createNativeMlpLossModel can run in this process. */
export function nativeAvailable(): boolean {
  return loadNativeAddon().ok;
}

export type NativeMlpLossModelOptions = SimdMlpLossModelOptions;

export interface NativeMlpLossModel extends SimdMlpLossModel {
  /** The instruction set the kernel runs ('avx512f', 'avx2+fma', 'sse2'). */
  readonly isa: string;
}

/** LossModel for L_n(w) = mean over rows and outputs of (f_w(x) − y)² (no ½), as createSimdMlpLossModel. */
export function createNativeMlpLossModel(options: NativeMlpLossModelOptions): NativeMlpLossModel {
  const { spec, X, Y, n } = options;
  const caller = 'createNativeMlpLossModel';
  const loaded = loadNativeAddon();
  if (!loaded.ok) throw new Error(`Error in ${caller}: ${loaded.why}`);
  const addon = loaded.addon;
  const { precision, layout, widths } = checkKernelOptions(options, caller);
  const flags = (spec.bias ? 1 : 0) | (spec.layerNorm === true ? 2 : 0);
  let handle: Handle | null = addon.create(Int32Array.from(widths), flags, ACTIVATION_CODE[spec.activation], n, BLOCK_ROWS, precision === 'float64', X, Y);
  const info = addon.info(handle);
  if (info.size !== layout.size) throw new Error(`bug: ${caller}: kernel layout has ${info.size} parameters, mlpLayout ${layout.size} (${widths.join('-')})`);
  const wStar = options.wStar === undefined ? null : Float64Array.from(options.wStar);
  const name = 'NativeMlpLossModel';

  const live = (): Handle => {
    if (handle === null) throw new Error(`Error in ${name}: used after dispose()`);
    return handle;
  };
  const checkW = (w: Float64Array): Float64Array => {
    if (w.length !== layout.size) throw new Error(`Error in ${name}: w has length ${w.length}, model has dim ${layout.size}`);
    // The addon reads Float64Array data in place; anything else is copied first.
    return w instanceof Float64Array ? w : Float64Array.from(w as ArrayLike<number>);
  };
  const checkBatch = (batch: Int32Array): Int32Array => {
    if (batch.length === 0) throw new Error(`Error in ${name}.lossAndGrad: batch is empty`);
    if (batch.length > n) throw new Error(`Error in ${name}.lossAndGrad: batch has ${batch.length} rows, more than n = ${n}`);
    for (let i = 0; i < batch.length; i++) {
      const row = batch[i];
      if (row < 0 || row >= n) throw new Error(`Error in ${name}.lossAndGrad: batch[${i}] = ${row} is outside [0, ${n})`);
    }
    return batch instanceof Int32Array ? batch : Int32Array.from(batch as ArrayLike<number>);
  };

  return {
    dim: layout.size,
    n,
    layout,
    wStar,
    precision,
    isa: info.isa,
    loss(w) {
      const h = live();
      return addon.eval(h, checkW(w), null, null);
    },
    lossAndGrad(w, batch, out) {
      const h = live();
      const wd = checkW(w);
      const rows = batch ? checkBatch(batch) : null;
      // The gradient is written straight into the caller's `out`, or a fresh array.
      const grad = out?.length === layout.size ? out : new Float64Array(layout.size);
      const loss = addon.eval(h, wd, rows, grad);
      return { loss, grad };
    },
    dispose() {
      if (handle !== null) addon.dispose(handle);
      handle = null;
    },
  };
}

/** The kernel's float64 tanh (for tests). */
export function nativeTanh(x: number): number {
  const loaded = loadNativeAddon();
  if (!loaded.ok) throw new Error(`Error in nativeTanh: ${loaded.why}`);
  return loaded.addon.tanh(x);
}
