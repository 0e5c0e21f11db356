import { test } from 'node:test';
import assert from 'node:assert/strict';
import { betaCdf, betaQuantile, logGamma } from './beta';
import { assertClose } from './testing/testUtil';

test('logGamma matches factorials and mpmath values', () => {
  let logFact = 0;
  for (let n = 1; n <= 30; n++) {
    assertClose(logGamma(n + 1), logFact + Math.log(n), 1e-14, `logΓ(${n + 1})`);
    logFact += Math.log(n);
  }
  // Small arguments are shifted up to x ≥ 10, so the error is absolute (~1e-15), not relative.
  assert.ok(Math.abs(logGamma(0.5) - 0.57236494292470008707) < 1e-14);
  assert.ok(Math.abs(logGamma(3.7) - 1.4280723266653879219) < 1e-14);
  assertClose(logGamma(1234.5), 7550.550901077894895729836, 1e-15);
  assert.throws(() => logGamma(0), /Error in logGamma: x must be > 0, got 0/);
});

test('betaCdf and betaQuantile agree with closed forms (a = 1 or b = 1, a = b at 1/2)', () => {
  for (const b of [1, 2.5, 40]) {
    for (const p of [0.01, 0.1586553, 0.5, 0.8413447, 0.99]) {
      assertClose(betaQuantile(p, 1, b), -Math.expm1(Math.log1p(-p) / b), 1e-13, `a=1 b=${b} p=${p}`);
      assertClose(betaQuantile(p, b, 1), Math.pow(p, 1 / b), 1e-13, `a=${b} b=1 p=${p}`);
    }
    assertClose(betaCdf(0.3, 1, b), -Math.expm1(b * Math.log1p(-0.3)), 1e-14);
  }
  for (const a of [1, 3.3, 50, 2000]) assertClose(betaQuantile(0.5, a, a), 0.5, 1e-13, `a=b=${a}`);
});

test('betaQuantile matches scipy.special.betaincinv on mcse_quantile-type shapes', () => {
  // Shapes ess·p + 1, ess·(1 − p) + 1 from vector A's q5 / q50 and a large-ESS case.
  const cases: Array<[number, number, number, number]> = [
    [0.1586553, 3.843137254901961, 55.01960784313725, 0.03431326151941903],
    [0.8413447, 3.843137254901961, 55.01960784313725, 0.09641575295049915],
    [0.1586553, 12.27792883319541, 12.27792883319541, 0.3991210483456131],
    [0.8413447, 151, 2851, 0.054285144520564585],
    [0.3, 2.5, 0.7, 0.7097758912148804],
  ];
  for (const [p, a, b, q] of cases) assertClose(betaQuantile(p, a, b), q, 1e-11, `qbeta(${p}, ${a}, ${b})`);
});

test('betaQuantile inverts betaCdf and respects the a ↔ b reflection', () => {
  for (const [a, b] of [[1.5, 7], [20, 3], [400, 900]]) {
    for (const p of [1e-6, 0.1586553, 0.5, 0.8413447, 0.999]) {
      const x = betaQuantile(p, a, b);
      assertClose(betaCdf(x, a, b), p, 1e-11, `I_x(${a}, ${b})`);
      assertClose(1 - betaQuantile(1 - p, b, a), x, 1e-10, `reflection ${a}, ${b}, ${p}`);
    }
  }
  assert.equal(betaQuantile(0, 2, 3), 0);
  assert.equal(betaQuantile(1, 2, 3), 1);
  assert.throws(() => betaQuantile(1.2, 2, 3), /Error in betaQuantile: p must be in \[0, 1\], got 1.2/);
  assert.throws(() => betaCdf(0.5, -1, 3), /Error in betaCdf: a must be finite and > 0, got -1/);
});
