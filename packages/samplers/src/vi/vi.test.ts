import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import type { LossModel } from '@llc/core/model';
import type { LocalPosterior } from '../posterior';
import { quadraticPotential, quadraticExactLlc } from '@llc/targets/potentials/quadratic';
import { runVi, VI_DEFAULTS, elboEveryFor, type ViParams } from './index';
import { fitMfa, elboGradient, gradientWorkspace } from './fit';
import { estimateLlc, hessianVectorProduct } from './estimate';
import { choleskyInPlace, choleskySolveInPlace, denseCovariance, drawFromNormals, factorIndex, logQ, mfaLayout, mfaView, type MfaView } from './mfa';

/** Test-sized settings: small d needs fewer steps; everything else at the defaults. */
const FAST: ViParams = { ...VI_DEFAULTS, steps: 3000 };

function flatPosterior(d: number, t: number, gamma: number): LocalPosterior {
  return { nBeta: t, gamma, wStar: new Float64Array(d), L0: 0 };
}

/** log ∫ exp(−t·½Σh_i v_i² − (γ/2)‖v‖²) dv: the exact normaliser of the tempered quadratic posterior. */
function quadraticLogZ(h: number[], t: number, gamma: number): number {
  return h.reduce((s, hi) => s + 0.5 * Math.log((2 * Math.PI) / (t * hi + gamma)), 0);
}

test('1. flat prior (γ = 0) on a quadratic: λ̂_VI = d/2 within 2% per fit (d = 5, t = 100)', () => {
  const h = [0.5, 1, 2, 4, 0.25];
  const t = 100;
  const r = runVi(quadraticPotential(h), flatPosterior(5, t, 0), FAST, { fits: 3, seed: 1 });
  const exact = quadraticExactLlc(h, t, 0);
  assert.equal(exact, 2.5);
  for (const f of r.fits) {
    assert.equal(f.status, 'ok');
    assert.ok(Math.abs(f.llc / exact - 1) < 0.02, `fit λ̂ = ${f.llc}, exact ${exact}`);
    // On a quadratic the control-variate residual is constant: no MC error left in λ̂.
    assert.ok(f.llcMcse < 1e-8, `MCSE ${f.llcMcse}`);
  }
  assert.ok(Math.abs(r.mean / exact - 1) < 0.01, `mean λ̂ = ${r.mean} ± ${r.se}, exact ${exact}`);
});

test('one draw per step (running-mean baseline) also converges: λ̂ within 3% of the exact value', () => {
  const h = [1, 3, 0.5];
  const exact = quadraticExactLlc(h, 100, 2);
  const r = runVi(quadraticPotential(h), flatPosterior(3, 100, 2), { ...FAST, samplesPerStep: 1 }, { fits: 2, seed: 3 });
  for (const f of r.fits) assert.ok(Math.abs(f.llc / exact - 1) < 0.03, `fit λ̂ = ${f.llc}, exact ${exact}`);
});

test('2. Gaussian localiser γ > 0: λ̂_VI = ½Σ t h_i/(t h_i + γ) within 2% per fit', () => {
  const h = [0.5, 1, 2, 4, 0.25];
  const t = 100;
  const gamma = 10;
  const exact = quadraticExactLlc(h, t, gamma); // 2.1926…: far enough from d/2 = 2.5 to tell apart
  const r = runVi(quadraticPotential(h), flatPosterior(5, t, gamma), FAST, { fits: 3, seed: 2 });
  for (const f of r.fits) {
    assert.equal(f.status, 'ok');
    assert.ok(Math.abs(f.llc / exact - 1) < 0.02, `fit λ̂ = ${f.llc}, exact ${exact}`);
  }
  assert.ok(Math.abs(r.mean / exact - 1) < 0.01, `mean λ̂ = ${r.mean} ± ${r.se}, exact ${exact}`);
  assert.ok(Math.abs(r.mean - 2.5) > 0.2, 'the localiser must visibly lower λ̂');
});

