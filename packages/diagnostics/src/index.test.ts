import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_THRESHOLDS,
  checkThresholds,
  thresholdBreaches,
  essBulk,
  essMean,
  essQuantile,
  essSd,
  essTail,
  mcseMean,
  mcseQuantile,
  mcseSd,
  rhatRank,
  summarizeDraws,
  type DiagnosticsSummary,
  type SummaryQuantity,
} from './index';
import { slowEssMean, slowEssQuantile, slowEssSdBrief, slowMcseQuantile, slowMcseSd } from './testing/slowReference';
import { VECTOR_A, VECTOR_B, VECTOR_C, arChains } from './testing/testVectors';
import { assertClose } from './testing/testUtil';

const REL = 1e-8;

test('vector generator reproduces the documented draws and sum', () => {
  assert.equal(VECTOR_B[0][0], -0.49999217363074056);
  assert.equal(VECTOR_B[0][1], -0.8184551681245003);
  assertClose(VECTOR_B.flat().reduce((a, b) => a + b, 0), 109.3019107014828, 1e-13);
  assert.equal(VECTOR_C.length, 1);
  assert.equal(VECTOR_C[0].length, 1000);
});

// The science doc's table (R posterior values).
const TABLE = {
  A: { chains: VECTOR_A, rhat: 1.1549246232, essBulk: 13.1113162089, essTail: 56.862745098, essMean: 12.8327088533, mcseMean: 0.25292492952 },
  B: { chains: VECTOR_B, rhat: 1.08931829265, essBulk: 37.4059067508, essTail: 96.6149993682, essMean: 36.9644529618, mcseMean: 0.109553549201 },
  C: { chains: VECTOR_C, rhat: 0.999396361712, essBulk: 3000, essTail: 288.738737624, essMean: 3000, mcseMean: 0.0107504181423 },
};

for (const [name, t] of Object.entries(TABLE)) {
  test(`vector ${name} matches the reference table to 1e-8 relative`, () => {
    assertClose(rhatRank(t.chains), t.rhat, REL, 'rhat');
    assertClose(essBulk(t.chains), t.essBulk, REL, 'essBulk');
    assertClose(essTail(t.chains), t.essTail, REL, 'essTail');
    assertClose(essMean(t.chains), t.essMean, REL, 'essMean');
    assertClose(mcseMean(t.chains), t.mcseMean, REL, 'mcseMean');
  });
}

test('vector C: antithetic chain hits the S·log10(S) cap exactly', () => {
  assert.equal(essBulk(VECTOR_C), 1000 * Math.log10(1000));
  assert.equal(essMean(VECTOR_C), 3000);
});

// Not in the table: values from an independent numpy/scipy transcription of
// posterior (scipy ndtri, rankdata, betaincinv; direct autocovariance sums).
// essSd here is the science-doc formula min(ESS(x), ESS(x²)).
const CROSS: Record<'A' | 'B' | 'C', Partial<Record<SummaryQuantity, number>>> = {
  A: { essSd: 12.832708853343195, mcseSd: 0.07612032296071669, essQ5: 56.86274509803921, essQ50: 22.555857666390796, essQ95: 56.86274509803921, mcseQ5: 0.45, mcseQ50: 0.3, mcseQ95: 0.17500000000000004, mean: 0.70625, sd: 0.9060471700518545, q5: -0.7199999999999999, q50: 0.75, q95: 2.105 },
  B: { essSd: 36.964452961768714, mcseSd: 0.046986832337188825, essQ5: 96.61499936824879, essQ50: 59.58617932521704, essQ95: 171.16585067362965, mcseQ5: 0.12071349302344636, mcseQ50: 0.13372221979512, mcseQ95: 0.08097074777426294, mean: 0.1366273883768535, sd: 0.6660680373872895, q5: -1.0057439033692765, q50: 0.21352386390082334, q95: 1.1335019532352903 },
  C: { essSd: 116.88270349382937, mcseSd: 0.04266277095195047, essQ5: 288.73873762408186, essQ50: 3000, essQ95: 322.9967146075889, mcseQ5: 0.0947691836959701, mcseQ50: 0.013003998624359867, mcseQ95: 0.11333115128277815, mean: -0.0015608053816127399, sd: 0.5888246519174289, q5: -1.0073202785899125, q50: -0.01759864721441124, q95: 0.9810639273768037 },
};

for (const [name, expected] of Object.entries(CROSS)) {
  test(`vector ${name}: summary agrees with the numpy/scipy cross-check to 1e-8`, () => {
    const s = summarizeDraws(TABLE[name as 'A'].chains);
    for (const [key, value] of Object.entries(expected)) assertClose(s[key as SummaryQuantity]!, value, REL, key);
    assert.deepEqual(s.na, {});
  });
}

