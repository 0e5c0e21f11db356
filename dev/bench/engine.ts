/**
 * Gradient-engine throughput: loss + full gradient evaluations/s of the explicit
 * backward pass (createMlpLossModel), of tf.grad (mlpLossAndGradAutodiff) and of the
 * WebAssembly SIMD kernel in float32 and float64 (createSimdMlpLossModel), of the optional
 * native addon in float32 and float64 (createNativeMlpLossModel, when it is built), the
 * matmul GFLOP/s they imply, and SGLD steps/s (sgld.create + step) on the explicit, simd
 * and native models.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@llc/core/random/rng';
import { createMlpLossModel } from '@llc/targets/models/mlp';
import { mlpLossAndGradAutodiff } from '@llc/targets/models/mlpAutodiff';
import { createSimdMlpLossModel } from '@llc/targets/models/simd/mlpSimd';
import { createNativeMlpLossModel, loadNativeAddon } from '@llc/targets/models/native/mlpNative';
import { mlpLayout, type MlpSpec } from '@llc/targets/models/mlpSpec';
import { create as createSgld, type SgldState } from '@llc/samplers/kernels/sgld';
import { localPosterior } from '@llc/samplers/posterior';
import { stat, type Stat } from './stats';

export interface Workload {
  name: string;
  widths: number[];
  n: number;
  /** null = full batch. */
  batch: number | null;
}

export const WORKLOADS: Workload[] = [
  { name: '8-32-32-1, n=2,000, full batch', widths: [8, 32, 32, 1], n: 2000, batch: null },
  { name: '16-128-128-1, n=10,000, full batch', widths: [16, 128, 128, 1], n: 10000, batch: null },
  { name: '16-128-128-1, n=10,000, batch 256', widths: [16, 128, 128, 1], n: 10000, batch: 256 },
  { name: '8-32-32-1, n=2,000, batch 32', widths: [8, 32, 32, 1], n: 2000, batch: 32 },
];

/**
 * Matmul flops of one loss + gradient: 2·m·k·n per matmul. Forward A·W per layer,
 * dW = Aᵀ·δ per layer, δ·Wᵀ for every layer but the first. Bias gradients
 * (1ᵀ·δ, a 1-row matmul in the explicit pass, a reduction in tf.grad) are not counted.
 */
export function matmulFlops(widths: readonly number[], rows: number): number {
  let flops = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const mkn = 2 * rows * widths[l] * widths[l + 1];
    flops += mkn * (l === 0 ? 2 : 3);
  }
  return flops;
}

export interface EngineResult {
  workload: Workload;
  dim: number;
  flopsPerEval: number;
  explicit: Stat;
  autodiff: Stat;
  simd32: Stat;
  simd64: Stat;
  /** SGLD steps/s on the explicit tfjs model. */
  sgld: Stat;
  sgldSimd32: Stat;
  sgldSimd64: Stat;
  /** The native addon (null when it is not built: see `native`). */
  native32: Stat | null;
  native64: Stat | null;
  sgldNative32: Stat | null;
  sgldNative64: Stat | null;
  /** The native kernel's instruction set, or why it was not measured. */
  native: { isa: string } | { why: string };
}

/** The measures of one workload, in the order they are interleaved. */
const MEASURES = ['explicit', 'autodiff', 'simd32', 'simd64', 'sgld', 'sgldSimd32', 'sgldSimd64'] as const;
const NATIVE_MEASURES = ['native32', 'native64', 'sgldNative32', 'sgldNative64'] as const;
type Measure = (typeof MEASURES)[number];
type NativeMeasure = (typeof NATIVE_MEASURES)[number];

/** Calls/s over one window of `seconds` (at least 3 calls). */
function window(fn: (i: number) => void, seconds: number): number {
  const start = performance.now();
  let calls = 0;
  while (calls < 3 || performance.now() - start < seconds * 1000) fn(calls++);
  return calls / ((performance.now() - start) / 1000);
}

