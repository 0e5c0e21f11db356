import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKernel, create, init, type SgldParams, type SgldState } from './sgld';
import { runChains } from '../run';
import { quadraticPotential, quadraticExactLlc, quadraticUlaLlc } from '@llc/targets/potentials/quadratic';
import { essMean } from '@llc/diagnostics/index';
import type { LocalPosterior } from '../posterior';
import type { LossModel } from '@llc/core/model';
import { PRECONDITIONER_DEFAULTS, preconditionerScale, resolvePreconditioner } from '../preconditioners';
import { seedState } from '@llc/core/random/rng';

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

// ---- Preconditioned SGLD and the MALA diagnostic -----------------------------------

const flat = (d: number, t: number): LocalPosterior => ({ nBeta: t, gamma: 0, wStar: new Float64Array(d), L0: 0 });

function runLlc(model: LossModel, posterior: LocalPosterior, params: SgldParams, opts: { steps: number; burnIn: number; seed: number; chains?: number }) {
  const r = runChains(model, posterior, create(model, posterior, params), {
    chains: opts.chains ?? 4,
    steps: opts.steps,
    burnIn: opts.burnIn,
    evalEvery: 5,
    seed: opts.seed,
    initNoise: 0.1,
  });
  for (const c of r.chains) assert.equal(c.status.status, 'ok');
  return { result: r, ...pooledMeanAndMcse(r.chains.map((c) => c.llc)) };
}

/** Stationary P of RMSProp on the quadratic K = ½Σh w² with a flat prior: E[g_i²] = h_i²·E[w_i²] = h_i/t. */
function stationaryScale(h: number, t: number, eps: number): number {
  return 1 / (Math.sqrt(h / t) + eps);
}

/**
 * Exact stationary E[λ̂] of full-batch Adam-SGLD with a fixed P on K = ½Σh w² (per
 * coordinate a linear Gaussian recursion in (w_k, m_{k−1}) once m̂'s bias correction has
 * died out): x ← A x + B ξ, Σ = AΣAᵀ + BBᵀ solved for its three entries.
 */
function adamExactLlc(h: number[], t: number, gamma: number, stepSize: number, scale: number, beta1: number): number {
  const det3 = (m: number[][]) =>
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  let sum = 0;
  for (const hi of h) {
    const e = stepSize * scale;
    const a11 = 1 - (e / 2) * (gamma + t * (1 - beta1) * hi);
    const a12 = -(e / 2) * t * beta1;
    const a21 = (1 - beta1) * hi;
    const a22 = beta1;
    const M = [
      [1 - a11 * a11, -2 * a11 * a12, -a12 * a12],
      [-a11 * a21, 1 - (a11 * a22 + a12 * a21), -a12 * a22],
      [-a21 * a21, -2 * a21 * a22, 1 - a22 * a22],
    ];
    const rhs = [e, 0, 0];
    const s11 = det3(M.map((row, i) => [rhs[i], row[1], row[2]])) / det3(M);
    sum += 0.5 * t * hi * s11;
  }
  return sum;
}

test('plain SGLD draws are pinned (precondition none is bit-identical to the pre-preconditioning kernel)', () => {
  // Values recorded from the plain kernel (minibatch draws, γ, w* ≠ 0; ziggurat normals since 2026-11-29):
  // precondition 'none', with or without the MALA diagnostic, must reproduce them bit for bit.
  const model = { ...quadraticPotential([1, 3, 0.5]), n: 50 };
  const posterior: LocalPosterior = { nBeta: 20, gamma: 1, wStar: Float64Array.of(0.1, 0, -0.2), L0: 0 };
  const expected = [
    [0.14923426931715128, 0.17324227646562373, 0.03534166282577478],
    [0.11856401440832262, -0.02445715307522716, 0.0329708421396794],
    [0.1902087599527249, 0.3780886536684523, 0.23245077306297643],
    [0.013134023797543077, 0.16366579642775692, 0.0002943896244628763],
  ];
  for (const params of [
    { stepSize: 0.01, batchSize: 7 },
    { stepSize: 0.01, batchSize: 7, precondition: 'none', malaDiagnostic: true },
  ] as SgldParams[]) {
    const alg = create(model, posterior, params);
    let s = alg.init(Float64Array.of(0.3, -0.1, 0.2), seedState(42, 'pin'));
    const got: number[][] = [];
    for (let i = 1; i <= 100; i++) {
      s = alg.step(s).state;
      if (i % 25 === 0) got.push(Array.from(s.position));
    }
    assert.deepEqual(got, expected);
    assert.deepEqual(Array.from(s.rng), [655666460, 3388479211, 1398539124, 2890155471]);
    assert.equal(s.preconditioner, undefined);
  }
});

