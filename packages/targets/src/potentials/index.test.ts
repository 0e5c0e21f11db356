import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import { maxGradientError } from '../testing/gradientCheck';
import { POTENTIAL_KINDS, POTENTIALS, type PotentialKind, type PotentialParams } from './index';

const examples: { [K in PotentialKind]: PotentialParams[K] } = {
  quadratic: { h: [1, 4, 0.25] },
  monomial: { powers: [4, 2, 6] },
  'normal-crossing': { k: [1, 2, 1] },
  'scalar-chain': { depth: 3 },
  'two-layer-linear': { M: 3, H: 2, N: 3 },
};

/** ∫_0^R f(w) dw by Simpson's rule in u = ln w (resolves the scale 1/√t near 0 and the O(1) tail alike). */
function integrateHalfLine(f: (w: number) => number, R = 12, uMin = -30, steps = 20000): number {
  const du = (Math.log(R) - uMin) / steps;
  let s = 0;
  for (let i = 0; i <= steps; i++) {
    const w = Math.exp(uMin + i * du);
    const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    s += weight * f(w) * w;
  }
  return (s * du) / 3;
}

test('registry lists the five kinds; each w* is the origin, a zero of K and of ∇K', () => {
  assert.deepEqual(POTENTIAL_KINDS, ['quadratic', 'monomial', 'normal-crossing', 'scalar-chain', 'two-layer-linear']);
  for (const kind of POTENTIAL_KINDS) {
    const entry = POTENTIALS[kind] as (typeof POTENTIALS)['quadratic'];
    const params = examples[kind] as PotentialParams['quadratic'];
    const model = entry.create(params);
    const wStar = entry.wStar(params);
    assert.equal(wStar.length, model.dim, kind);
    assert.ok(wStar.every((v) => v === 0), kind);
    assert.equal(model.loss(wStar), 0, kind);
    assert.ok(model.lossAndGrad(wStar).grad.every((g) => g === 0), kind);
    assert.equal(model.n, 1, kind);
    assert.equal(entry.create({ ...params, n: 250 }).n, 250, kind);
    const w = createRng(4, 'potential', kind).fillNormal(new Float64Array(model.dim));
    assert.ok(maxGradientError(model, w) < 1e-7, `${kind}: gradient error ${maxGradientError(model, w)}`);
  }
});

test('λ values, multiplicities and exact flags', () => {
  const flat = { t: 1e4, gamma: 0 };
  const local = { t: 1e4, gamma: 1 };
  assert.deepEqual(POTENTIALS.quadratic.lambda(examples.quadratic, flat), { value: 1.5, multiplicity: 1, exact: true });
  const q = POTENTIALS.quadratic.lambda({ h: [1, 1, 1] }, { t: 100, gamma: 1 });
  assert.ok(Math.abs(q.value - 1.485149) < 5e-7 && q.exact);
  const mono = 1 / 4 + 1 / 2 + 1 / 6;
  assert.deepEqual(POTENTIALS.monomial.lambda(examples.monomial, flat), { value: mono, multiplicity: 1, exact: true });
  assert.deepEqual(POTENTIALS.monomial.lambda(examples.monomial, local), { value: mono, multiplicity: 1, exact: false });
  assert.deepEqual(POTENTIALS['normal-crossing'].lambda(examples['normal-crossing'], local), { value: 0.25, multiplicity: 1, exact: false });
  assert.deepEqual(POTENTIALS['normal-crossing'].lambda({ k: [1, 1] }, local), { value: 0.5, multiplicity: 2, exact: false });
  assert.deepEqual(POTENTIALS['scalar-chain'].lambda({ depth: 2 }, local), { value: 0.5, multiplicity: 2, exact: false });
  assert.deepEqual(POTENTIALS['scalar-chain'].lambda(examples['scalar-chain'], local), { value: 0.5, multiplicity: 3, exact: false });
  assert.deepEqual(POTENTIALS['two-layer-linear'].lambda({ M: 5, H: 3, N: 5 }, local), { value: 6.5, multiplicity: 2, exact: false });
  // (3,2,3), r = 0: (2·2·6 − 0 − 4)/8.
  assert.deepEqual(POTENTIALS['two-layer-linear'].lambda(examples['two-layer-linear'], local), { value: 2.5, multiplicity: 1, exact: false });
  const proper = POTENTIAL_KINDS.filter((k) => POTENTIALS[k].flatPriorProper);
  assert.deepEqual(proper, ['quadratic', 'monomial']);
});