/**
 * ELBO(α) with the components stratified and the normals fixed (common random numbers):
 * Σ_m π_m(α) mean_n h(w_m(ε_n, z_n)), a smooth function of the logits α.
 */
function stratifiedElbo(model: LossModel, post: LocalPosterior, view: MfaView, eps: Float64Array[], zs: Float64Array[]): number {
  const { dim: d, components: M } = view.layout;
  const v = new Float64Array(d);
  let total = 0;
  for (let m = 0; m < M; m++) {
    let s = 0;
    for (let n = 0; n < eps.length; n++) {
      drawFromNormals(view, m, eps[n], zs[n], v);
      let vv = 0;
      for (let i = 0; i < d; i++) vv += v[i] * v[i];
      s += -post.nBeta * model.loss(v) - 0.5 * post.gamma * vv - logQ(view, v);
    }
    total += (view.weights[m] * s) / eps.length;
  }
  return total;
}

test('3. score-function logit gradient has the ascent sign: matches finite differences and raises the ELBO', () => {
  // Two components on a d = 2 quadratic posterior (sd 0.1): component 0 equals the posterior,
  // component 1 is stretched 3× along axis 0. The ELBO rises as weight moves to component 0.
  const d = 2;
  const model = quadraticPotential([1, 1]);
  const post = flatPosterior(d, 100, 0);
  const layout = mfaLayout(d, 2, 1);
  const theta = new Float64Array(layout.size);
  theta.fill(Math.log(0.1), 0, d);
  theta[factorIndex(layout, 1, 0, 0)] = 3 * Math.sqrt(d);

  const rng = createRng(7, 'crn');
  const N = 20_000;
  const eps = Array.from({ length: N }, () => rng.fillNormal(new Float64Array(d)));
  const zs = Array.from({ length: N }, () => rng.fillNormal(new Float64Array(1)));
  const elboAt = (logits: number[]) => {
    const th = Float64Array.from(theta);
    logits.forEach((a, m) => (th[layout.logitOffset + m] = a));
    return stratifiedElbo(model, post, mfaView(layout, th), eps, zs);
  };
  const delta = 1e-4;
  const fd = (elboAt([delta, 0]) - elboAt([-delta, 0])) / (2 * delta);

  // Average of the training estimator's logit component over many independent steps.
  const ws = gradientWorkspace(layout, 2, null, model.n);
  const grng = createRng(7, 'score');
  const reps = 20_000;
  let sum = 0;
  let sumSq = 0;
  for (let k = 0; k < reps; k++) {
    const g = elboGradient(model, post, theta, ws, grng, Number.NaN).grad[layout.logitOffset];
    sum += g;
    sumSq += g * g;
  }
  const mean = sum / reps;
  const se = Math.sqrt((sumSq / reps - mean * mean) / reps);
  assert.ok(fd > 0.1, `finite-difference ∂ELBO/∂α_0 = ${fd} should be clearly positive`);
  assert.ok(Math.abs(mean - fd) < 4 * se + 0.02 * Math.abs(fd), `score estimate ${mean} ± ${se} vs FD ${fd}`);
  // A small step along the estimate raises the CRN ELBO; the reversed (predecessor) sign lowers it.
  const e0 = elboAt([0, 0]);
  assert.ok(elboAt([0.1 * mean, -0.1 * mean]) > e0);
  assert.ok(elboAt([-0.1 * mean, 0.1 * mean]) < e0);
});