test('RMSProp with v frozen at its initial 1 is plain SGLD with step ε/(1 + eps)', () => {
  const model = quadraticPotential([1, 2]);
  const posterior: LocalPosterior = { nBeta: 10, gamma: 1, wStar: Float64Array.of(0.1, -0.1), L0: 0 };
  const rms = create(model, posterior, { stepSize: 0.011, batchSize: null, precondition: 'rmsprop', eps: 0.1, freezeAfter: 0 });
  const plain = create(model, posterior, { stepSize: 0.01, batchSize: null });
  let a = rms.init(Float64Array.of(0.2, 0.3), seedState(1, 'frozen'));
  let b = plain.init(Float64Array.of(0.2, 0.3), seedState(1, 'frozen'));
  for (let i = 0; i < 200; i++) {
    a = rms.step(a).state;
    b = plain.step(b).state;
  }
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(a.position[i] - b.position[i]) < 1e-12, `${a.position[i]} vs ${b.position[i]}`);
  assert.equal(a.preconditioner!.t, 200);
});

test('RMSProp-SGLD (adapted in burn-in, then frozen) on a flat-prior quadratic gives d/2 within 3 MCSE', (ctx) => {
  // d = 3, t = 50: stationary P ≈ 1/(√(1/50) + 0.1) ≈ 4.1, so εPt ≈ 0.02 and the ULA bias (≈ εPt/4 relative) is below the MCSE.
  const t = 50;
  const stepSize = 1e-4;
  const burnIn = 20_000;
  const { mean, mcse } = runLlc(quadraticPotential([1, 1, 1]), flat(3, t), { stepSize, batchSize: null, precondition: 'rmsprop', freezeAfter: burnIn }, { steps: 200_000, burnIn, seed: 11 });
  const ulaBias = 1.5 * ((stepSize * stationaryScale(1, t, PRECONDITIONER_DEFAULTS.eps) * t) / 4);
  ctx.diagnostic(`RMSProp frozen: λ̂ = ${mean.toFixed(4)} ± ${mcse.toFixed(4)} (exact 1.5)`);
  assert.ok(ulaBias < mcse, `ULA bias ${ulaBias} should be below the MCSE ${mcse}`);
  assert.ok(Math.abs(mean - 1.5) < 3 * mcse, `λ̂ = ${mean} ± ${mcse}, expected 1.5`);
  assert.ok(mcse < 0.03, `MCSE ${mcse} too large for a meaningful check`);
});

test('RMSProp that never stops adapting is biased on full-batch gradients when its window is not ≫ the relaxation time', (ctx) => {
  // Documents why `freezeAfter` exists: with β2 = 0.99 (devinterp's default; window 100 steps)
  // and εPt ≈ 0.02 (relaxation ~100 steps) P tracks the chain's own |w| and λ̂ comes out
  // ≈ 18% high. The same happens at β2 = 0.999 with a 10× smaller ε.
  const { mean, mcse } = runLlc(quadraticPotential([1, 1, 1]), flat(3, 50), { stepSize: 1e-4, batchSize: null, precondition: 'rmsprop', beta2: 0.99 }, { steps: 60_000, burnIn: 20_000, seed: 11 });
  ctx.diagnostic(`RMSProp always adapting: λ̂ = ${mean.toFixed(4)} ± ${mcse.toFixed(4)} (exact 1.5)`);
  assert.ok(mean - 1.5 > 4 * mcse, `λ̂ = ${mean} ± ${mcse}: expected a clear upward adaptation bias`);
});