test('exact λ(t) agrees with quadrature: quadratic with γ > 0, monomial with a flat prior', () => {
  // 1-D quadratic K = ½h w², density ∝ exp(−(t h + γ) w²/2): t·E[K] = ½ t h/(t h + γ).
  const [h, t, gamma] = [2, 10, 3];
  const dens = (w: number) => Math.exp(-0.5 * (t * h + gamma) * w * w);
  const quad = integrateHalfLine((w) => dens(w) * t * 0.5 * h * w * w) / integrateHalfLine(dens);
  assert.ok(Math.abs(quad - POTENTIALS.quadratic.lambda({ h: [h] }, { t, gamma }).value) < 1e-9, `${quad}`);
  // Monomial K = ½w⁴, flat prior: t·E[K] = 1/4 at any t.
  for (const tt of [1, 1e3]) {
    const d = (w: number) => Math.exp(-0.5 * tt * w ** 4);
    const m = integrateHalfLine((w) => d(w) * tt * 0.5 * w ** 4) / integrateHalfLine(d);
    assert.ok(Math.abs(m - POTENTIALS.monomial.lambda({ powers: [4] }, { t: tt, gamma: 0 }).value) < 1e-9, `t=${tt}: ${m}`);
  }
});

test('asymptotic λ with m = 2: the finite-t value sits below λ by about (m−1)/ln t', () => {
  // K = w₁²w₂² with localiser γ = 1. Integrating w₂ out exactly (Gaussian with precision 2a,
  // a = t w₁² + γ/2) leaves one dimension: t·E[K] = E[t w₁²/(2a)] under density ∝ e^{−γw₁²/2}/√a.
  const gamma = 1;
  const { value, multiplicity } = POTENTIALS['normal-crossing'].lambda({ k: [1, 1] }, { t: 1, gamma });
  let previousGap = Infinity;
  for (const t of [1e4, 1e8]) {
    const a = (w: number) => t * w * w + gamma / 2;
    const dens = (w: number) => Math.exp(-0.5 * gamma * w * w) / Math.sqrt(a(w));
    const finite = integrateHalfLine((w) => (dens(w) * t * w * w) / (2 * a(w))) / integrateHalfLine(dens);
    const gap = value - finite;
    const predicted = (multiplicity - 1) / Math.log(t);
    assert.ok(gap > 0.5 * predicted && gap < predicted, `t=${t}: λ(t) = ${finite}, gap ${gap}, (m−1)/ln t = ${predicted}`);
    assert.ok(gap < previousGap);
    previousGap = gap;
  }
});

test('argument errors name the argument', () => {
  assert.throws(() => POTENTIALS.quadratic.lambda({ h: [1] }, { t: 0, gamma: 1 }), /t must be a finite number > 0, got 0/);
  assert.throws(() => POTENTIALS.monomial.lambda({ powers: [2] }, { t: 1, gamma: -1 }), /gamma must be a finite number ≥ 0, got -1/);
  assert.throws(() => POTENTIALS.quadratic.lambda({ h: [1, 0] }, { t: 1, gamma: 0 }), /gamma = 0 needs every h\[i\] > 0/);
  assert.equal(POTENTIALS.quadratic.lambda({ h: [1, 0] }, { t: 1, gamma: 1 }).value, 0.25);
  assert.throws(() => POTENTIALS.quadratic.create({ h: [1, -1] }), /h\[1\] must be a finite number ≥ 0, got -1/);
  assert.throws(() => POTENTIALS.monomial.lambda({ powers: [3] }, { t: 1, gamma: 0 }), /powers\[0\] must be an even integer ≥ 2, got 3/);
  assert.throws(() => POTENTIALS.monomial.create({ powers: [] }), /powers must be a non-empty array/);
  assert.throws(() => POTENTIALS['normal-crossing'].create({ k: [0] }), /k\[0\] must be a positive integer/);
  assert.throws(() => POTENTIALS['scalar-chain'].wStar({ depth: 0 }), /depth must be a positive integer/);
  assert.throws(() => POTENTIALS['two-layer-linear'].lambda({ M: 2, H: 2, N: 0 }, { t: 1, gamma: 1 }), /N must be a positive integer, got 0/);
});
