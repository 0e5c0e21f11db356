import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { expandPipeline, type SampleSlice } from './normalize';
import type { TargetConfig } from './schema';
import { COST_MODEL, checkLimits, checkRunLimits, estimateRun, formatAmount, targetShape, type RunEstimate } from './limits';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/** The one run of a one-target, one-sampler pipeline, and its fully defaulted target config. */
function run(target: Loose, sampler: Loose): { slice: SampleSlice; target: TargetConfig } {
  const p = expandPipeline({ targets: { a: target }, samplers: { [sampler.kind]: sampler } }, 'pipeline.config.ts');
  assert.equal(p.samples.length, 1);
  return { slice: p.samples[0].slice, target: p.targets[0].slice.config };
}

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);

/** The demo study's mlp-small target. */
const mlpSmall = {
  kind: 'teacher-student',
  n: 2000,
  nTest: 500,
  inputDim: 4,
  teacher: { widths: [4, 8, 1] },
  student: { widths: [4, 8, 1] },
};

test('SGLD on an MLP: every term by hand (the demo study\'s mlp-small--sgld, MALA diagnostic off)', () => {
  const { slice, target } = run(mlpSmall, { kind: 'sgld', stepSize: 1e-3, batchSize: 256, chains: 4, burnIn: 3000, steps: 20000, evalEvery: 20, malaDiagnostic: false });
  const e = estimateRun(slice, target);
  assert.deepEqual(e.target, { n: 2000, nTest: 500, p: 4, outputDim: 1, d: 49, widths: [4, 8, 1] });
  // data: 4·((2000 + 500)·(4 + 1) + 2000·(4 + 1)); activations: 4 bytes · 2000 rows · 4 · (4 + 8 + 1) units;
  // trace: 8 · 4 chains · 6 arrays · 20000/20 draws.
  assert.deepEqual(e.memory, { data: 90_000, activations: 416_000, trace: 192_000 });
  assert.equal(e.memoryBytes, 698_000);
  // 4 chains · 23000 steps · 256/2000.
  close(e.fge, 11_776, 'fge');
  assert.equal(e.gradientCalls, 92_000);
  assert.equal(e.evaluations, 4_000);
  assert.equal(e.transitions, 92_000);
  // MACs = 4·8 + 8·1 = 40. (92000 + 4000) calls · 4e-4 s
  //   + (11776 · 6·40·2000 + 4000 · 2·40·2000 + 92000 · 20·49) / 1e9 = 38.4 + 6.38264 s.
  close(e.roughSeconds, 38.4 + (11_776 * 480_000 + 4_000 * 160_000 + 92_000 * 20 * 49) / 1e9, 'seconds');
  close(e.roughSeconds, 44.78264, 'seconds');
  // precision: 'float64' (a kernel run) doubles the resident copy: + 4·2000·(4 + 1) bytes.
  const f64 = run(mlpSmall, { kind: 'sgld', stepSize: 1e-3, batchSize: 256, chains: 4, burnIn: 3000, steps: 20000, evalEvery: 20, precision: 'float64' });
  assert.equal(estimateRun(f64.slice, f64.target).memory.data, 90_000 + 40_000);
});

test('HMC on an analytic potential: no data, no activations, K gradients per transition', () => {
  const { slice, target } = run(
    { kind: 'potential', potential: { type: 'quadratic', h: [1, 2, 3] }, temperature: 10 },
    { kind: 'hmc', chains: 2, burnIn: 100, steps: 400 },
  );
  const e = estimateRun(slice, target);
  assert.deepEqual(e.target, { n: 1, nTest: 0, p: 0, outputDim: 0, d: 3, widths: null });
  assert.deepEqual(e.memory, { data: 0, activations: 0, trace: 8 * 2 * 6 * 400 });
  // 2 chains · (500 transitions · 10 leapfrog gradients + 1 initial gradient).
  assert.equal(e.fge, 10_002);
  assert.equal(e.gradientCalls, 10_002);
  assert.equal(e.evaluations, 800);
  // (10002 + 800) · 1.5e-5 + (10002·10·3 + 800·5·3 + 1000·20·3) / 1e9.
  close(e.roughSeconds, 0.16203 + 372_060 / 1e9, 'seconds');
});

