import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extrapolateToZeroStep, extrapolationFlag } from './stepSizeExtrapolation';

const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

test('points exactly on a line: the intercept and slope are exact, the deviations are the bias over its error', () => {
  const pts = [1e-4, 3e-4, 1e-3].map((e, i) => ({ id: `r${i}`, stepSize: e, mean: 10 + 5000 * e, mcse: 0.2 }));
  const fit = extrapolateToZeroStep(pts)!;
  near(fit.intercept, 10);
  near(fit.slope, 5000);
  // Equal weights: var(a) = σ²·Σx² / (kΣx² − (Σx)²), with χ² = 0 (no scaling).
  const sx = 1.4e-3;
  const sxx = 1e-8 + 9e-8 + 1e-6;
  near(fit.interceptSe, 0.2 * Math.sqrt(sxx / (3 * sxx - sx * sx)));
  near(fit.deviations[2].inSe, 5 / Math.hypot(0.2, fit.interceptSe));
});

test('two points (the demo sweep): the line passes through both and SE(λ̂(0)) propagates both MCSEs', () => {
  // λ̂(0) = (ε2·λ1 − ε1·λ2)/(ε2 − ε1)
  const fit = extrapolateToZeroStep([
    { id: 'small', stepSize: 3e-4, mean: 14.311, mcse: 0.74 },
    { id: 'large', stepSize: 1e-3, mean: 23.629, mcse: 0.505 },
  ])!;
  near(fit.intercept, (1e-3 * 14.311 - 3e-4 * 23.629) / 7e-4);
  near(fit.interceptSe, Math.hypot((1e-3 / 7e-4) * 0.74, (3e-4 / 7e-4) * 0.505));
  assert.match(extrapolationFlag(fit, 'large', 3, 'sgld')!, /^λ̂ is 11\.2 combined SE from the ε → 0 extrapolation of sampler 'sgld' \(10\.3\d\d ± 1\.0\d\d; more than 3\): step-size bias/);
});

test('a bad fit inflates the intercept error by √(χ²/(k − 2)), never deflates it', () => {
  const base = [1e-4, 2e-4, 3e-4, 4e-4].map((e, i) => ({ id: `r${i}`, stepSize: e, mean: 5 + 1000 * e, mcse: 0.1 }));
  const clean = extrapolateToZeroStep(base)!;
  const noisy = extrapolateToZeroStep(base.map((p, i) => ({ ...p, mean: p.mean + (i % 2 ? 1 : -1) })))!;
  assert.ok(noisy.interceptSe > 5 * clean.interceptSe, `${noisy.interceptSe} vs ${clean.interceptSe}`);
});

test('no line from one step size or from a run without MCSE; a run within the limit is not flagged', () => {
  assert.equal(extrapolateToZeroStep([{ id: 'a', stepSize: 1e-3, mean: 1, mcse: 0.1 }, { id: 'b', stepSize: 1e-3, mean: 1.1, mcse: 0.1 }]), null);
  assert.equal(extrapolateToZeroStep([{ id: 'a', stepSize: 1e-3, mean: 1, mcse: 0 }, { id: 'b', stepSize: 1e-4, mean: 1.1, mcse: 0.1 }]), null);
  const fit = extrapolateToZeroStep([{ id: 'a', stepSize: 1e-5, mean: 1, mcse: 0.1 }, { id: 'b', stepSize: 2e-5, mean: 1.05, mcse: 0.1 }])!;
  assert.equal(extrapolationFlag(fit, 'a', 3, 'sgld'), null);
});
