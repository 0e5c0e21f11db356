import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@llc/targets/engine/backend';
import { createMlpLossModel } from '@llc/targets/models/mlp';
import { createRng } from '@llc/core/random/rng';
import { createSampler } from './registry';
import { runChains } from './run';
import { localPosterior } from './posterior';
import { sgldSchema } from './schema';

/** A fully-defaulted SGLD config, as the pipeline would resolve it. */
const sgldConfig = (fields: Record<string, number>) =>
  sgldSchema.parse({ kind: 'sgld', ...fields }) as Parameters<typeof createSampler>[0];

test('the tfjs tensor count stays flat over 10,000 SGLD steps on an MLP', async () => {
  await initEngine('auto');
  const n = 200;
  const rng = createRng(5, 'data');
  const X = Float32Array.from({ length: n * 3 }, () => rng.normal());
  const Y = Float32Array.from({ length: n }, () => rng.normal());
  const spec = { widths: [3, 5, 1], activation: 'tanh' as const, bias: true };
  const model = createMlpLossModel({ spec, X, Y, n });
  const wStar = Float64Array.from({ length: model.dim }, () => 0.3 * rng.normal());
  const posterior = localPosterior({ n, beta0: 1, gamma: 1, wStar, L0: model.loss(wStar) });
  const sampler = createSampler(sgldConfig({ stepSize: 1e-5, batchSize: 32, chains: 1, steps: 10_000, evalEvery: 100 }), model, posterior);
  // Warm up once so lazily created kernels/constants are not counted.
  runChains(model, posterior, sampler, { chains: 1, steps: 10, burnIn: 0, evalEvery: 10, seed: 1, initNoise: 0.01 });
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  runChains(model, posterior, sampler, {
    chains: 1,
    steps: 10_000,
    burnIn: 0,
    evalEvery: 100,
    seed: 1,
    initNoise: 0.01,
    onProgress: ({ step }) => {
      if (step % 1000 === 0) counts.push(tf.memory().numTensors);
    },
  });
  assert.equal(counts.length, 10);
  assert.deepEqual(counts, new Array(10).fill(before), `tensor counts drifted: ${counts.join(', ')} (start ${before})`);
  model.dispose();
});

test('chains are bit-identical whether run alone or beside other chains', async () => {
  await initEngine('auto');
  const n = 100;
  const rng = createRng(9, 'data');
  const X = Float32Array.from({ length: n * 2 }, () => rng.normal());
  const Y = Float32Array.from({ length: n }, () => rng.normal());
  const model = createMlpLossModel({ spec: { widths: [2, 3, 1], activation: 'relu', bias: true }, X, Y, n });
  const wStar = Float64Array.from({ length: model.dim }, () => 0.5 * rng.normal());
  const posterior = localPosterior({ n, beta0: 1, gamma: 1, wStar, L0: model.loss(wStar) });
  const sampler = createSampler(sgldConfig({ stepSize: 1e-4, batchSize: 16, chains: 3, steps: 200, burnIn: 10, evalEvery: 10 }), model, posterior);
  const opts = { steps: 200, burnIn: 10, evalEvery: 10, seed: 4, initNoise: 0.01 };
  const three = runChains(model, posterior, sampler, { ...opts, chains: 3 });
  const one = runChains(model, posterior, sampler, { ...opts, chains: 1 });
  assert.deepEqual(Array.from(one.chains[0].llc), Array.from(three.chains[0].llc));
  assert.notDeepEqual(Array.from(three.chains[1].llc), Array.from(three.chains[0].llc));
  model.dispose();
});
