import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kineticEnergy, leapfrog, type PhasePoint, type PotentialFn } from './leapfrog';

// U = ½ Σ a_i q_i² with unequal curvatures and a non-unit diagonal inverse mass.
const a = Float64Array.of(1, 4, 9);
const inverseMass = Float64Array.of(1, 0.5, 2);
const quadratic: PotentialFn = (q) => {
  let u = 0;
  const grad = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) {
    u += 0.5 * a[i] * q[i] * q[i];
    grad[i] = a[i] * q[i];
  }
  return { potential: u, grad };
};

function startPoint(U: PotentialFn, q: number[], p: number[]): PhasePoint {
  const position = Float64Array.from(q);
  return { position, momentum: Float64Array.from(p), ...U(position) };
}

const energy = (x: PhasePoint) => x.potential + kineticEnergy(x.momentum, inverseMass);

test('leapfrog energy error is O(ε²): halving ε over a fixed time quarters it', () => {
  const start = startPoint(quadratic, [0.3, -0.7, 0.2], [1.1, 0.4, -0.9]);
  const h0 = energy(start);
  const errorAt = (eps: number) => {
    const steps = Math.round(1 / eps);
    const { point, gradients } = leapfrog(quadratic, start, eps, inverseMass, steps);
    assert.equal(gradients, steps);
    return Math.abs(energy(point) - h0);
  };
  const e1 = errorAt(0.02);
  const e2 = errorAt(0.01);
  assert.ok(e1 > 0 && e1 < 1e-2, `error ${e1}`);
  const ratio = e1 / e2;
  assert.ok(ratio > 3.8 && ratio < 4.2, `error ratio ${ratio}, expected ≈ 4`);
});

test('leapfrog is reversible: flipping the momentum retraces the path (to 1e-12)', () => {
  // A quartic term makes the flow non-linear, so this is not a property of linear maps only.
  const U: PotentialFn = (q) => {
    const base = quadratic(q);
    let extra = 0;
    const grad = Float64Array.from(base.grad);
    for (let i = 0; i < q.length; i++) {
      extra += q[i] ** 4;
      grad[i] += 4 * q[i] ** 3;
    }
    return { potential: base.potential + extra, grad };
  };
  const start = startPoint(U, [0.3, -0.7, 0.2], [1.1, 0.4, -0.9]);
  const fwd = leapfrog(U, start, 0.05, inverseMass, 50).point;
  const flipped: PhasePoint = { ...fwd, momentum: fwd.momentum.map((p) => -p) };
  const back = leapfrog(U, flipped, 0.05, inverseMass, 50).point;
  for (let i = 0; i < 3; i++) {
    assert.ok(Math.abs(back.position[i] - start.position[i]) < 1e-12, `q[${i}]: ${back.position[i]} vs ${start.position[i]}`);
    assert.ok(Math.abs(-back.momentum[i] - start.momentum[i]) < 1e-12, `p[${i}]: ${-back.momentum[i]} vs ${start.momentum[i]}`);
  }
  assert.ok(Math.abs(fwd.position[0] - start.position[0]) > 0.1, 'the trajectory should actually move');
});

test('leapfrog leaves its input untouched and stops early on a non-finite potential', () => {
  const start = startPoint(quadratic, [0.3, -0.7, 0.2], [1.1, 0.4, -0.9]);
  const copy = { q: Array.from(start.position), p: Array.from(start.momentum), g: Array.from(start.grad) };
  leapfrog(quadratic, start, 0.1, inverseMass, 5);
  assert.deepEqual(Array.from(start.position), copy.q);
  assert.deepEqual(Array.from(start.momentum), copy.p);
  assert.deepEqual(Array.from(start.grad), copy.g);

  const blowUp: PotentialFn = (q) => ({ potential: q[0] > 0.5 ? Number.NaN : 0, grad: new Float64Array(q.length) });
  const s = startPoint(blowUp, [0, 0, 0], [1, 0, 0]);
  const r = leapfrog(blowUp, s, 0.2, Float64Array.of(1, 1, 1), 10);
  assert.equal(r.gradients, 3); // q0 = 0.2, 0.4, 0.6 → NaN at the third step
  assert.ok(Number.isNaN(r.point.potential));
});
