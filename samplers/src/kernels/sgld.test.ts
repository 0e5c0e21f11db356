import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKernel, init } from './sgld';
import { runChains } from '../run';
import { quadraticPotential, quadraticExactLlc, quadraticUlaLlc } from '../potentials/quadratic';
import { essMean } from '../../../analysis/src/diagnostics';
import type { LocalPosterior } from '../posterior';

function pooledMeanAndMcse(chains: Float64Array[]): { mean: number; mcse: number } {
  const all = chains.flatMap((c) => Array.from(c));
  const mean = all.reduce((a, b) => a + b, 0) / all.length;
  const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (all.length - 1));
  return { mean, mcse: sd / Math.sqrt(essMean(chains)) };
}

function sgldOnQuadratic(opts: { d: number; t: number; gamma: number; stepSize: number; steps: number; chains: number }) {
  const h = new Array(opts.d).fill(1);
  const model = quadraticPotential(h);
  const posterior: LocalPosterior = { nBeta: opts.t, gamma: opts.gamma, wStar: new Float64Array(opts.d), L0: 0 };
  const kernel = buildKernel(model, posterior, { stepSize: opts.stepSize, batchSize: null });
  const result = runChains(model, posterior, { init, step: kernel }, {
    chains: opts.chains,
    steps: opts.steps,
    burnIn: 2000,
    evalEvery: 5,
    seed: 11,
    initNoise: 0.1,
  });
  return { h, ...pooledMeanAndMcse(result.chains.map((c) => c.llc)) };
}

test('SGLD with a flat prior on a quadratic gives d/2 within 3 MCSE (d = 3, t = 50, εp = 0.005)', () => {
  const { mean, mcse } = sgldOnQuadratic({ d: 3, t: 50, gamma: 0, stepSize: 1e-4, steps: 100_000, chains: 4 });
  const ula = quadraticUlaLlc([1, 1, 1], 50, 0, 1e-4);
  assert.ok(ula - 1.5 < mcse, `ULA bias ${ula - 1.5} should be below the MCSE ${mcse} at this step size`);
  assert.ok(Math.abs(mean - 1.5) < 3 * mcse, `λ̂ = ${mean} ± ${mcse}, expected 1.5`);
  assert.ok(mcse < 0.05, `MCSE ${mcse} too large for a meaningful check`);
});

test('full-batch SGLD matches the exact ULA bias (d = 3, h = 1, γ = 1, t = 100, ε = 1e-3 → 1.523620)', () => {
  const exactUla = quadraticUlaLlc([1, 1, 1], 100, 1, 1e-3);
  assert.ok(Math.abs(exactUla - 1.52362) < 1e-5, `formula gives ${exactUla}`);
  assert.ok(Math.abs(quadraticExactLlc([1, 1, 1], 100, 1) - 1.485149) < 1e-6);
  const { mean, mcse } = sgldOnQuadratic({ d: 3, t: 100, gamma: 1, stepSize: 1e-3, steps: 250_000, chains: 4 });
  assert.ok(Math.abs(mean - exactUla) < 3 * mcse, `λ̂ = ${mean} ± ${mcse}, ULA predicts ${exactUla}`);
  // The check has power: the unbiased value 1.485149 lies well outside the interval.
  assert.ok(Math.abs(mean - 1.485149) > 3 * mcse, `MCSE ${mcse} too large to tell ULA bias from the exact value`);
});

test('kernel is pure: stepping the same state twice gives identical results and leaves the input intact', () => {
  const model = quadraticPotential([1, 2]);
  const posterior: LocalPosterior = { nBeta: 10, gamma: 1, wStar: new Float64Array(2), L0: 0 };
  const kernel = buildKernel(model, posterior, { stepSize: 0.01, batchSize: null });
  const s0 = init(Float64Array.of(0.1, -0.2), Uint32Array.of(1, 2, 3, 4));
  const before = Array.from(s0.position);
  const a = kernel(s0);
  const b = kernel(s0);
  assert.deepEqual(Array.from(a.state.position), Array.from(b.state.position));
  assert.deepEqual(Array.from(s0.position), before);
  assert.equal(a.info.fge, 1);
});

test('a step size that diverges stops the chain with a recorded reason, not a NaN λ̂', () => {
  const model = quadraticPotential([1, 1]);
  const posterior: LocalPosterior = { nBeta: 1e4, gamma: 1, wStar: new Float64Array(2), L0: 0 };
  const kernel = buildKernel(model, posterior, { stepSize: 1, batchSize: null });
  const r = runChains(model, posterior, { init, step: kernel }, { chains: 2, steps: 5000, burnIn: 0, evalEvery: 1, seed: 1, initNoise: 0.01 });
  for (const c of r.chains) {
    assert.equal(c.status.status, 'stopped');
    assert.match((c.status as { reason: string }).reason, /non-finite/);
    for (let i = 0; i < c.draws; i++) assert.ok(Number.isFinite(c.llc[i]));
  }
});

test('minibatch SGLD counts work as b/n FGE per step', () => {
  const base = quadraticPotential([1]);
  const model = { ...base, n: 1000 };
  const posterior: LocalPosterior = { nBeta: 10, gamma: 1, wStar: new Float64Array(1), L0: 0 };
  const kernel = buildKernel(model, posterior, { stepSize: 1e-3, batchSize: 100 });
  const r = runChains(model, posterior, { init, step: kernel }, { chains: 1, steps: 50, burnIn: 10, evalEvery: 10, seed: 3, initNoise: 0 });
  assert.ok(Math.abs(r.chains[0].totalFge - 60 * 0.1) < 1e-12);
  assert.deepEqual(Array.from(r.chains[0].fge).map((x) => +x.toFixed(10)), [2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(r.drawSteps), [10, 20, 30, 40, 50]);
});
