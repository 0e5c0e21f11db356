import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as windowAdaptation from './windowAdaptation';
import { windowSchedule } from './windowSchedule';
import { createRng } from '@llc/core/random/rng';

test('window adaptation updates the metric exactly at the end of each slow window, from that window’s draws', () => {
  const schedule = windowSchedule(1000);
  const rng = createRng(4, 'wa');
  const scale = Float64Array.of(0.1, 3); // true sd per coordinate
  let s = windowAdaptation.init(schedule, { stepSize: 0.1, inverseMass: Float64Array.of(1, 1), dualAveraging: { targetAcceptance: 0.8 } });
  const updatedAt: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const x = Float64Array.from(scale, (sd) => sd * rng.normal());
    s = windowAdaptation.update(s, x, 0.8);
    if (s.metricUpdated) updatedAt.push(i);
  }
  assert.deepEqual(updatedAt, [99, 149, 249, 449, 949]);
  const out = windowAdaptation.final(s);
  // Last window: 500 draws, so the variance is within ~3·√(2/500) ≈ 19% (plus the tiny shrinkage).
  for (let j = 0; j < 2; j++) {
    const rel = out.inverseMass[j] / scale[j] ** 2;
    assert.ok(rel > 0.8 && rel < 1.2, `inverse mass ${out.inverseMass[j]} vs variance ${scale[j] ** 2}`);
  }
  // Acceptance exactly on target keeps H̄ = 0, so x = μ = log(10ε): each of the five
  // restarts (at the current ε, with no re-search in between) multiplies ε by 10.
  assert.ok(Math.abs(out.acceptance - 0.8) < 1e-12);
  assert.ok(Math.abs(out.stepSize / (0.1 * 10 ** 6) - 1) < 1e-12, `step size ${out.stepSize}`);
});

test('restartStepSize restarts dual averaging at μ = log(10ε) and clears the flag', () => {
  const s0 = windowAdaptation.init(windowSchedule(100), { stepSize: 1, inverseMass: Float64Array.of(1), dualAveraging: { targetAcceptance: 0.8 } });
  const s1 = windowAdaptation.restartStepSize({ ...s0, metricUpdated: true }, 0.25);
  assert.equal(s1.stepSize, 0.25);
  assert.equal(s1.metricUpdated, false);
  assert.ok(Math.abs(s1.dualAveraging.mu - Math.log(2.5)) < 1e-15);
  assert.equal(s0.stepSize, 1, 'input state untouched');
});