test('VI on a student sized by paramCount, minibatched, with the control variate', () => {
  const { slice, target } = run(
    { kind: 'teacher-student', n: 1000, inputDim: 3, teacher: { widths: [3, 5, 2] }, student: { depth: 2, paramCount: 100 } },
    { kind: 'vi', chains: 2, steps: 100, evalSamples: 10, components: 3, rank: 1, batchSize: 250 },
  );
  const e = estimateRun(slice, target);
  // d(h) = 3h + h² + 2h + (2h + 2) = 100 at h = 7.
  assert.deepEqual(e.target, { n: 1000, nTest: 1000, p: 3, outputDim: 2, d: 100, widths: [3, 7, 7, 2] });
  // Per fit: 100 steps · 2 samples · 250/1000 + 1 + 2·(10 evaluation HVPs + min(100, 16) probes + 3·1 factors) = 50 + 59.
  assert.equal(e.fge, 2 * 109);
  assert.equal(e.gradientCalls, 2 * (200 + 59));
  assert.deepEqual(e.memory, { data: 4 * (2000 * 5 + 1000 * 5), activations: 4 * 1000 * 4 * 19, trace: 8 * 2 * 100 });
  // MACs = 3·7 + 7·7 + 7·2 = 84; MFA state = 3 components · 100 · (1 + 2).
  close(e.roughSeconds, 538 * 4e-4 + (218 * 6 * 84 * 1000 + 20 * 2 * 84 * 1000 + 200 * 20 * 900) / 1e9, 'seconds');
  close(e.roughSeconds, 0.332032, 'seconds');
});

test('FGE matches what the demo study recorded for every sampler kind (mlp-small)', () => {
  const fge = (sampler: Loose) => {
    const { slice, target } = run(mlpSmall, sampler);
    return estimateRun(slice, target).fge;
  };
  const sgld = { kind: 'sgld', stepSize: 1e-4, batchSize: 256, chains: 4, burnIn: 3000, steps: 20000, evalEvery: 20 };
  close(fge({ ...sgld, precondition: 'rmsprop', malaDiagnostic: true, malaEvery: 1 }), 23_552, 'sgld + MALA on every step');
  close(fge({ ...sgld, precondition: 'rmsprop' }), 12_953.6, 'sgld + MALA on one step in 10 (the default)');
  close(fge({ ...sgld, malaDiagnostic: false }), 11_776, 'sgld without MALA');
  close(fge({ ...sgld, kind: 'sgnht', stepSize: 0.01 }), 11_776, 'sgnht');
  assert.equal(fge({ kind: 'mclmc', chains: 4, burnIn: 1000, steps: 2000 }), 24_004);
  assert.equal(fge({ kind: 'vi', chains: 4, steps: 3000 }), 25_060);
  // HMC's step-size search and early divergences make the recorded 47963 differ slightly.
  assert.equal(fge({ kind: 'hmc', chains: 4, burnIn: 200, steps: 1000 }), 48_004);
  assert.equal(fge({ kind: 'mclmc', chains: 1, burnIn: 0, steps: 10, integrator: 'velocity-verlet', tune: false, stepSize: 0.1, L: 1 }), 11);
});

test('activations stop growing with n at the chunk size mlp.ts evaluates in', async () => {
  const source = await readFile(new URL('../../targets/src/models/mlp.ts', import.meta.url), 'utf8');
  assert.match(source, /const CHUNK_ELEMENTS = 1 << 22;/, 'COST_MODEL.chunkElements must mirror CHUNK_ELEMENTS in mlp.ts');
  assert.equal(COST_MODEL.chunkElements, 1 << 22);
  const big = { ...mlpSmall, n: 5_000_000, nTest: 1000, inputDim: 1000, teacher: { widths: [1000, 4, 1] }, student: { widths: [1000, 2000, 1] } };
  const { slice, target } = run(big, { kind: 'sgld', stepSize: 1e-4, chains: 4, steps: 1000, evalEvery: 10 });
  const e = estimateRun(slice, target);
  // floor(2^22 / 2000) = 2097 rows at a time.
  assert.equal(e.memory.activations, 4 * 2097 * 4 * 3001);
  assert.equal(e.memory.data, 4 * ((5_001_000 * 1001) + 5_000_000 * 1001));
  assert.equal(e.memoryBytes, 40_044_004_000 + 100_689_552 + 19_200);
});

test('targetShape of linear networks and potentials', () => {
  const shape = (t: Loose) => targetShape(t);
  assert.deepEqual(shape({ kind: 'dln', widths: [3, 4, 3], rank: 1, n: 100, nTest: 10, noiseStd: 0.1 }), { n: 100, nTest: 10, p: 3, outputDim: 3, d: 24, widths: [3, 4, 3] });
  assert.deepEqual(shape({ kind: 'rrr', M: 4, H: 2, N: 4, rank: 1, n: 50, nTest: 5, noiseStd: 0.1 }), { n: 50, nTest: 5, p: 4, outputDim: 4, d: 16, widths: [4, 2, 4] });
  const pot = (potential: Loose) => shape({ kind: 'potential', potential, temperature: 1, prior: 'flat' }).d;
  assert.equal(pot({ type: 'two-layer-linear', M: 2, H: 3, N: 4 }), 18);
  assert.equal(pot({ type: 'scalar-chain', depth: 5 }), 5);
  assert.equal(pot({ type: 'monomial', powers: [2, 4] }), 2);
  assert.equal(pot({ type: 'normal-crossing', k: [1, 2, 3] }), 3);
});

