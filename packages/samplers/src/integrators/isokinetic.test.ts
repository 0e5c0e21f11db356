import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import {
  gradientsPerStep,
  isokineticStep,
  isokineticVelocityUpdate,
  type IsokineticIntegratorName,
  type IsokineticPoint,
  type PotentialFn,
} from './isokinetic';

const norm = (v: Float64Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));
const unit = (v: Float64Array) => v.map((x) => x / norm(v));

/** A non-quadratic, non-separable potential: U = Σ ½h_i w_i² + ¼(Σ w_i)⁴/d. */
function testPotential(h: number[]): PotentialFn {
  return (w) => {
    let s = 0;
    let u = 0;
    for (let i = 0; i < w.length; i++) {
      s += w[i];
      u += 0.5 * h[i] * w[i] * w[i];
    }
    const d = w.length;
    u += (0.25 * s ** 4) / d;
    return { potential: u, grad: w.map((x, i) => h[i] * x + s ** 3 / d) };
  };
}

function startPoint(potential: PotentialFn, d: number, seed: number): IsokineticPoint {
  const rng = createRng(seed, 'start');
  const position = rng.fillNormal(new Float64Array(d)).map((x) => 0.5 * x);
  const velocity = unit(rng.fillNormal(new Float64Array(d)));
  const { potential: u, grad } = potential(position);
  return { position, velocity, potential: u, gradient: grad };
}

test('the closed-form velocity flow matches an RK4 solution of u̇ = −(I − uuᵀ)∇U/(d−1), K̇ = −u·∇U', () => {
  const rng = createRng(1, 'flow');
  for (const d of [2, 5, 30]) {
    const g = rng.fillNormal(new Float64Array(d)).map((x) => 3 * x);
    const u0 = unit(rng.fillNormal(new Float64Array(d)));
    for (const delta of [0.01, 0.3, 2]) {
      const exact = isokineticVelocityUpdate(u0, g, delta);
      // RK4 on (u, K) with a frozen gradient.
      const rhs = (u: Float64Array) => {
        const ug = u.reduce((a, x, i) => a + x * g[i], 0);
        return { du: u.map((x, i) => -(g[i] - ug * x) / (d - 1)), dK: -ug };
      };
      let u = Float64Array.from(u0);
      let K = 0;
      const n = 4000;
      const h = delta / n;
      for (let s = 0; s < n; s++) {
        const k1 = rhs(u);
        const k2 = rhs(u.map((x, i) => x + 0.5 * h * k1.du[i]));
        const k3 = rhs(u.map((x, i) => x + 0.5 * h * k2.du[i]));
        const k4 = rhs(u.map((x, i) => x + h * k3.du[i]));
        u = u.map((x, i) => x + (h / 6) * (k1.du[i] + 2 * k2.du[i] + 2 * k3.du[i] + k4.du[i]));
        K += (h / 6) * (k1.dK + 2 * k2.dK + 2 * k3.dK + k4.dK);
      }
      for (let i = 0; i < d; i++) assert.ok(Math.abs(exact.velocity[i] - u[i]) < 1e-9, `d=${d} δ=${delta} u[${i}]: ${exact.velocity[i]} vs ${u[i]}`);
      assert.ok(Math.abs(exact.kineticChange - K) < 1e-8 * Math.max(1, Math.abs(K)), `d=${d} δ=${delta} ΔK ${exact.kineticChange} vs ${K}`);
      // Flow property: two half-steps equal one step, and ΔK adds up.
      const half = isokineticVelocityUpdate(u0, g, delta / 2);
      const twice = isokineticVelocityUpdate(half.velocity, g, delta / 2);
      for (let i = 0; i < d; i++) assert.ok(Math.abs(twice.velocity[i] - exact.velocity[i]) < 1e-12);
      assert.ok(Math.abs(half.kineticChange + twice.kineticChange - exact.kineticChange) < 1e-10);
    }
  }
});

