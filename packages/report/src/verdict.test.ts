import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SUMMARY_SCHEMA, type Summary } from '@llc/analysis/summary';
import { biasAgainst, disagreementFlag, likelyCause, referenceFor, type KnownAnswer } from '@llc/analysis/reference';
import { targetVerdict } from './verdict';

/** A summary as the analysis stage builds it, with only what the verdict reads varied. */
function summary(id: string, kind: string, mean: number, mcse: number, flags: string[], ref: { known?: KnownAnswer; run?: Summary; self?: boolean; declared?: boolean }): Summary {
  const estimate = { id, mean, mcse, flags };
  const reference = referenceFor(ref.known ?? null, ref.self ? { estimate, declared: !!ref.declared } : ref.run ? { estimate: { id: ref.run.id, mean: ref.run.llc.mean, mcse: ref.run.llc.mcse, flags: ref.run.flags }, declared: !!ref.declared } : null);
  const { bias, na } = biasAgainst(estimate, reference);
  const flag = disagreementFlag(bias, reference, 3, likelyCause(kind, flags));
  return {
    schema: SUMMARY_SCHEMA, id, run: id, target: 't', sampler: kind, samplerKind: kind, hyperparameters: {}, sweep: {},
    posterior: { beta0: 1, gamma: 1, beta: 1, nBeta: 263 }, targetInfo: { n: 2000, d: 49, L0: 0.01 },
    llc: { mean, mcse, sd: 1, chainSpread: 0.1, q05: null, q50: null, q95: null },
    diagnostics: { rhat: 1, essBulk: 1000, essTail: 1000, essMean: 1000, malaAcceptance: null, na },
    flags: flag ? [...flags, flag] : flags,
    draws: { chains: 4, healthyChains: 4, perChain: 1000, discarded: 0, used: 4000 }, work: { fge: 1, essPerFge: 1 }, chains: [],
    lambdaTrue: ref.known?.value ?? null, lambdaInfo: null, relativeError: null, errorInMcse: null, reference, bias, engine: 'native', restriction: null, checkpoint: null,
  };
}
const of = (s: Summary, extra: string[] = []) => ({ summary: s, flags: [...s.flags, ...extra] });

test('the demo situation: a clean HMC reference, one agreeing run, and disagreeing runs with their likely cause', () => {
  const hmc = summary('t--hmc', 'hmc', 12.965, 0.3, [], { self: true });
  const mclmc = summary('t--mclmc', 'mclmc', 12.844, 0.203, [], { run: hmc });
  const sgld = summary('t--sgld--stepSize-1e-3', 'sgld', 23.629, 0.505, ['MALA acceptance 0.610 < 0.9: stepSize too large'], { run: hmc });
  const vi = summary('t--vi', 'vi', 22.375, 1.33, [], { run: hmc });
  const sgnht = summary('t--sgnht', 'sgnht', 15.385, 0.162, [], { run: hmc });
  assert.match(vi.flags[0], /differs from reference 't--hmc' \(12.965 ± 0.3\) by \+73%, 6.9 combined MCSE.*VI family bias/);
  const v = targetVerdict('t', [hmc, mclmc, sgld, vi, sgnht].map((s) => of(s)), 3);
  assert.deepEqual(v.agree, ['t--mclmc']);
  assert.deepEqual(v.disagree.map((d) => [d.run, d.inMcse.toFixed(1), d.reason.split(' (')[0]]), [
    ['t--sgld--stepSize-1e-3', '18.2', 'step-size bias'],
    ['t--vi', '6.9', 'VI family bias'],
    ['t--sgnht', '7.1', 'step-size bias'],
  ]);
  assert.deepEqual(v.recommended, { value: 12.965, mcse: 0.3, from: "run 't--hmc'" });
  assert.deepEqual(v.lines, [
    "Reference: reference 't--hmc' (12.965 ± 0.3) (default: the first HMC run on this target).",
    'Agree within 3 combined MCSE: t--mclmc.',
    'Disagrees: t--sgld--stepSize-1e-3 (+82%, 18.2 combined MCSE), likely step-size bias (MALA acceptance below its band).',
    'Disagrees: t--vi (+73%, 6.9 combined MCSE), likely VI family bias (its mixture-of-factor-analysers family misses singular posteriors; docs/SCIENCE.md §5).',
    'Disagrees: t--sgnht (+19%, 7.1 combined MCSE), likely step-size bias (SGNHT has no diagnostic of its own for it: sweep stepSize to see the ε → 0 extrapolation).',
    "Recommended λ̂ for 't': 12.965 ± 0.300 (run 't--hmc').",
  ]);
  // A report-level flag (the ε → 0 extrapolation) names the cause where the run's own flags do not.
  const v2 = targetVerdict('t', [of(hmc), of(sgnht, ["λ̂ is 5.0 combined SE from the ε → 0 extrapolation of sampler 'sgnht'"])], 3);
  assert.equal(v2.disagree[0].reason, 'step-size bias (ε → 0 extrapolation)');
  // A run that agrees but is flagged is listed apart, with why its agreement is weaker.
  const slow = summary('t--sgld--stepSize-1e-4', 'sgld', 12.57, 0.3, ['R̂ 1.018 ≥ 1.01', 'bulk ESS 113 ≤ 400'], { run: hmc });
  const v3 = targetVerdict('t', [of(hmc), of(mclmc), of(slow)], 3);
  assert.deepEqual(v3.agree, ['t--mclmc']);
  assert.deepEqual(v3.agreeFlagged, [{ run: 't--sgld--stepSize-1e-4', reason: 'not converged (R̂/ESS)' }]);
  assert.equal(v3.lines[2], 'Agree within 3 combined MCSE but flagged, so weaker evidence: t--sgld--stepSize-1e-4 (not converged (R̂/ESS)).');
});

test('a flagged reference: no comparison and no recommendation, and the verdict says why', () => {
  const hmc = summary('t--hmc', 'hmc', 12.95, 0.23, ['chain 1: 255 divergent transitions'], { self: true, declared: true });
  const sgld = summary('t--sgld', 'sgld', 23.6, 0.5, [], { run: hmc });
  assert.equal(sgld.flags.length, 0, 'an unusable reference raises no disagreement');
  const v = targetVerdict('t', [of(hmc), of(sgld)], 3);
  assert.equal(v.recommended, null);
  assert.deepEqual(v.agree, []);
  assert.deepEqual(v.notCompared, [{ run: 't--sgld', reason: "reference run 't--hmc' is flagged (chain 1: 255 divergent transitions): fix it or declare another run reference: true" }]);
  assert.match(v.lines[0], /^Reference unusable: reference run 't--hmc' is flagged/);
});

test('a known exact λ is the reference; no reference at all says how to get one', () => {
  const known = { value: 1.5, exact: true };
  const good = summary('t--hmc', 'hmc', 1.51, 0.02, [], { known });
  const bad = summary('t--sgld', 'sgld', 1.8, 0.02, [], { known });
  const v = targetVerdict('t', [of(good), of(bad)], 3);
  assert.deepEqual(v.agree, ['t--hmc']);
  assert.deepEqual(v.disagree.map((d) => d.run), ['t--sgld']);
  assert.deepEqual(v.recommended, { value: 1.5, mcse: 0, from: 'known λ' });
  const none = targetVerdict('t', [of(summary('t--sgld', 'sgld', 1.8, 0.02, [], {}))], 3);
  assert.equal(none.recommended, null);
  assert.match(none.lines[0], /^No reference: 't' has no known λ and no reference run/);
});