test('Adam-SGLD with a fixed P matches the exact stationary λ̂ of its momentum-lagged drift', (ctx) => {
  // v frozen at 1 ⇒ P = 1/(1 + eps) exactly; εPt = 0.1 makes the β1 lag bias large (≈ 48%), so
  // the check has power against both d/2 and a drift that ignores the first moment.
  const t = 50;
  const scale = 1 / (1 + PRECONDITIONER_DEFAULTS.eps);
  const stepSize = 0.1 / (scale * t);
  const exact = adamExactLlc([1, 1, 1], t, 0, stepSize, scale, 0.9);
  assert.ok(Math.abs(exact - 2.213438735) < 1e-6, `exact = ${exact}`);
  const { mean, mcse } = runLlc(quadraticPotential([1, 1, 1]), flat(3, t), { stepSize, batchSize: null, precondition: 'adam', freezeAfter: 0 }, { steps: 60_000, burnIn: 2000, seed: 11 });
  ctx.diagnostic(`Adam fixed P, εPt = 0.1: λ̂ = ${mean.toFixed(4)} ± ${mcse.toFixed(4)} (exact ${exact.toFixed(6)})`);
  assert.ok(Math.abs(mean - exact) < 3 * mcse, `λ̂ = ${mean} ± ${mcse}, exact ${exact}`);
  assert.ok(Math.abs(mean - 1.5) > 10 * mcse);
  // As ε → 0 the lag bias vanishes: the exact value tends to d/2.
  assert.ok(Math.abs(adamExactLlc([1, 1, 1], t, 0, 1e-7, scale, 0.9) - 1.5) < 1e-3);
});

test('Adam-SGLD (adapted in burn-in, then frozen) with a small step gives d/2 within 3 MCSE', (ctx) => {
  const t = 50;
  const stepSize = 1e-5;
  const burnIn = 20_000;
  const { mean, mcse } = runLlc(quadraticPotential([1, 1, 1]), flat(3, t), { stepSize, batchSize: null, precondition: 'adam', freezeAfter: burnIn }, { steps: 160_000, burnIn, seed: 11 });
  const lagBias = adamExactLlc([1, 1, 1], t, 0, stepSize, stationaryScale(1, t, PRECONDITIONER_DEFAULTS.eps), 0.9) - 1.5;
  ctx.diagnostic(`Adam frozen: λ̂ = ${mean.toFixed(4)} ± ${mcse.toFixed(4)} (exact 1.5; predicted lag bias ${lagBias.toFixed(4)})`);
  assert.ok(lagBias < mcse, `lag bias ${lagBias} should be below the MCSE ${mcse} at this step size`);
  assert.ok(Math.abs(mean - 1.5) < 3 * mcse, `λ̂ = ${mean} ± ${mcse}, expected 1.5`);
  assert.ok(mcse < 0.06, `MCSE ${mcse} too large for a meaningful check`);
});

test('RMSProp mixes the slow coordinate of an anisotropic quadratic (h = [1, 100]) faster than plain SGLD at the same ε', (ctx) => {
  // Plain: εt·h = [0.01, 1]. RMSProp: P ≈ [5, 0.8] ⇒ ≈ [0.05, 0.8]; expect ≈ 5× the ESS per step on w₀.
  const model = quadraticPotential([1, 100]);
  const posterior = flat(2, 100);
  const slowEss = (precondition: 'none' | 'rmsprop') => {
    const alg = create(model, posterior, { stepSize: 1e-4, batchSize: null, precondition });
    const traces: Float64Array[] = [];
    for (let c = 0; c < 4; c++) {
      let s = alg.init(Float64Array.of(0.05, 0.005), seedState(7, 'aniso', c));
      for (let k = 0; k < 10_000; k++) s = alg.step(s).state;
      const trace = new Float64Array(20_000);
      for (let k = 0; k < trace.length; k++) {
        s = alg.step(s).state;
        trace[k] = s.position[0];
      }
      traces.push(trace);
    }
    return essMean(traces);
  };
  const plain = slowEss('none');
  const rms = slowEss('rmsprop');
  ctx.diagnostic(`ESS(w₀) over 4 × 20k steps: plain ${plain.toFixed(0)}, RMSProp ${rms.toFixed(0)}`);
  assert.ok(rms > 2.5 * plain, `ESS of the slow coordinate: RMSProp ${rms}, plain ${plain}`);
});

