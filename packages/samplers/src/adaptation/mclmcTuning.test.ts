import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, rngFromState, type RngState } from '@llc/core/random/rng';
import { essMean } from '@llc/diagnostics/index';
import {
  essCoordinates,
  integratedAutocorrelationTime,
  lFromAutocorrelation,
  mclmcSchedule,
  stepSizeAdaptation,
  tuneMclmc,
  weightedMoments,
  type ParametrisedKernel,
} from './mclmcTuning';

interface FakeState {
  readonly position: Float64Array;
  readonly rng: RngState;
}

/**
 * A stand-in kernel with known answers: ΔE = c·ε³·√d·z (so E[ΔE²]/d = c²ε⁶, the
 * second-order law the tuner assumes), positions an AR(1) with coefficient φ and
 * stationary sd `scale[i]` (τ = (1+φ)/(1−φ) steps), divergent above `epsCrit`.
 */
function fakeKernel(opts: { c: number; phi: number; scale: number[]; epsCrit?: number }): ParametrisedKernel<FakeState> {
  const d = opts.scale.length;
  return (state, stepSize) => {
    const rng = rngFromState(state.rng);
    const z = rng.normal();
    const noise = rng.fillNormal(new Float64Array(d));
    const position = state.position.map((w, i) => opts.phi * w + Math.sqrt(1 - opts.phi ** 2) * opts.scale[i] * noise[i]);
    const divergent = opts.epsCrit !== undefined && stepSize > opts.epsCrit;
    const energy = divergent ? Number.NaN : opts.c * stepSize ** 3 * Math.sqrt(d) * z;
    return { state: { position, rng: rng.state() }, info: { fge: 1, energy, divergent } };
  };
}

function ar1(n: number, phi: number, seed: number): Float64Array {
  const rng = createRng(seed, 'ar1');
  const x = new Float64Array(n);
  let v = rng.normal();
  for (let i = 0; i < n; i++) {
    v = phi * v + Math.sqrt(1 - phi * phi) * rng.normal();
    x[i] = v;
  }
  return x;
}

test('mclmcSchedule splits 40/40/20 and always sums to the step count', () => {
  assert.deepEqual(mclmcSchedule(1000), { stepSizeSteps: 400, varianceSteps: 400, essSteps: 200 });
  for (const n of [0, 1, 2, 3, 7, 101]) {
    const s = mclmcSchedule(n);
    assert.equal(s.stepSizeSteps + s.varianceSteps + s.essSteps, n);
    assert.ok(s.stepSizeSteps >= 0 && s.varianceSteps >= 0 && s.essSteps >= 0);
  }
  assert.throws(() => mclmcSchedule(10, [0.5, 0.5, 0.5]), /sum to 1/);
  assert.throws(() => mclmcSchedule(-1), /non-negative integer/);
});

test('integrated autocorrelation time: AR(1) gives (1+φ)/(1−φ); agrees with analysis essMean', () => {
  for (const phi of [0, 0.5, 0.9]) {
    // n = 400,000: at φ = 0.9 the estimate's relative sd is ≈ 3% (≈ 10% at n = 40,000, as loose as the tolerance).
    const x = ar1(400_000, phi, 1);
    const tau = integratedAutocorrelationTime(x);
    const exact = (1 + phi) / (1 - phi);
    assert.ok(Math.abs(tau / exact - 1) < 0.1, `φ = ${phi}: τ = ${tau}, exact ${exact}`);
    // The reference diagnostics (split chains, FFT) estimate the same quantity.
    const reference = x.length / essMean([x]);
    assert.ok(Math.abs(tau / reference - 1) < 0.05, `φ = ${phi}: τ = ${tau}, n/essMean = ${reference}`);
  }
  assert.ok(Number.isNaN(integratedAutocorrelationTime(new Float64Array(50).fill(2))));
  assert.ok(Number.isNaN(integratedAutocorrelationTime([1, 2])));
  // Antithetic chains are capped at τ = 1/log10(n), as in Stan/posterior.
  const alternating = Float64Array.from({ length: 1000 }, (_, i) => (i % 2 ? 1 : -1) + 0.01 * Math.sin(i));
  assert.equal(integratedAutocorrelationTime(alternating), 1 / 3);
  assert.ok(Math.abs(lFromAutocorrelation([ar1(20_000, 0.5, 2), ar1(20_000, 0.5, 3)], 0.1) - 0.4 * 0.1 * 3) < 0.4 * 0.1 * 3 * 0.1);
  assert.deepEqual(Array.from(essCoordinates(5, 256)), [0, 1, 2, 3, 4]);
  assert.deepEqual(Array.from(essCoordinates(10, 4)), [0, 2, 5, 7]);
});

