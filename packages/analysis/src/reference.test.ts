import { test } from 'node:test';
import assert from 'node:assert/strict';
import { biasAgainst, disagreementFlag, likelyCause, referenceFor } from './reference';

const run = (id: string, mean: number | null, mcse: number | null, flags: string[] = []) => ({ id, mean, mcse, flags });

test('a known λ is the reference, exact ones with MCSE 0: bias in percent and in combined MCSE', () => {
  const ref = referenceFor({ value: 1.5, exact: true }, { estimate: run('a--hmc', 9, 1), declared: false });
  assert.deepEqual(ref, { source: 'known', run: null, declared: false, value: 1.5, mcse: 0, usable: true, problem: null });
  const { bias, na } = biasAgainst(run('a--sgld', 1.65, 0.05), ref);
  assert.ok(Math.abs(bias.relative! - 0.1) < 1e-12);
  assert.ok(Math.abs(bias.inMcse! - 3) < 1e-12);
  assert.deepEqual(na, {});
  assert.equal(disagreementFlag(bias, ref, 3, null), null, 'exactly 3 combined MCSE is within the limit');
  const far = biasAgainst(run('a--sgld', 1.7, 0.05), ref).bias;
  assert.equal(disagreementFlag(far, ref, 3, 'step-size bias'), 'λ̂ differs from the known λ = 1.5 by +13%, 4.0 combined MCSE (more than 3): step-size bias');
});

test('the asymptotic λ is compared but never raises a disagreement flag', () => {
  const ref = referenceFor({ value: 2, exact: false }, null)!;
  assert.equal(ref.mcse, null);
  const { bias } = biasAgainst(run('x', 1.5, 0.01), ref);
  assert.ok(Math.abs(bias.inMcse! - -50) < 1e-9);
  assert.equal(disagreementFlag(bias, ref, 3, null), null);
});

test('a reference run: combined MCSE is the root sum of squares; the reference itself gets no bias', () => {
  const ref = referenceFor(null, { estimate: run('t--hmc', 10, 0.3), declared: true })!;
  assert.equal(ref.usable, true);
  const { bias } = biasAgainst(run('t--sgld', 12, 0.4), ref);
  assert.ok(Math.abs(bias.inMcse! - 2 / 0.5) < 1e-12);
  assert.ok(Math.abs(bias.relative! - 0.2) < 1e-12);
  assert.equal(disagreementFlag(bias, ref, 3, null), "λ̂ differs from reference 't--hmc' (10 ± 0.3) by +20%, 4.0 combined MCSE (more than 3)");
  const self = biasAgainst(run('t--hmc', 10, 0.3), ref);
  assert.deepEqual(self.bias, { relative: null, inMcse: null });
  assert.equal(self.na['bias.inMcse'], 'this run is the reference');
});

test('a flagged reference run is unusable: reported with its flags, never compared against', () => {
  const ref = referenceFor(null, { estimate: run('t--hmc', 10, 0.3, ['chain 0: 16 divergent transitions']), declared: false })!;
  assert.equal(ref.usable, false);
  assert.match(ref.problem!, /reference run 't--hmc' is flagged \(chain 0: 16 divergent transitions\): fix it or declare another run reference: true/);
  const { bias, na } = biasAgainst(run('t--sgld', 30, 0.1), ref);
  assert.deepEqual(bias, { relative: null, inMcse: null });
  assert.equal(na['bias.relative'], ref.problem);
  assert.equal(disagreementFlag(bias, ref, 3, null), null);
  assert.equal(referenceFor(null, { estimate: run('t--hmc', null, null), declared: true })!.usable, false);
  assert.equal(referenceFor(null, null), null);
  assert.match(biasAgainst(run('t--sgld', 1, 0.1), null).na['bias.inMcse'], /no known λ and no reference run/);
});

test('likely causes: step size before VI before convergence; nothing explains a clean run', () => {
  assert.match(likelyCause('sgld', ['R̂ 1.080 ≥ 1.01', 'MALA acceptance 0.700 < 0.9: stepSize too large']) ?? '', /MALA acceptance below its band/);
  assert.match(likelyCause('vi', []) ?? '', /VI family bias/);
  assert.match(likelyCause('sgld', ['bulk ESS 34 ≤ 400']) ?? '', /not converged/);
  assert.match(likelyCause('hmc', ['chain 2: 41 divergent transitions']) ?? '', /divergent/);
  assert.match(likelyCause('sgnht', []) ?? '', /SGNHT has no diagnostic of its own/);
  assert.equal(likelyCause('mclmc', []), null);
});