test('4a. the control variate removes the MC variance on a quadratic and reduces it on a quartic', () => {
  const d = 4;
  const post = flatPosterior(d, 100, 0);
  const quad = quadraticPotential([1, 2, 0.5, 1]);
  const fit = fitMfa(quad, post, { ...FAST, elboEvery: 10 }, createRng(4, 'fit'));
  const view = mfaView(fit.layout, fit.theta);
  const opts = { evalSamples: 100, controlVariate: true, hutchinsonProbes: 4, hvpStep: 1e-3 };
  const cv: number[] = [];
  const plain: number[] = [];
  for (let k = 0; k < 20; k++) {
    const e = estimateLlc(quad, post, view, opts, createRng(4, 'eval', k));
    cv.push(e.llc);
    plain.push(e.llcPlain);
  }
  const sd = (x: number[]) => {
    const m = x.reduce((a, b) => a + b, 0) / x.length;
    return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
  };
  assert.ok(sd(plain) > 0.05, `plain spread ${sd(plain)}`);
  assert.ok(sd(cv) < 1e-9, `control-variate spread ${sd(cv)} should vanish on a quadratic`);

  // Quadratic plus a quartic term: the residual is no longer constant, but much smaller.
  const quartic: LossModel = {
    dim: d,
    n: 1,
    loss: (w) => quad.loss(w) + 5 * w.reduce((s, x) => s + x ** 4, 0),
    lossAndGrad(w) {
      const { loss, grad } = quad.lossAndGrad(w);
      for (let i = 0; i < d; i++) grad[i] += 20 * w[i] ** 3;
      return { loss: loss + 5 * w.reduce((s, x) => s + x ** 4, 0), grad };
    },
  };
  const qfit = fitMfa(quartic, post, { ...FAST, elboEvery: 10 }, createRng(5, 'fit'));
  const e = estimateLlc(quartic, post, mfaView(qfit.layout, qfit.theta), { ...opts, evalSamples: 400 }, createRng(5, 'eval'));
  assert.ok(e.llcMcse < 0.5 * e.llcPlainMcse, `CV MCSE ${e.llcMcse} vs plain ${e.llcPlainMcse}`);
  assert.ok(Math.abs(e.llc - e.llcPlain) < 3 * Math.hypot(e.llcMcse, e.llcPlainMcse), `CV ${e.llc} vs plain ${e.llcPlain}`);
});

test('4c. off a critical point (∇L(w*) ≠ 0) the linear term keeps the control variate exact', () => {
  const h = [1, 2, 0.5];
  const model = quadraticPotential(h, Float64Array.of(0.3, -0.2, 0.5)); // minimum away from w* = 0
  const L0 = model.loss(new Float64Array(3));
  const post: LocalPosterior = { nBeta: 100, gamma: 1, wStar: new Float64Array(3), L0 };
  const fit = fitMfa(model, post, { ...FAST, elboEvery: 10 }, createRng(8, 'fit'));
  const view = mfaView(fit.layout, fit.theta);
  const cov = denseCovariance(view);
  const exactGivenQ = 0.5 * post.nBeta * h.reduce((s, hi, i) => s + hi * cov[i * 3 + i], 0);
  const e = estimateLlc(model, post, view, { evalSamples: 100, controlVariate: true, hutchinsonProbes: 4, hvpStep: 1e-3 }, createRng(8, 'eval'));
  assert.ok(Math.abs(e.llc - exactGivenQ) < 1e-6 * exactGivenQ, `CV ${e.llc} vs E_q exact ${exactGivenQ}`);
  assert.ok(e.llcMcse < 1e-6 && e.llcPlainMcse > 0.1, `MCSE ${e.llcMcse} vs plain ${e.llcPlainMcse}`);
});

test('4b. the full trace term matters: dropping tr(HD) gives a visibly wrong λ̂', () => {
  const h = [1, 2, 0.5, 1];
  const post = flatPosterior(4, 100, 0);
  const model = quadraticPotential(h);
  const fit = fitMfa(model, post, { ...FAST, elboEvery: 10 }, createRng(6, 'fit'));
  const view = mfaView(fit.layout, fit.theta);
  const e = estimateLlc(model, post, view, { evalSamples: 100, controlVariate: true, hutchinsonProbes: 4, hvpStep: 1e-3 }, createRng(6, 'eval'));
  // The trace term equals tr(H Σ_q) computed densely (H diagonal here, so Hutchinson is exact).
  const cov = denseCovariance(view);
  const denseTrace = h.reduce((s, hi, i) => s + hi * cov[i * 4 + i], 0);
  assert.ok(Math.abs(e.traceDiagonal + e.traceFactors - denseTrace) < 1e-8 * denseTrace);
  const full = e.llc;
  const withoutDiagonal = post.nBeta * (e.meanResidual + 0.5 * e.traceFactors);
  assert.ok(Math.abs(full - 2) < 0.04, `full-trace λ̂ = ${full}, exact 2`);
  assert.ok(withoutDiagonal < 0.5 * full, `dropping the diagonal part gives ${withoutDiagonal} instead of ${full}`);
});

