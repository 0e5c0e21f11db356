import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateLlc, malaFlag, runningLlc } from './llc';
import { create } from '@llc/samplers/kernels/sgld';
import { runChains, type RunResult } from '@llc/samplers/run';
import { quadraticPotential, quadraticExactLlc, quadraticUlaLlc } from '@llc/targets/potentials/quadratic';
import { analysisSchema } from './schema';
import { createRng } from '@llc/core/random/rng';
import type { SampleTrace } from '@llc/samplers/trace';
import type { ChainStatus } from '@llc/samplers/run';

function fakeTrace(chains: Array<{ values: number[]; status?: ChainStatus }>, complete = true): SampleTrace {
  const D = Math.max(...chains.map((c) => c.values.length));
  const pad = (v: number[]) => Float64Array.from({ length: D }, (_, i) => (i < v.length ? v[i] : Number.NaN));
  return {
    manifest: {
      complete,
      chains: chains.map((c, chain) => ({ chain, draws: c.values.length, totalFge: 10, totalSeconds: 1, status: c.status ?? { status: 'ok' } })),
    } as SampleTrace['manifest'],
    llc: chains.map((c) => pad(c.values)),
    loss: chains.map((c) => pad(c.values)),
    fge: chains.map(() => Float64Array.from({ length: D }, (_, i) => i + 1)),
    seconds: chains.map(() => new Float64Array(D)),
    acceptance: chains.map(() => new Float64Array(D).fill(Number.NaN)),
    energy: chains.map(() => new Float64Array(D).fill(Number.NaN)),
    drawSteps: Int32Array.from({ length: D }, (_, i) => i + 1),
  };
}

const config = analysisSchema.parse({ discard: 0 });

test('λ̂ pools healthy chains only; a stopped chain is reported and flagged, never averaged in', () => {
  const rng = createRng(1);
  const good = () => Array.from({ length: 100 }, () => 5 + rng.normal());
  const trace = fakeTrace([
    { values: good() },
    { values: good() },
    { values: [1e6, 1e7], status: { status: 'stopped', atStep: 30, atDraw: 2, reason: 'non-finite loss at step 30' } },
  ]);
  const est = estimateLlc(trace, config);
  const pooled = [...trace.llc[0], ...trace.llc[1]];
  assert.equal(est.mean, pooled.reduce((a, b) => a + b, 0) / pooled.length);
  assert.deepEqual(est.healthy, [0, 1]);
  assert.equal(est.chains[2].status, 'stopped');
  assert.equal(est.chains[2].reason, 'non-finite loss at step 30');
  assert.ok(est.flags.includes('chain 2 stopped: non-finite loss at step 30'));
  assert.ok(est.mean! < 6 && est.mean! > 4);
});

test('no healthy chain: every statistic is null with a reason keyed by its summary path', () => {
  const stopped: ChainStatus = { status: 'stopped', atStep: 1, atDraw: 0, reason: 'non-finite parameters at step 1' };
  const est = estimateLlc(fakeTrace([{ values: [], status: stopped }, { values: [], status: stopped }]), config);
  assert.equal(est.mean, null);
  assert.equal(est.mcse, null);
  assert.equal(est.na['llc.mean'], 'no chain survived');
  assert.equal(est.na['diagnostics.rhat'], 'no chain survived');
  assert.ok(est.flags.includes('no healthy chain: λ̂ not estimated'));
});

test('a constant trace gives NA diagnostics with the reason, and an incomplete run is flagged', () => {
  const est = estimateLlc(fakeTrace([{ values: new Array(50).fill(2) }, { values: new Array(50).fill(2) }], false), config);
  assert.equal(est.mean, 2);
  assert.equal(est.diagnostics?.rhat, null);
  assert.equal(est.na['diagnostics.rhat'], 'constant trace');
  assert.ok(est.flags.includes('incomplete run (interrupted): partial trace'));
});

test('analysis.discard drops leading draws; running λ̂ ends at the pooled mean', () => {
  const values = Array.from({ length: 40 }, (_, i) => (i < 10 ? 100 : i % 3));
  const est = estimateLlc(fakeTrace([{ values }, { values }]), { ...config, discard: 10 });
  const kept = values.slice(10);
  assert.equal(est.mean, kept.reduce((a, b) => a + b, 0) / kept.length);
  assert.equal(est.keptPerChain, 30);
  const run = runningLlc([Float64Array.from(kept), Float64Array.from(kept)], 10);
  assert.equal(run.k.at(-1), 30);
  assert.equal(run.mean.at(-1), est.mean);
  assert.equal(run.k[0], 6);
});