test('a zero gradient leaves the velocity unchanged; d < 2 and mismatched lengths throw', () => {
  const u = Float64Array.of(0.6, 0.8);
  const r = isokineticVelocityUpdate(u, new Float64Array(2), 1);
  assert.deepEqual(Array.from(r.velocity), [0.6, 0.8]);
  assert.equal(r.kineticChange, 0);
  assert.throws(() => isokineticVelocityUpdate(Float64Array.of(1), Float64Array.of(1), 0.1), /needs d ≥ 2/);
  assert.throws(() => isokineticVelocityUpdate(u, Float64Array.of(1, 2, 3), 0.1), /lengths must match/);
});

test('the velocity stays unit-norm to 1e-12 over 20,000 steps, and steps never write their input', () => {
  const d = 10;
  const potential = testPotential(Array.from({ length: d }, (_, i) => 1 + i));
  for (const integrator of ['velocity-verlet', 'mclachlan'] as const) {
    let point = startPoint(potential, d, 2);
    const before = { position: Array.from(point.position), velocity: Array.from(point.velocity), gradient: Array.from(point.gradient) };
    const first = point;
    let worst = 0;
    for (let s = 0; s < 20_000; s++) {
      point = isokineticStep(integrator, potential, point, 0.05).point;
      worst = Math.max(worst, Math.abs(norm(point.velocity) - 1));
    }
    assert.ok(worst < 1e-12, `${integrator}: |‖u‖ − 1| reached ${worst}`);
    assert.deepEqual(Array.from(first.position), before.position);
    assert.deepEqual(Array.from(first.velocity), before.velocity);
    assert.deepEqual(Array.from(first.gradient), before.gradient);
  }
});

test('gradient evaluations per step: 1 (velocity Verlet), 2 (McLachlan), counted by the integrator', () => {
  const potential = testPotential([1, 2, 3]);
  for (const [integrator, expected] of [['velocity-verlet', 1], ['mclachlan', 2]] as const) {
    let calls = 0;
    const counted: PotentialFn = (w) => {
      calls++;
      return potential(w);
    };
    const r = isokineticStep(integrator, counted, startPoint(potential, 3, 3), 0.1);
    assert.equal(calls, expected);
    assert.equal(r.gradientEvaluations, expected);
    assert.equal(gradientsPerStep(integrator), expected);
  }
  assert.throws(() => gradientsPerStep('leapfrog' as IsokineticIntegratorName), /unknown integrator 'leapfrog'/);
});

test('energy error over a fixed time T shrinks as ε² for both integrators (McLachlan with the smaller constant)', () => {
  const d = 6;
  const potential = testPotential([1, 1.5, 2, 3, 4, 5]);
  const T = 4;
  /** Largest |Σ(ΔK + ΔU)| along a trajectory of length T: the integrator's energy error. */
  const maxError = (integrator: IsokineticIntegratorName, eps: number) => {
    let point = startPoint(potential, d, 4);
    const u0 = point.potential;
    let K = 0;
    let worst = 0;
    for (let s = 0; s < Math.round(T / eps); s++) {
      const r = isokineticStep(integrator, potential, point, eps);
      K += r.kineticChange;
      point = r.point;
      worst = Math.max(worst, Math.abs(K + point.potential - u0));
    }
    return worst;
  };
  const errors: Record<string, number[]> = {};
  for (const integrator of ['velocity-verlet', 'mclachlan'] as const) {
    errors[integrator] = [0.04, 0.02, 0.01].map((eps) => maxError(integrator, eps));
    const [e1, e2, e3] = errors[integrator];
    for (const ratio of [e1 / e2, e2 / e3]) {
      assert.ok(ratio > 3.8 && ratio < 4.2, `${integrator}: halving ε divided the energy error by ${ratio} (errors ${errors[integrator]})`);
    }
  }
  assert.ok(errors.mclachlan[0] < errors['velocity-verlet'][0] / 2, `McLachlan ${errors.mclachlan} vs VV ${errors['velocity-verlet']}`);
});