test('bias correction changes the first steps and its effect dies out (coupled chains coalesce)', () => {
  const model = quadraticPotential([1, 4]);
  const posterior: LocalPosterior = { nBeta: 50, gamma: 1, wStar: new Float64Array(2), L0: 0 };
  const params = (biasCorrection: boolean): SgldParams => ({ stepSize: 1e-3, batchSize: null, precondition: 'rmsprop', biasCorrection });
  const on = create(model, posterior, params(true));
  const off = create(model, posterior, params(false));
  // Same seed ⇒ same noise draws: any difference comes from P alone.
  let a = on.init(Float64Array.of(0.1, -0.1), seedState(1, 'bc'));
  let b = off.init(Float64Array.of(0.1, -0.1), seedState(1, 'bc'));
  a = on.step(a).state;
  b = off.step(b).state;
  const pOn = preconditionerScale(a.preconditioner!, resolvePreconditioner({ kind: 'rmsprop', biasCorrection: true }));
  const pOff = preconditionerScale(b.preconditioner!, resolvePreconditioner({ kind: 'rmsprop', biasCorrection: false }));
  // v₁ = β2 + (1 − β2)g² ≈ 1, so the corrected v̂₁ ≈ 1000 and P shrinks ≈ 30×.
  for (let i = 0; i < 2; i++) assert.ok(pOn[i] < 0.06 * pOff[i], `P on ${pOn[i]} vs off ${pOff[i]}`);
  const dist = (x: SgldState, y: SgldState) => Math.hypot(x.position[0] - y.position[0], x.position[1] - y.position[1]);
  assert.ok(dist(a, b) > 1e-3, `first step: chains should differ, distance ${dist(a, b)}`);
  for (let k = 1; k < 30_000; k++) {
    a = on.step(a).state;
    b = off.step(b).state;
  }
  assert.ok(dist(a, b) < 1e-9, `after 30k steps the chains should have coalesced, distance ${dist(a, b)}`);
});

/**
 * Exact E[MALA acceptance] of full-batch SGLD (ULA) at stationarity on U = ½aw² (1-D):
 * w ~ N(0, 1/(a(1 − εa/4))), w' = (1 − εa/2)w + √ε·ξ; 2-D trapezoid over (w, ξ) in ±9 sd.
 */
function exactUlaMalaAcceptance(a: number, stepSize: number): number {
  const s = 1 / Math.sqrt(a * (1 - (stepSize * a) / 4));
  const c = 1 - (stepSize * a) / 2;
  const n = 1201;
  const R = 9;
  const h = (2 * R) / (n - 1);
  let sum = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const u = -R + i * h;
    const pu = Math.exp(-0.5 * u * u) * (i === 0 || i === n - 1 ? 0.5 : 1);
    const w = s * u;
    for (let j = 0; j < n; j++) {
      const x = -R + j * h;
      const px = Math.exp(-0.5 * x * x) * (j === 0 || j === n - 1 ? 0.5 : 1);
      const w2 = c * w + Math.sqrt(stepSize) * x;
      const logRatio = -0.5 * a * (w2 * w2 - w * w) - (w - c * w2) ** 2 / (2 * stepSize) + 0.5 * x * x;
      sum += pu * px * (logRatio >= 0 ? 1 : Math.exp(logRatio));
      norm += pu * px;
    }
  }
  return sum / norm;
}