test('vectors A and B: ess_sd, MCSE_sd, ess/MCSE of quantiles agree with the slow O(n²) route', () => {
  for (const x of [VECTOR_A, VECTOR_B]) {
    assertClose(essSd(x), slowEssSdBrief(x), 1e-10, 'essSd');
    assertClose(essMean(x), slowEssMean(x), 1e-10, 'essMean');
    assertClose(mcseSd(x), slowMcseSd(x), 1e-10, 'mcseSd');
    for (const p of [0.05, 0.25, 0.5, 0.95]) {
      assertClose(essQuantile(x, p), slowEssQuantile(x, p), 1e-10, `essQuantile(${p})`);
      assertClose(mcseQuantile(x, p), slowMcseQuantile(x, p), 1e-10, `mcseQuantile(${p})`);
    }
  }
});

test('i.i.d.-like draws: ESS near S, R̂ near 1, thresholds pass', () => {
  const x = arChains(4, 1000, 0, 0, (c) => 1000 + 17 * c);
  const s = summarizeDraws(x);
  for (const key of ['essBulk', 'essTail', 'essMean'] as const) {
    assert.ok(s[key]! > 0.8 * 4000 && s[key]! < 1.2 * 4000, `${key} = ${s[key]}`);
  }
  assert.ok(Math.abs(s.rhat! - 1) < 0.005, `rhat = ${s.rhat}`);
  assert.deepEqual(s.checks, { rhat: true, essBulk: true, essTail: true });
  // For i.i.d. uniforms MCSE_mean ≈ sd/√S and MCSE_sd ≈ √((μ4 − σ⁴)/(4σ²S)) with μ4 = 1/80, σ² = 1/12.
  assertClose(s.mcseMean!, s.sd! / Math.sqrt(4000), 0.1);
  assertClose(s.mcseSd!, Math.sqrt((1 / 80 - 1 / 144) / (4 * (1 / 12) * 4000)), 0.1);
});

test('rank-based diagnostics are exactly invariant to monotone transforms', () => {
  const y = VECTOR_B.map((c) => c.map((v) => Math.exp(3 * v) - 2));
  assert.equal(rhatRank(y), rhatRank(VECTOR_B));
  assert.equal(essBulk(y), essBulk(VECTOR_B));
  assert.equal(essTail(y), essTail(VECTOR_B));
  assert.equal(essQuantile(y, 0.3), essQuantile(VECTOR_B, 0.3));
});

test('thresholds are the documented constants and drive the summary checks', () => {
  assert.deepEqual(DEFAULT_THRESHOLDS, { rhat: 1.01, ess: 400 });
  assert.deepEqual(summarizeDraws(VECTOR_B).checks, { rhat: false, essBulk: false, essTail: false });
});

test('one comparison for every threshold: a value exactly at it is a breach, and the messages say so', () => {
  const t = { rhat: 1.05, ess: 100 };
  assert.deepEqual(checkThresholds({ rhat: 1.05, essBulk: 100, essTail: 100.5 }, t), { rhat: false, essBulk: false, essTail: true });
  assert.deepEqual(checkThresholds({ rhat: null, essBulk: 101, essTail: null }, t), { rhat: null, essBulk: true, essTail: null });
  assert.deepEqual(thresholdBreaches({ rhat: 1.0712, essBulk: 40.4, essTail: 300 }, t), ['R̂ 1.071 ≥ 1.05', 'bulk ESS 40 ≤ 100']);
  // A user's thresholds reach the summary's checks, so checks and flags agree.
  const loose = summarizeDraws(VECTOR_B, { rhat: 10, ess: 1 });
  assert.deepEqual(loose.checks, { rhat: true, essBulk: true, essTail: true });
  assert.deepEqual(loose.thresholds, { rhat: 10, ess: 1 });
});

test('typed-array input gives identical results and is not mutated', () => {
  const typed = VECTOR_A.map((c) => Float64Array.from(c));
  const before = typed.map((c) => Array.from(c));
  assert.deepEqual(summarizeDraws(typed), summarizeDraws(VECTOR_A));
  assert.deepEqual(typed.map((c) => Array.from(c)), before);
});

function assertNoNaN(s: DiagnosticsSummary): void {
  for (const [key, value] of Object.entries(s)) {
    if (typeof value === 'number') assert.ok(!Number.isNaN(value), `${key} is NaN`);
    if (value === null) assert.ok(typeof s.na[key as SummaryQuantity] === 'string', `${key} is null without a reason`);
  }
}