const labelled = (estimate: RunEstimate, id = 'a--sgld') => ({ path: 'runs[0]', id, estimate });

test('checkLimits: the memory message names the run, the estimate, the limit and what dominates it', () => {
  const big = { ...mlpSmall, n: 5_000_000, nTest: 1000, inputDim: 1000, teacher: { widths: [1000, 4, 1] }, student: { widths: [1000, 2000, 1] } };
  const { slice, target } = run(big, { kind: 'sgld', stepSize: 1e-4, chains: 4, steps: 1000, evalEvery: 10 });
  const e = estimateRun(slice, target);
  assert.deepEqual(checkLimits([labelled(e)], { maxMemoryGB: 16 }), [
    'runs[0] (a--sgld): estimated 40.1 GB of memory exceeds limits.maxMemoryGB (16); reduce n or nTest (data: 40 GB of 40.1 GB)',
  ]);
  assert.deepEqual(checkLimits([labelled(e)], { maxMemoryGB: 41 }), []);
  assert.deepEqual(checkLimits([labelled(e)], {}), []);

  const trace = run({ kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10 }, { kind: 'sgld', stepSize: 1e-3, chains: 100, steps: 1_000_000, evalEvery: 1 });
  assert.deepEqual(checkLimits([labelled(estimateRun(trace.slice, trace.target))], { maxMemoryGB: 1 }), [
    'runs[0] (a--sgld): estimated 4.8 GB of memory exceeds limits.maxMemoryGB (1); reduce chains or steps, or raise evalEvery (trace: 4.8 GB of 4.8 GB)',
  ]);

  const wide = run({ ...mlpSmall, student: { widths: [4, 100_000, 1] } }, { kind: 'sgld', stepSize: 1e-3, chains: 1, steps: 10 });
  // floor(2^22 / 100000) = 41 rows at a time: 4 · 41 · 4 · 100005 = 65603280 bytes.
  assert.deepEqual(checkLimits([labelled(estimateRun(wide.slice, wide.target))], { maxMemoryGB: 0.05 }), [
    "runs[0] (a--sgld): estimated 0.0657 GB of memory exceeds limits.maxMemoryGB (0.05); reduce n or the network's widths (activations: 0.0656 GB of 0.0657 GB)",
  ]);
});

test('checkLimits: the time message, with advice naming the sampler\'s own knobs', () => {
  const { slice, target } = run(mlpSmall, { kind: 'sgld', stepSize: 1e-3, batchSize: 256, chains: 4, burnIn: 3000, steps: 20000, evalEvery: 20, malaDiagnostic: false });
  const e = estimateRun(slice, target); // 44.78 s = 0.746 min
  assert.deepEqual(checkLimits([{ ...labelled(e), config: slice.config }], { maxMinutes: 0.5, maxMemoryGB: 16 }), [
    'runs[0] (a--sgld): estimated 0.746 minutes exceeds limits.maxMinutes (0.5); reduce steps, burnIn, chains or batchSize (11800 FGE)',
  ]);
  assert.deepEqual(checkLimits([{ ...labelled(e), config: slice.config }], { maxMinutes: 1 }), []);
  const hmc = run(mlpSmall, { kind: 'hmc', chains: 4, burnIn: 200, steps: 1000 });
  const problems = checkRunLimits('runs[1]', 'a--hmc', hmc.slice.config, hmc.target, { maxMinutes: 0.1 });
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^runs\[1\] \(a--hmc\): estimated [\d.]+ minutes exceeds limits\.maxMinutes \(0\.1\); reduce steps, burnIn, chains or integrationSteps \(48000 FGE\)$/);
});

test('checkRunLimits: nothing without limits, and nothing (left to the target build) when a sized student cannot be resolved', () => {
  const { slice, target } = run(mlpSmall, { kind: 'sgld', stepSize: 1e-3 });
  assert.deepEqual(checkRunLimits('runs[0]', 'a--sgld', slice.config, target, undefined), []);
  assert.deepEqual(checkRunLimits('runs[0]', 'a--sgld', slice.config, target, {}), []);
  const tooSmall = { ...target, student: { depth: 3, paramCount: 2, activation: 'relu', bias: true, layerNorm: false } } as TargetConfig;
  assert.throws(() => estimateRun(slice, tooSmall), /paramCount 2 is below the smallest network/);
  assert.deepEqual(checkRunLimits('runs[0]', 'a--sgld', slice.config, tooSmall, { maxMemoryGB: 1e-9 }), []);
});

test('formatAmount: three significant digits, never an exponent', () => {
  assert.equal(formatAmount(37.04), '37');
  assert.equal(formatAmount(40.1447), '40.1');
  assert.equal(formatAmount(11_776), '11800');
  assert.equal(formatAmount(0.001234), '0.00123');
  assert.equal(formatAmount(0), '0');
});