test('full-batch SGLD on a Gaussian: the MALA diagnostic matches its exact stationary expectation', (ctx) => {
  // a = t·h + γ = 101, εa = 1 ⇒ exact 0.92487.
  const exact = exactUlaMalaAcceptance(101, 1 / 101);
  assert.ok(Math.abs(exact - 0.9248733) < 1e-6, `quadrature gives ${exact}`);
  const model = quadraticPotential([1]);
  const posterior: LocalPosterior = { nBeta: 100, gamma: 1, wStar: new Float64Array(1), L0: 0 };
  const r = runChains(model, posterior, create(model, posterior, { stepSize: 1 / 101, batchSize: null, malaDiagnostic: true }), {
    chains: 4,
    steps: 40_000,
    burnIn: 1000,
    evalEvery: 10,
    seed: 11,
    initNoise: 0.1,
  });
  const { mean, mcse } = pooledMeanAndMcse(r.chains.map((c) => c.acceptance));
  ctx.diagnostic(`MALA acceptance ${mean.toFixed(5)} ± ${mcse.toFixed(5)} (exact ${exact.toFixed(5)})`);
  assert.ok(Math.abs(mean - exact) < 3 * mcse, `mean acceptance ${mean} ± ${mcse}, exact ${exact}`);
  assert.ok(mcse < 1e-3);
});

test('the MALA diagnostic tends to 1 as ε → 0 and falls monotonically as ε grows (d = 3, t = 100, γ = 1)', (ctx) => {
  const model = quadraticPotential([1, 1, 1]);
  const posterior: LocalPosterior = { nBeta: 100, gamma: 1, wStar: new Float64Array(3), L0: 0 };
  const meanAcceptance = (stepSize: number, precondition: 'none' | 'rmsprop') => {
    const r = runChains(model, posterior, create(model, posterior, { stepSize, batchSize: null, precondition, malaDiagnostic: true }), {
      chains: 2,
      steps: 5000,
      burnIn: 500,
      evalEvery: 50,
      seed: 11,
      initNoise: 0.1,
    });
    const all = r.chains.flatMap((c) => Array.from(c.acceptance));
    return all.reduce((x, y) => x + y, 0) / all.length;
  };
  for (const precondition of ['none', 'rmsprop'] as const) {
    const acc = [1e-5, 1e-4, 1e-3, 1e-2].map((e) => meanAcceptance(e, precondition));
    ctx.diagnostic(`${precondition}: acceptance at ε = 1e-5…1e-2: ${acc.map((a) => a.toFixed(6)).join(', ')}`);
    assert.ok(acc[0] > 0.9999, `${precondition}: acceptance at ε = 1e-5 is ${acc[0]}`);
    for (let i = 1; i < acc.length; i++) assert.ok(acc[i] < acc[i - 1], `${precondition}: not decreasing: ${acc.join(', ')}`);
    if (precondition === 'none') assert.ok(acc[3] < 0.95, `plain SGLD at εa ≈ 1 should accept visibly less than 1: ${acc[3]}`);
  }
});

test('the MALA diagnostic costs one more minibatch gradient, counted in FGE, and does not change the draws', () => {
  const model = { ...quadraticPotential([1, 2]), n: 1000 };
  const posterior: LocalPosterior = { nBeta: 10, gamma: 1, wStar: new Float64Array(2), L0: 0 };
  const run = (malaDiagnostic: boolean, precondition: 'none' | 'adam') =>
    runChains(model, posterior, create(model, posterior, { stepSize: 1e-3, batchSize: 100, precondition, malaDiagnostic }), {
      chains: 1,
      steps: 50,
      burnIn: 10,
      evalEvery: 10,
      seed: 3,
      initNoise: 0.1,
    });
  for (const precondition of ['none', 'adam'] as const) {
    const without = run(false, precondition).chains[0];
    const withMala = run(true, precondition).chains[0];
    assert.ok(Math.abs(without.totalFge - 60 * 0.1) < 1e-12);
    assert.ok(Math.abs(withMala.totalFge - 60 * 0.2) < 1e-12, `FGE with the diagnostic: ${withMala.totalFge}`);
    assert.deepEqual(Array.from(withMala.llc), Array.from(without.llc));
    assert.ok(Array.from(withMala.acceptance).every((a) => a > 0 && a <= 1));
    assert.ok(Array.from(without.acceptance).every((a) => Number.isNaN(a)));
  }
});