test('5. the ELBO metric uses −log q: at the optimum on a Gaussian target ELBO ≈ log Z', () => {
  const h = [0.5, 1, 2, 4, 0.25];
  for (const gamma of [0, 10]) {
    const logZ = quadraticLogZ(h, 100, gamma);
    const r = runVi(quadraticPotential(h), flatPosterior(5, 100, gamma), { ...FAST, evalSamples: 400 }, { fits: 2, seed: 5 });
    for (const f of r.fits) {
      // KL(q‖p) = log Z − ELBO ≥ 0 and small at the optimum; +log q would be off by 2E[log q] ≈ 2·logZ + d.
      assert.ok(Math.abs(f.finalElbo - logZ) < 0.02, `γ = ${gamma}: ELBO ${f.finalElbo} vs log Z ${logZ}`);
      const last = f.elboHistory[f.elboHistory.length - 1];
      assert.ok(Math.abs(last - logZ) < 0.05, `training ELBO ${last} vs log Z ${logZ}`);
      assert.ok(f.elboHistory[0] < last, 'the ELBO increases during training');
    }
  }
});

test('6. determinism, per-fit seeds differ, and fits do not depend on how many run', () => {
  const model = quadraticPotential([1, 2, 3]);
  const post = flatPosterior(3, 50, 1);
  const params = { ...FAST, steps: 400 };
  const a = runVi(model, post, params, { fits: 3, seed: 42 });
  const b = runVi(model, post, params, { fits: 3, seed: 42 });
  const one = runVi(model, post, params, { fits: 1, seed: 42 });
  const other = runVi(model, post, params, { fits: 1, seed: 43 });
  for (let c = 0; c < 3; c++) {
    assert.equal(a.fits[c].llc, b.fits[c].llc);
    assert.equal(a.fits[c].llcPlain, b.fits[c].llcPlain);
    assert.deepEqual(Array.from(a.fits[c].elboHistory), Array.from(b.fits[c].elboHistory));
  }
  assert.equal(a.mean, b.mean);
  assert.notEqual(a.fits[0].llcPlain, a.fits[1].llcPlain);
  assert.notEqual(a.fits[1].llcPlain, a.fits[2].llcPlain);
  assert.notDeepEqual(Array.from(a.fits[0].elboHistory), Array.from(a.fits[1].elboHistory));
  assert.equal(one.fits[0].llcPlain, a.fits[0].llcPlain);
  assert.notEqual(other.fits[0].llcPlain, a.fits[0].llcPlain);
});

test('result shape, ELBO windows and FGE accounting (full batch)', () => {
  const model = quadraticPotential([1, 1, 1]);
  const params: ViParams = { ...VI_DEFAULTS, steps: 300, samplesPerStep: 3, evalSamples: 50, hutchinsonProbes: 5 };
  let calls = 0;
  const r = runVi(model, flatPosterior(3, 10, 1), params, { fits: 2, seed: 1, onProgress: () => calls++ });
  assert.equal(calls, 2 * 300);
  const k = elboEveryFor(300);
  const { components: M, rank: rr } = params;
  for (const f of r.fits) {
    assert.equal(f.elboSteps.length, Math.floor(300 / k));
    assert.equal(f.elboSteps[0], k);
    assert.equal(f.elboHistory.length, f.elboSteps.length);
    // Training: steps·S_train gradients; control variate: 2 gradients per HVP for the S draws,
    // the min(d, probes) diagonal directions and the M·r factors, plus 1 for ∇L(w*).
    assert.equal(f.fge, 300 * 3 + 2 * (50 + Math.min(3, 5) + M * rr) + 1);
    assert.ok(f.seconds >= 0);
  }
  assert.ok(Number.isFinite(r.se) && r.se > 0);
  const plain = runVi(model, flatPosterior(3, 10, 1), { ...params, controlVariate: false }, { fits: 1, seed: 1 });
  assert.equal(plain.fits[0].fge, 300 * 3);
  assert.equal(plain.fits[0].llc, plain.fits[0].llcPlain);
  assert.ok(Number.isNaN(plain.se), 'one fit has no spread');
});

