/**
 * Throughput of lossAndGrad on a 16-128-128-1 relu MLP, n = 10,000:
 * explicit backward (both transpose styles) vs tf.grad, full batch and batch 256.
 * Run: node --import tsx targets/src/models/mlp.bench.ts [wasm|cpu]
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@llc/core/random/rng';
import { initEngine, type BackendPreference } from '@llc/targets/engine/backend';
import { createMlpLossModel, type TransposeStyle } from '@llc/targets/models/mlp';
import { mlpLossAndGradAutodiff } from '@llc/targets/models/mlpAutodiff';
import { mlpLayout, type MlpSpec } from '@llc/targets/models/mlpSpec';

const engine = await initEngine((process.argv[2] as BackendPreference | undefined) ?? 'wasm');
const spec: MlpSpec = { widths: [16, 128, 128, 1], activation: 'relu', bias: true };
const n = 10_000;
const layout = mlpLayout(spec);
const rng = createRng(1, 'bench');
const X = Float32Array.from(rng.fillNormal(new Float64Array(n * 16)));
const Y = Float32Array.from(rng.fillNormal(new Float64Array(n)));
const w = rng.fillNormal(new Float64Array(layout.size)).map((v) => v * 0.1);
const batches = Array.from({ length: 64 }, () => Int32Array.from({ length: 256 }, () => rng.int(n)));

/** Evaluations per second over ~`seconds` of wall time after a warm-up. */
function rate(fn: (i: number) => void, seconds = 2): number {
  for (let i = 0; i < 5; i++) fn(i);
  const start = performance.now();
  let calls = 0;
  while (performance.now() - start < seconds * 1000) fn(calls++);
  return calls / ((performance.now() - start) / 1000);
}

console.log(`backend: ${engine.backend} (${engine.reason}); d = ${layout.size}, n = ${n}`);
const models = Object.fromEntries(
  (['materialise', 'flags'] as TransposeStyle[]).map((style) => [style, createMlpLossModel({ spec, X, Y, n, transposeStyle: style })]),
);
const xT = tf.tensor2d(X, [n, 16]);
const yT = tf.tensor2d(Y, [n, 1]);
for (const [label, batchOf] of [
  ['full batch', () => null],
  ['batch 256', (i: number) => batches[i % batches.length]],
] as const) {
  for (const [style, model] of Object.entries(models)) {
    console.log(`${label.padEnd(10)} explicit/${style.padEnd(11)} ${rate((i) => model.lossAndGrad(w, batchOf(i))).toFixed(1)} eval/s`);
  }
  console.log(`${label.padEnd(10)} tf.grad              ${rate((i) => mlpLossAndGradAutodiff(layout, xT, yT, w, batchOf(i))).toFixed(1)} eval/s`);
}
console.log(`numTensors after: ${tf.memory().numTensors}`);