test('malaEvery scores one step in k: FGE 1 + 1/k per step and the same draws', () => {
  const model = { ...quadraticPotential([1, 2]), n: 1000 };
  const posterior: LocalPosterior = { nBeta: 10, gamma: 1, wStar: new Float64Array(2), L0: 0 };
  const run = (malaEvery: number) =>
    runChains(model, posterior, create(model, posterior, { stepSize: 1e-3, batchSize: 100, malaDiagnostic: true, malaEvery }), {
      chains: 1, steps: 60, burnIn: 0, evalEvery: 10, seed: 5, initNoise: 0.1,
    }).chains[0];
  const every = run(1);
  const thinned = run(10);
  const odd = run(7);
  assert.deepEqual(Array.from(thinned.llc), Array.from(every.llc), 'thinning the diagnostic never changes the chain');
  assert.deepEqual(Array.from(odd.llc), Array.from(every.llc));
  // 60 steps · 0.1 FGE, plus 0.1 per scored step: 60, 6 (steps 0, 10, …, 50) and 9 (0, 7, …, 56).
  assert.ok(Math.abs(every.totalFge - 12) < 1e-12, `${every.totalFge}`);
  assert.ok(Math.abs(thinned.totalFge - 6.6) < 1e-12, `${thinned.totalFge}`);
  assert.ok(Math.abs(odd.totalFge - 6.9) < 1e-12, `${odd.totalFge}`);
  assert.ok(Array.from(thinned.acceptance).every((a) => a > 0 && a <= 1));
  assert.ok(Array.from(thinned.acceptance).some((a, i) => a !== every.acceptance[i]), 'one scored step is not the mean of ten');
  assert.throws(() => create(model, posterior, { stepSize: 1e-3, batchSize: 100, malaDiagnostic: true, malaEvery: 0 }), /malaEvery must be an integer ≥ 1, got 0/);
});

test('preconditioned kernels are pure and every chain starts with fresh statistics', () => {
  const model = quadraticPotential([1, 2]);
  const posterior: LocalPosterior = { nBeta: 10, gamma: 1, wStar: new Float64Array(2), L0: 0 };
  const alg = create(model, posterior, { stepSize: 0.01, batchSize: null, precondition: 'adam', biasCorrection: true, malaDiagnostic: true });
  const s0 = alg.init(Float64Array.of(0.1, -0.2), Uint32Array.of(1, 2, 3, 4));
  assert.equal(s0.preconditioner!.t, 0);
  assert.deepEqual(Array.from(s0.preconditioner!.v), [1, 1]);
  assert.deepEqual(Array.from(s0.preconditioner!.m!), [0, 0]);
  const s1 = alg.step(s0).state;
  const snapshot = (s: SgldState) => JSON.stringify([Array.from(s.position), Array.from(s.rng), s.preconditioner!.t, Array.from(s.preconditioner!.v), Array.from(s.preconditioner!.m!)]);
  const before = snapshot(s1);
  const a = alg.step(s1);
  const b = alg.step(s1);
  assert.equal(snapshot(s1), before);
  assert.equal(snapshot(a.state), snapshot(b.state));
  assert.equal(a.info.acceptance, b.info.acceptance);
  assert.equal(a.state.preconditioner!.t, 2);
  assert.equal(a.info.fge, 2);
  // A state without statistics (e.g. from the generic init) starts them fresh.
  const bare = init(Float64Array.of(0.1, -0.2), Uint32Array.of(1, 2, 3, 4));
  assert.equal(snapshot(alg.step(bare).state), snapshot(alg.step(s0).state));
});

test('invalid preconditioner settings are rejected with the offending value', () => {
  const model = quadraticPotential([1]);
  const posterior = flat(1, 1);
  assert.throws(() => create(model, posterior, { stepSize: 1e-3, batchSize: null, precondition: 'rmsprop', beta2: 1 }), /beta2 must be in \[0, 1\), got 1/);
  assert.throws(() => create(model, posterior, { stepSize: 1e-3, batchSize: null, precondition: 'adam', eps: 0 }), /eps must be a finite number > 0, got 0/);
  assert.throws(() => create(model, posterior, { stepSize: 1e-3, batchSize: null, precondition: 'bogus' as never }), /precondition must be/);
});
