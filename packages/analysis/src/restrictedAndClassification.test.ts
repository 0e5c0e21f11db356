/**
 * Known answers for two features of imported targets, sampled end to end with SGLD and estimated
 * as the pipeline does: a restricted quadratic (λ = the free coordinates' share, k/2 as t → ∞) and
 * a softmax regression with cross-entropy (regular in its (K − 1)(p + 1) identifiable directions).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateLlc } from './llc';
import { analysisSchema } from './schema';
import { create } from '@llc/samplers/kernels/sgld';
import { runChains, type RunResult } from '@llc/samplers/run';
import type { SampleTrace } from '@llc/samplers/trace';
import { quadraticExactLlc, quadraticPotential } from '@llc/targets/potentials/quadratic';
import { restrictModel } from '@llc/targets/restrict';
import { restrictionIndices } from '@llc/targets/artifact';
import { createMlpLossModelF64 } from '@llc/targets/models/mlpLossF64';
import { mlpLayout } from '@llc/targets/models/mlpSpec';
import { makeDlnTarget } from '@llc/targets/knownAnswers/dlnTarget';
import { createRng } from '@llc/core/random/rng';
import type { LossModel } from '@llc/core/model';

const config = analysisSchema.parse({ discard: 0 });

function traceOf(r: RunResult): SampleTrace {
  const D = Math.max(...r.chains.map((c) => c.llc.length));
  const pad = (v: ArrayLike<number>) => Float64Array.from({ length: D }, (_, i) => (i < v.length ? v[i] : Number.NaN));
  return {
    manifest: { complete: true, chains: r.chains.map((c, chain) => ({ chain, draws: c.llc.length, totalFge: 1, totalSeconds: 1, status: c.status })) } as SampleTrace['manifest'],
    llc: r.chains.map((c) => pad(c.llc)),
    loss: r.chains.map((c) => pad(c.loss)),
    fge: r.chains.map((c) => pad(c.fge)),
    seconds: r.chains.map(() => new Float64Array(D)),
    acceptance: r.chains.map(() => new Float64Array(D).fill(Number.NaN)),
    energy: r.chains.map(() => new Float64Array(D).fill(Number.NaN)),
    drawSteps: Int32Array.from({ length: D }, (_, i) => i + 1),
  };
}

function sgldLlc(model: LossModel, wStar: Float64Array, nBeta: number, stepSize: number, steps: number) {
  const posterior = { nBeta, gamma: 1, wStar, L0: model.loss(wStar) };
  const run = runChains(model, posterior, create(model, posterior, { stepSize, batchSize: null, malaDiagnostic: false }), {
    chains: 4, steps, burnIn: 1000, evalEvery: 10, seed: 3, initNoise: 0.01,
  });
  return estimateLlc(traceOf(run), config);
}

test('restricted LLC of a quadratic: the free coordinates alone, selected by tensor-name pattern, give their exact share', () => {
  const h = [1, 2, 3, 4, 5, 6];
  const meta = { name: 'q', d: 6, model: { kind: 'potential' as const, spec: { type: 'quadratic' as const, h } } };
  const { indices, tensors } = restrictionIndices(meta, ['w.{1,4}']);
  assert.deepEqual(Array.from(indices), [1, 4]);
  assert.deepEqual(tensors, ['w.1', 'w.4']);
  assert.throws(() => restrictionIndices(meta, ['v.*']), /pattern "v\.\*" matches no parameter tensor of target 'q'; its tensors are w\.0, w\.1/);
  const wStar = new Float64Array(6);
  const model = restrictModel(quadraticPotential(h), wStar, indices);
  assert.equal(model.dim, 2);
  const est = sgldLlc(model, new Float64Array(2), 200, 5e-5, 8000);
  const exact = quadraticExactLlc([2, 5], 200, 1);
  assert.ok(Math.abs(exact - 1) < 0.01, `k/2 = 1 up to the localiser: ${exact}`);
  assert.ok(Math.abs(est.mean! - exact) < 3 * est.mcse!, `${est.mean} ± ${est.mcse} vs exact ${exact}`);
  // The full quadratic's λ is 3: the restriction is not silently ignored.
  assert.ok(est.mean! < 1.5);
});

test('restrictModel: the gradient is the full gradient at the embedded point, restricted; fixed coordinates stay at w*', () => {
  const full = quadraticPotential([1, 2, 3]);
  const wStar = Float64Array.of(0.5, -1, 2);
  const model = restrictModel(full, wStar, Int32Array.of(0, 2));
  const { loss, grad } = model.lossAndGrad(Float64Array.of(1, 3));
  const reference = full.lossAndGrad(Float64Array.of(1, -1, 3));
  assert.equal(loss, reference.loss);
  assert.deepEqual(Array.from(grad), [reference.grad[0], reference.grad[2]]);
  assert.throws(() => restrictModel(full, wStar, Int32Array.of(2, 0)), /distinct, sorted/);
});

test('cross-entropy: softmax regression is regular in its (K − 1)(p + 1) identifiable directions, so λ̂ ≈ (K − 1)(p + 1)/2 = 3', () => {
  const rng = createRng(11);
  const n = 500;
  const p = 2;
  const K = 3;
  const layout = mlpLayout({ widths: [p, K], activation: 'identity', bias: true });
  const truth = Float64Array.of(1.5, -1, 0, 0.5, 1, -1.5, 0.2, -0.1, 0);
  const X = new Float64Array(n * p).map(() => rng.normal());
  const Y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const logits = [0, 1, 2].map((k) => truth[6 + k] + X[r * p] * truth[k] + X[r * p + 1] * truth[3 + k]);
    const weights = logits.map(Math.exp);
    let u = rng.uniform() * weights.reduce((a, b) => a + b, 0);
    Y[r] = weights.findIndex((w) => (u -= w) <= 0);
  }
  const model = createMlpLossModelF64({ layout, X, Y, loss: 'cross-entropy' });
  // w*: the maximum-likelihood fit (convex), by full-batch gradient descent.
  const wStar = new Float64Array(layout.size);
  for (let i = 0; i < 4000; i++) {
    const { grad } = model.lossAndGrad(wStar);
    for (let j = 0; j < wStar.length; j++) wStar[j] -= 0.5 * grad[j];
  }
  const gradNorm = Math.hypot(...model.lossAndGrad(wStar).grad);
  assert.ok(gradNorm < 1e-8, `w* is a critical point: ‖∇L‖ = ${gradNorm}`);
  const est = sgldLlc(model, wStar, n, 3e-4, 10000);
  const expected = ((K - 1) * (p + 1)) / 2;
  // The regular answer holds up to O(1/√(nβ)) corrections: allow 3 MCSE plus 5%.
  assert.ok(Math.abs(est.mean! - expected) < 3 * est.mcse! + 0.05 * expected, `${est.mean} ± ${est.mcse} vs ${expected}`);
});

test('restricted LLC of a deep linear network with only its last layer free: a linear regression on rank-r features, λ = N·r/2', () => {
  // [3, 4, 3] with end-to-end rank 1: W1 fixed at w* gives hidden features of rank 1, so W2 has 3·1 identifiable directions.
  const t = makeDlnTarget({ widths: [3, 4, 3], rank: 1, n: 1000, nTest: 10, noiseStd: 0.1, seed: 5 });
  const model = createMlpLossModelF64({ layout: t.layout, X: Float64Array.from(t.X), Y: Float64Array.from(t.Y), loss: 'mse' });
  const meta = { name: 'dln', d: t.layout.size, model: { kind: 'mlp' as const, spec: t.spec } };
  const { indices, tensors } = restrictionIndices(meta, ['layers.1.*']);
  assert.deepEqual(tensors, ['layers.1.weight']);
  const restricted = restrictModel(model, t.wStar, indices);
  // w*: the least-squares fit of the free layer (the loss is quadratic in it), by gradient descent.
  const w = Float64Array.from(indices, (i) => t.wStar[i]);
  for (let i = 0; i < 3000; i++) {
    const { grad } = restricted.lossAndGrad(w);
    for (let j = 0; j < w.length; j++) w[j] -= 0.2 * grad[j];
  }
  assert.ok(Math.hypot(...restricted.lossAndGrad(w).grad) < 1e-9, 'the free layer is at its least-squares fit');
  const est = sgldLlc(restricted, w, 1000, 1e-4, 8000);
  assert.ok(Math.abs(est.mean! - 1.5) < 3 * est.mcse! + 0.03, `${est.mean} ± ${est.mcse} vs N·r/2 = 1.5`);
});