const DIAGNOSTICS: SummaryQuantity[] = ['rhat', 'essBulk', 'essTail', 'essMean', 'essSd', 'essQ5', 'essQ50', 'essQ95', 'mcseMean', 'mcseSd', 'mcseQ5', 'mcseQ50', 'mcseQ95'];

test('constant trace: every diagnostic NA with "constant trace"; mean/sd/quantiles still defined', () => {
  const x = [[2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5], [2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5]];
  const s = summarizeDraws(x);
  for (const key of DIAGNOSTICS) {
    assert.equal(s[key], null, key);
    assert.equal(s.na[key], 'constant trace', key);
  }
  assert.equal(s.mean, 2.5);
  assert.equal(s.sd, 0);
  assert.equal(s.q50, 2.5);
  assert.deepEqual(s.checks, { rhat: null, essBulk: null, essTail: null });
  assert.ok(Number.isNaN(rhatRank(x)) && Number.isNaN(essBulk(x)) && Number.isNaN(mcseSd(x)));
  assertNoNaN(s);
});

test('non-finite draws: every quantity NA with "non-finite values"', () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    const x = VECTOR_A.map((c, i) => (i === 1 ? c.map((v, j) => (j === 7 ? bad : v)) : c));
    const s = summarizeDraws(x);
    for (const key of [...DIAGNOSTICS, 'mean', 'sd', 'q5', 'q50', 'q95'] as SummaryQuantity[]) {
      assert.equal(s[key], null, key);
      assert.equal(s.na[key], 'non-finite values', key);
    }
    assert.ok(Number.isNaN(rhatRank(x)) && Number.isNaN(essTail(x)) && Number.isNaN(mcseQuantile(x, 0.5)));
    assertNoNaN(s);
  }
});

test('one chain works (split into two halves)', () => {
  const s = summarizeDraws([VECTOR_A[0]]);
  for (const key of DIAGNOSTICS) assert.equal(typeof s[key], 'number', key);
  assert.equal(s.chains, 1);
  assert.equal(s.draws, 20);
  assertNoNaN(s);
});

test('very short chains: n = 3 is all NA, n = 4 has R̂ only, n = 6 has ESS (posterior\'s τ̂ = 2 → S/2)', () => {
  const short = (n: number): number[][] => arChains(2, n, 0.2, 0, (c) => 40 + c);
  const s3 = summarizeDraws(short(3));
  for (const key of DIAGNOSTICS) assert.equal(s3.na[key], 'too few draws', key);
  assert.equal(typeof s3.mean, 'number');
  const s4 = summarizeDraws(short(4));
  assert.equal(typeof s4.rhat, 'number');
  for (const key of DIAGNOSTICS.filter((k) => k !== 'rhat')) assert.equal(s4.na[key], 'too few draws', key);
  const s6 = summarizeDraws(short(6));
  assert.equal(s6.essMean, 6);
  assert.equal(s6.essBulk, 6);
  for (const s of [s3, s4, s6]) assertNoNaN(s);
});

test('draws whose transform is constant are NA like posterior (±1 draws: folded trace constant)', () => {
  const x = [[1, -1, 1, -1, -1, 1, 1, -1], [-1, 1, -1, 1, 1, -1, -1, 1]];
  const s = summarizeDraws(x);
  assert.equal(s.na.rhat, 'constant after transform');
  assert.equal(s.na.essSd, 'constant after transform'); // x² ≡ 1
  assert.equal(s.na.mcseSd, 'constant after transform');
  assert.equal(typeof s.essBulk, 'number');
  assertNoNaN(s);
});

test('bad arguments throw, naming the function, the argument and the value', () => {
  assert.throws(() => essQuantile(VECTOR_A, 1.5), { message: 'Error in essQuantile: p must be in (0, 1), got 1.5' });
  assert.throws(() => mcseQuantile(VECTOR_A, 0), { message: 'Error in mcseQuantile: p must be in (0, 1), got 0' });
  assert.throws(() => essQuantile(VECTOR_A, NaN), { message: 'Error in essQuantile: p must be in (0, 1), got NaN' });
  assert.throws(() => rhatRank([[1, 2, 3, 4], [1, 2, 3]]), {
    message: 'Error in rhatRank: chains must all have the same length, got lengths [4, 3]',
  });
  assert.throws(() => summarizeDraws([]), { message: 'Error in summarizeDraws: chains must be a non-empty array of chains, got 0 chains' });
  assert.throws(() => essBulk([[], []]), { message: 'Error in essBulk: chains must contain at least one draw, got length 0' });
});