/** A SampleTrace around chains run in memory (what the sample stage would write). */
function traceOf(r: RunResult): SampleTrace {
  const t = fakeTrace(r.chains.map((c) => ({ values: Array.from(c.llc) })));
  return { ...t, acceptance: r.chains.map((c) => c.acceptance) };
}

test('the MALA band: a mean acceptance below analysis.malaAcceptanceMin is flagged with the reason; NaN intervals are skipped', () => {
  const values = Array.from({ length: 60 }, (_, i) => 3 + Math.sin(i));
  const withAcceptance = (a: number[]) => ({ ...fakeTrace([{ values }, { values }]), acceptance: [Float64Array.from(a), Float64Array.from(a)] });
  const low = withAcceptance(values.map((_, i) => (i % 2 ? 0.8 : Number.NaN)));
  const est = estimateLlc(low, config, { mala: true });
  assert.ok(Math.abs(est.malaAcceptance! - 0.8) < 1e-12);
  assert.ok(est.flags.includes('MALA acceptance 0.800 < 0.9: stepSize too large, λ̂ carries step-size (discretisation) bias; lower stepSize'), est.flags.join('; '));
  assert.equal(estimateLlc(low, config).malaAcceptance, null, 'the band applies to SGLD\'s MALA diagnostic only');
  assert.equal(estimateLlc(withAcceptance(values.map(() => 0.9)), config, { mala: true }).flags.some((f) => f.startsWith('MALA')), false, 'at the band edge: no flag');
  assert.equal(malaFlag(0.95, 0.9), null);
  assert.equal(malaFlag(null, 0.9), null);
});

test('on a quadratic with a known answer the MALA flag fires at the step size that biases λ̂, not at the one that does not', () => {
  const h = [1, 1, 1];
  const model = quadraticPotential(h);
  const posterior = { nBeta: 100, gamma: 1, wStar: new Float64Array(3), L0: 0 };
  const run = (stepSize: number) =>
    runChains(model, posterior, create(model, posterior, { stepSize, batchSize: null, malaDiagnostic: true, malaEvery: 10 }), {
      chains: 4, steps: 20000, burnIn: 1000, evalEvery: 10, seed: 7, initNoise: 0.1,
    });
  const exact = quadraticExactLlc(h, 100, 1);
  // εa = 1.5 with a = tλ + γ = 101: ULA's stationary λ̂ is 60% above the exact one.
  const large = estimateLlc(traceOf(run(1.5 / 101)), config, { mala: true });
  assert.ok(Math.abs(large.mean! - quadraticUlaLlc(h, 100, 1, 1.5 / 101)) < 4 * large.mcse!, `${large.mean} vs ULA ${quadraticUlaLlc(h, 100, 1, 1.5 / 101)}`);
  assert.ok(large.mean! > exact * 1.5);
  assert.ok(large.malaAcceptance! < 0.9, `acceptance ${large.malaAcceptance}`);
  assert.ok(large.flags.some((f) => f.startsWith('MALA acceptance')));
  const small = estimateLlc(traceOf(run(0.01 / 101)), config, { mala: true });
  assert.ok(small.malaAcceptance! > 0.99, `acceptance ${small.malaAcceptance}`);
  assert.equal(small.flags.some((f) => f.startsWith('MALA')), false);
  assert.ok(Math.abs(small.mean! - exact) < 3 * small.mcse!, `${small.mean} ± ${small.mcse} vs exact ${exact}`);
});

test('divergences: always counted, flagged when a chain exceeds analysis.divergenceRate of its sampling transitions', () => {
  const values = Array.from({ length: 1000 }, (_, i) => 3 + Math.sin(i));
  const trace = fakeTrace([{ values }, { values }]);
  trace.manifest.chains[0].divergences = 1;
  trace.manifest.chains[1].divergences = 2;
  const est = estimateLlc(trace, config);
  assert.deepEqual(est.chains.map((c) => c.divergences), [1, 2]);
  assert.deepEqual(est.flags.filter((f) => f.includes('divergent')), ['chain 1: 2 divergent transitions (0.20% of 1000, above analysis.divergenceRate 0.001)']);
  assert.equal(estimateLlc(trace, { ...config, divergenceRate: 0 }).flags.filter((f) => f.includes('divergent')).length, 2);
});