/** Warm up, then `reps` timed windows; the three measures are interleaved rep by rep so drift hits each alike. */
export function benchWorkload(w: Workload, reps: number, seconds: number): EngineResult {
  const spec: MlpSpec = { widths: w.widths, activation: 'relu', bias: true };
  const layout = mlpLayout(spec);
  const dIn = w.widths[0];
  const rng = createRng(1, 'bench', w.name);
  const X = Float32Array.from(rng.fillNormal(new Float64Array(w.n * dIn)));
  const Y = Float32Array.from(rng.fillNormal(new Float64Array(w.n)));
  const w0 = rng.fillNormal(new Float64Array(layout.size)).map((v) => v * 0.1);
  const batches = w.batch === null ? null : Array.from({ length: 64 }, () => Int32Array.from({ length: w.batch! }, () => rng.int(w.n)));
  const batchOf = (i: number) => (batches === null ? null : batches[i % batches.length]);

  const model = createMlpLossModel({ spec, X, Y, n: w.n, wStar: w0 });
  const simd32 = createSimdMlpLossModel({ spec, X, Y, n: w.n, wStar: w0, precision: 'float32' });
  const simd64 = createSimdMlpLossModel({ spec, X, Y, n: w.n, wStar: w0, precision: 'float64' });
  const addon = loadNativeAddon();
  const native32 = addon.ok ? createNativeMlpLossModel({ spec, X, Y, n: w.n, wStar: w0, precision: 'float32' }) : null;
  const native64 = addon.ok ? createNativeMlpLossModel({ spec, X, Y, n: w.n, wStar: w0, precision: 'float64' }) : null;
  const xT = tf.tensor2d(X, [w.n, dIn]);
  const yT = tf.tensor2d(Y, [w.n, 1]);
  const posterior = localPosterior({ n: w.n, beta0: 1, gamma: 1, wStar: w0, L0: model.loss(w0) });
  /** SGLD on `m`, stepping its own chain. */
  const stepper = (m: Pick<typeof model, 'dim' | 'n' | 'loss' | 'lossAndGrad'>) => {
    const sgld = createSgld(m, posterior, { stepSize: 1e-7, batchSize: w.batch });
    let state: SgldState = sgld.init(w0, createRng(2, 'bench-sgld').state());
    return () => {
      state = sgld.step(state).state;
    };
  };

  const measures: Record<Measure, (i: number) => void> = {
    explicit: (i) => model.lossAndGrad(w0, batchOf(i)),
    autodiff: (i) => mlpLossAndGradAutodiff(layout, xT, yT, w0, batchOf(i)),
    simd32: (i) => simd32.lossAndGrad(w0, batchOf(i)),
    simd64: (i) => simd64.lossAndGrad(w0, batchOf(i)),
    sgld: stepper(model),
    sgldSimd32: stepper(simd32),
    sgldSimd64: stepper(simd64),
  };
  const nativeMeasures: Partial<Record<NativeMeasure, (i: number) => void>> =
    native32 && native64
      ? {
          native32: (i) => native32.lossAndGrad(w0, batchOf(i)),
          native64: (i) => native64.lossAndGrad(w0, batchOf(i)),
          sgldNative32: stepper(native32),
          sgldNative64: stepper(native64),
        }
      : {};
  const all = { ...measures, ...nativeMeasures } as Record<Measure | NativeMeasure, (i: number) => void>;
  const keys = [...MEASURES, ...(native32 ? NATIVE_MEASURES : [])];
  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<Measure | NativeMeasure, number[]>;
  for (const k of keys) window(all[k], Math.min(0.3, seconds));
  for (let r = 0; r < reps; r++) {
    for (const k of keys) samples[k].push(window(all[k], seconds));
  }
  const tensorsLeft = tf.memory().numTensors;
  simd32.dispose();
  simd64.dispose();
  native32?.dispose();
  native64?.dispose();
  model.dispose();
  xT.dispose();
  yT.dispose();
  if (tf.memory().numTensors !== tensorsLeft - 4) {
    // X, Y of the model and xT, yT: anything else would be a leak in the code measured.
    console.warn(`warning: ${tensorsLeft - 4 - tf.memory().numTensors} tensors leaked in ${w.name}`);
  }
  return {
    workload: w,
    dim: layout.size,
    flopsPerEval: matmulFlops(w.widths, w.batch ?? w.n),
    ...(Object.fromEntries(MEASURES.map((k) => [k, stat(samples[k])])) as Record<Measure, Stat>),
    ...(Object.fromEntries(NATIVE_MEASURES.map((k) => [k, native32 ? stat(samples[k]) : null])) as Record<NativeMeasure, Stat | null>),
    native: native32 ? { isa: native32.isa } : { why: addon.ok ? 'bug' : addon.why },
  };
}