test('weightedMoments matches the direct weighted variance and never writes its input', () => {
  const rng = createRng(4, 'moments');
  const xs = Array.from({ length: 200 }, () => Float64Array.of(1000 + rng.normal(), 3 * rng.normal()));
  const ws = xs.map(() => 0.1 + rng.uniform());
  let s = weightedMoments.init(2);
  for (let k = 0; k < xs.length; k++) {
    const prev = s;
    const prevMean = Array.from(prev.mean);
    s = weightedMoments.update(s, xs[k], ws[k]);
    assert.deepEqual(Array.from(prev.mean), prevMean);
  }
  const W = ws.reduce((a, b) => a + b, 0);
  for (let i = 0; i < 2; i++) {
    const m = xs.reduce((a, x, k) => a + ws[k] * x[i], 0) / W;
    const v = xs.reduce((a, x, k) => a + ws[k] * (x[i] - m) ** 2, 0) / W;
    assert.ok(Math.abs(weightedMoments.final(s)[i] - v) < 1e-10 * v);
  }
});

test('step-size adaptation finds ε with E[ΔE²]/d = target under the ε⁶ law, and backs off after a bad step', () => {
  const target = 5e-4;
  const c = 2;
  const exact = (target / (c * c)) ** (1 / 6);
  const adapt = stepSizeAdaptation({ dim: 8, targetEnergyVariance: target, numEffectiveSamples: Infinity });
  const rng = createRng(5, 'adapt');
  let s = adapt.init(1);
  for (let k = 0; k < 3000; k++) s = adapt.update(s, c * s.stepSize ** 3 * Math.sqrt(8) * rng.normal(), false);
  assert.ok(Math.abs(adapt.final(s) / exact - 1) < 0.05, `ε = ${adapt.final(s)}, expected ${exact}`);
  const backedOff = adapt.update(s, Number.NaN, true);
  assert.equal(backedOff.stepSize, 0.8 * s.stepSize);
  assert.equal(backedOff.stepSizeMax, 0.8 * s.stepSize);
  assert.equal(s.stepSizeMax, Infinity, 'update must not write its input state');
  assert.throws(() => stepSizeAdaptation({ dim: 2, targetEnergyVariance: 0 }), /targetEnergyVariance must be > 0/);
});