/** Linear regression y = Xw + noise with MSE loss: a data model with a non-diagonal Hessian 2XᵀX/n. */
function linearRegression(n: number, d: number, seed: number): { model: LossModel; wStar: Float64Array; L0: number; hessian: Float64Array } {
  const rng = createRng(seed, 'data');
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      x[i * d + j] = rng.normal() + (j > 0 ? 0.5 * x[i * d] : 0); // correlated columns
      s += x[i * d + j] * (j + 1) * 0.3;
    }
    y[i] = s + 0.5 * rng.normal();
  }
  const lossAndGrad = (w: Float64Array, batch?: Int32Array | null) => {
    const rows = batch ? batch.length : n;
    const grad = new Float64Array(d);
    let loss = 0;
    for (let k = 0; k < rows; k++) {
      const i = batch ? batch[k] : k;
      let r = -y[i];
      for (let j = 0; j < d; j++) r += x[i * d + j] * w[j];
      loss += r * r;
      for (let j = 0; j < d; j++) grad[j] += 2 * r * x[i * d + j];
    }
    for (let j = 0; j < d; j++) grad[j] /= rows;
    return { loss: loss / rows, grad };
  };
  const model: LossModel = { dim: d, n, loss: (w) => lossAndGrad(w).loss, lossAndGrad };
  // w* = least squares solution (normal equations, dense Cholesky).
  const hessian = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      rhs[a] += x[i * d + a] * y[i];
      for (let b = 0; b < d; b++) hessian[a * d + b] += (2 * x[i * d + a] * x[i * d + b]) / n;
    }
  }
  const l = Float64Array.from(hessian, (v) => (v * n) / 2);
  assert.ok(choleskyInPlace(l, d));
  choleskySolveInPlace(l, d, rhs);
  return { model, wStar: rhs, L0: model.loss(rhs), hessian };
}

test('HVP by central differences is exact on a quadratic data model (non-diagonal H)', () => {
  const d = 4;
  const { model, wStar, hessian } = linearRegression(50, d, 3);
  const v = Float64Array.of(0.3, -1, 0.2, 2);
  for (const step of [1e-5, 1e-3, 1e-1]) {
    const hv = hessianVectorProduct(model, wStar, v, step);
    for (let a = 0; a < d; a++) {
      let ref = 0;
      for (let b = 0; b < d; b++) ref += hessian[a * d + b] * v[b];
      assert.ok(Math.abs(hv[a] - ref) < 1e-7 * (1 + Math.abs(ref)), `step ${step}: (Hv)_${a} ${hv[a]} vs ${ref}`);
    }
  }
});

test('minibatch training on a correlated linear regression: flat prior gives d/2, FGE counts b/n', () => {
  const d = 4;
  const n = 200;
  const { model, wStar, L0 } = linearRegression(n, d, 11);
  const post: LocalPosterior = { nBeta: 100, gamma: 0, wStar, L0 };
  const params: ViParams = { ...FAST, batchSize: 20, hutchinsonProbes: 64 };
  const r = runVi(model, post, params, { fits: 3, seed: 8 });
  for (const f of r.fits) {
    assert.equal(f.status, 'ok');
    // d ≤ probes: tr(HD) from d basis-vector HVPs, so 2(S + d + M·r) + 1 FGE after training.
    assert.ok(Math.abs(f.fge - (params.steps * params.samplesPerStep * 20) / n - 2 * (100 + d + 16) - 1) < 1e-9, `fge ${f.fge}`);
    // Minibatch gradient noise leaves q a little off the optimum: a few % per fit (seen in the spread, not in llcMcse).
    assert.ok(Math.abs(f.llc - d / 2) < 0.06 * (d / 2), `fit λ̂ = ${f.llc} ± ${f.llcMcse}, exact ${d / 2}`);
  }
  assert.ok(Math.abs(r.mean - d / 2) < 0.03 * (d / 2), `mean λ̂ = ${r.mean} ± ${r.se}`);
});

test('Hutchinson tr(HD) (d > probes) is unbiased on a non-diagonal H and its spread enters the MCSE', () => {
  const d = 6;
  const { model, wStar, L0, hessian } = linearRegression(60, d, 5);
  const post: LocalPosterior = { nBeta: 100, gamma: 0, wStar, L0 };
  const layout = mfaLayout(d, 2, 1);
  const theta = new Float64Array(layout.size);
  for (let i = 0; i < d; i++) theta[i] = Math.log(0.05 * (1 + i / d));
  theta[factorIndex(layout, 0, 2, 0)] = 1;
  const view = mfaView(layout, theta);
  const exactDiag = Array.from(view.sd).reduce((s, si, i) => s + hessian[i * d + i] * si * si, 0);
  const reps = 300;
  const opts = { evalSamples: 10, controlVariate: true, hutchinsonProbes: 3, hvpStep: 1e-3 };
  let sum = 0;
  let sumSq = 0;
  let mcse = 0;
  for (let k = 0; k < reps; k++) {
    const e = estimateLlc(model, post, view, opts, createRng(12, 'eval', k));
    assert.equal(e.traceDiagonalExact, false);
    assert.equal(e.fge, 2 * (10 + 3 + 2) + 1);
    sum += e.traceDiagonal;
    sumSq += e.traceDiagonal ** 2;
    mcse += e.llcMcse / reps;
  }
  const mean = sum / reps;
  const sd = Math.sqrt(sumSq / reps - mean * mean);
  assert.ok(sd > 0.01 * exactDiag, 'a correlated H must make the probes noisy');
  assert.ok(Math.abs(mean - exactDiag) < 4 * (sd / Math.sqrt(reps)), `Hutchinson mean ${mean} vs exact ${exactDiag}`);
  // The reported MCSE covers the probe noise: ½nβ·sd of the trace estimate.
  assert.ok(mcse > 0.5 * 0.5 * post.nBeta * sd, `MCSE ${mcse} vs probe-noise part ${0.5 * post.nBeta * sd}`);
});

test('non-finite losses stop a fit with a reason and are never averaged', () => {
  const base = quadraticPotential([1, 1]);
  let calls = 0;
  // Goes non-finite on the 100th gradient call: inside fit 0 only.
  const flaky: LossModel = {
    dim: 2,
    n: 1,
    loss: base.loss,
    lossAndGrad(w, batch) {
      calls++;
      return calls === 100 ? { loss: Number.NaN, grad: new Float64Array(2) } : base.lossAndGrad(w, batch);
    },
  };
  const r = runVi(flaky, flatPosterior(2, 100, 0), { ...FAST, steps: 500 }, { fits: 3, seed: 1 });
  assert.equal(r.fits[0].status, 'stopped');
  assert.match(r.fits[0].reason ?? '', /non-finite/);
  assert.ok(Number.isNaN(r.fits[0].llc));
  assert.equal(r.fits[1].status, 'ok');
  assert.ok(Number.isFinite(r.mean));
  assert.equal(r.mean, (r.fits[1].llc + r.fits[2].llc) / 2);

  const controller = new AbortController();
  controller.abort();
  const aborted = runVi(base, flatPosterior(2, 100, 0), FAST, { fits: 2, seed: 1, signal: controller.signal });
  assert.ok(aborted.fits.every((f) => f.status === 'stopped'));
  assert.ok(Number.isNaN(aborted.mean));
});