test('tuneMclmc: ε from the energy law, L = √ΣVar then 0.4·ε·τ, all work counted, input untouched', () => {
  const scale = [1, 2, 0.5, 1, 3, 1, 1, 0.2];
  const phi = 0.8;
  const c = 2;
  const kernel = fakeKernel({ c, phi, scale });
  const start: FakeState = { position: new Float64Array(8), rng: createRng(6, 'tune').state() };
  const before = { position: Array.from(start.position), rng: Array.from(start.rng) };
  const exactEps = (5e-4 / (c * c)) ** (1 / 6);
  let onStep = 0;
  const r = tuneMclmc(kernel, start, {
    dim: 8,
    steps: 10_000,
    initialStepSize: 3,
    initialL: 3,
    tuneStepSize: true,
    tuneL: true,
    onStep: () => onStep++,
  });
  assert.ok(Math.abs(r.stepSize / exactEps - 1) < 0.05, `ε = ${r.stepSize}, expected ${exactEps}`);
  assert.ok(Math.abs(r.energyVariancePerDim / 5e-4 - 1) < 0.25, `Var[ΔE]/d = ${r.energyVariancePerDim}`);
  const tau = (1 + phi) / (1 - phi);
  assert.ok(Math.abs(r.L / (0.4 * r.stepSize * tau) - 1) < 0.15, `L = ${r.L}, expected ≈ ${0.4 * r.stepSize * tau}`);
  assert.equal(r.fge, 10_000);
  assert.equal(onStep, 10_000);
  assert.equal(r.rejectedSteps, 0);
  assert.deepEqual({ position: Array.from(start.position), rng: Array.from(start.rng) }, before);
  // Deterministic given the state.
  const again = tuneMclmc(kernel, start, { dim: 8, steps: 10_000, initialStepSize: 3, initialL: 3, tuneStepSize: true, tuneL: true });
  assert.equal(again.stepSize, r.stepSize);
  assert.equal(again.L, r.L);

  // Without the ESS stage, L is the typical-set size √(Σ Var[w_i]).
  const noEss = tuneMclmc(kernel, start, { dim: 8, steps: 10_000, initialStepSize: 3, initialL: 3, tuneStepSize: true, tuneL: true, fractions: [0.5, 0.5, 0] });
  const typical = Math.sqrt(scale.reduce((a, s) => a + s * s, 0));
  assert.ok(Math.abs(noEss.L / typical - 1) < 0.1, `L = ${noEss.L}, expected ≈ ${typical}`);
  assert.ok(Number.isNaN(noEss.energyVariancePerDim));
});

test('tuneMclmc keeps user-fixed ε and L, and rejects divergent steps without moving the chain', () => {
  const kernel = fakeKernel({ c: 2, phi: 0.5, scale: [1, 1] });
  const start: FakeState = { position: Float64Array.of(0.3, -0.2), rng: createRng(7, 'fixed').state() };
  const fixedBoth = tuneMclmc(kernel, start, { dim: 2, steps: 500, initialStepSize: 0.123, initialL: 4.5, tuneStepSize: false, tuneL: false });
  assert.equal(fixedBoth.stepSize, 0.123);
  assert.equal(fixedBoth.L, 4.5);
  const fixedL = tuneMclmc(kernel, start, { dim: 2, steps: 500, initialStepSize: 0.123, initialL: 4.5, tuneStepSize: true, tuneL: false });
  assert.equal(fixedL.L, 4.5);
  assert.notEqual(fixedL.stepSize, 0.123);
  const fixedEps = tuneMclmc(kernel, start, { dim: 2, steps: 500, initialStepSize: 0.123, initialL: 4.5, tuneStepSize: false, tuneL: true });
  assert.equal(fixedEps.stepSize, 0.123);
  assert.notEqual(fixedEps.L, 4.5);

  // Every step above ε = 0.05 diverges: ε must end below it, and the rejected steps still cost work.
  const fragile = fakeKernel({ c: 1e-3, phi: 0.5, scale: [1, 1], epsCrit: 0.05 });
  const r = tuneMclmc(fragile, start, { dim: 2, steps: 1000, initialStepSize: 1, initialL: 1, tuneStepSize: true, tuneL: true });
  assert.ok(r.stepSize <= 0.05, `ε = ${r.stepSize}`);
  assert.ok(r.rejectedSteps > 0);
  assert.equal(r.fge, 1000);
  // All rejected from the start: the chain would not move at all.
  const stuck = tuneMclmc(fakeKernel({ c: 1, phi: 0.5, scale: [1, 1], epsCrit: 0 }), start, {
    dim: 2, steps: 20, initialStepSize: 1, initialL: 1, tuneStepSize: true, tuneL: true,
  });
  assert.deepEqual(Array.from(stuck.state.position), [0.3, -0.2]);
  assert.notDeepEqual(Array.from(stuck.state.rng), Array.from(start.rng), 'a retry must draw fresh noise');
  assert.equal(stuck.rejectedSteps, 20);
});
