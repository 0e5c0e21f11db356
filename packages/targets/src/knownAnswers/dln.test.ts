import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dlnLambda } from './dln';
import { rrrLambda } from './rrr';

test('dlnLambda: docs/SCIENCE.md §3 worked examples', () => {
  // Δ = (1,1,1): Σ = all, ℓ = 2, S = 3, a = 1: (9 + 1)/8 − 3/4 = 1/2, m = 2.
  assert.deepEqual(dlnLambda([1, 1, 1], 0), { lambda: 0.5, multiplicity: 2 });
  // Δ = (2,2,2): Σ = all, S = 6, a = 0: 36/8 − 12/4 = 3/2.
  assert.deepEqual(dlnLambda([2, 2, 2], 0), { lambda: 1.5, multiplicity: 1 });
  // Δ sorted (1,2,3,4): k = 2 fails (iii) (3 < 3), k = 3 holds: S = 6, ℓ = 2: 7/2 + 36/8 − 14/4 = 9/2.
  assert.deepEqual(dlnLambda([3, 4, 2, 5], 1), { lambda: 4.5, multiplicity: 1 });
  // Δ sorted (2,2,2,3,3): only Σ = all qualifies: S = 12, ℓ = 4: 7/2 + 9 − 30/4 = 5.
  assert.deepEqual(dlnLambda([4, 3, 3, 3, 4], 1), { lambda: 5, multiplicity: 1 });
});

test('dlnLambda: one layer is regular, λ = NM/2 for every rank', () => {
  for (let a = 1; a <= 6; a++) {
    for (let b = 1; b <= 6; b++) {
      for (let r = 0; r <= Math.min(a, b); r++) assert.deepEqual(dlnLambda([a, b], r), { lambda: (a * b) / 2, multiplicity: 1 });
    }
  }
});

test('dlnLambda: scalar chains [1,…,1], r = 0 are the normal crossing w_1⋯w_L: λ = 1/2, m = L', () => {
  for (let L = 2; L <= 8; L++) assert.deepEqual(dlnLambda(new Array(L + 1).fill(1), 0), { lambda: 0.5, multiplicity: L });
});

test('dlnLambda: two layers [M, H, N] agree with rrrLambda (Aoyagi & Watanabe 2005) for M,H,N ∈ 1..6', () => {
  let compared = 0;
  for (let M = 1; M <= 6; M++) {
    for (let H = 1; H <= 6; H++) {
      for (let N = 1; N <= 6; N++) {
        for (let r = 0; r <= Math.min(M, H, N); r++) {
          const dln = dlnLambda([M, H, N], r);
          const rrr = rrrLambda({ M, H, N, r });
          assert.deepEqual(dln, { lambda: rrr.lambda, multiplicity: rrr.multiplicity }, `M=${M} H=${H} N=${N} r=${r}`);
          compared++;
        }
      }
    }
  }
  assert.equal(compared, 657); // every (M, H, N, r) with r ≤ min(M, H, N)
});

test('dlnLambda: a qualifying prefix exists and 0 < λ ≤ d/2 on every network up to depth 4, widths ≤ 5', () => {
  const lists: number[][] = [[]];
  for (let len = 1; len <= 5; len++) {
    for (const prefix of lists.filter((l) => l.length === len - 1)) for (let h = 1; h <= 5; h++) lists.push([...prefix, h]);
  }
  for (const widths of lists.filter((l) => l.length >= 2)) {
    let d = 0;
    for (let j = 0; j + 1 < widths.length; j++) d += widths[j] * widths[j + 1];
    for (let r = 0; r <= Math.min(...widths); r++) {
      const { lambda, multiplicity } = dlnLambda(widths, r);
      assert.ok(lambda > 0 && lambda <= d / 2, `${widths} r=${r}: λ = ${lambda}, d/2 = ${d / 2}`);
      assert.ok(Number.isInteger(multiplicity) && multiplicity >= 1);
    }
  }
});

test('dlnLambda: argument errors name the argument', () => {
  assert.throws(() => dlnLambda([3], 0), /Error in dlnLambda: widths must list at least \[input, output\]/);
  assert.throws(() => dlnLambda([3, 0, 2], 0), /widths\[1\] must be a positive integer, got 0/);
  assert.throws(() => dlnLambda([3, 2, 4], 3), /r must be ≤ min\(widths\) = 2, got 3/);
  assert.throws(() => dlnLambda([3, 2, 4], 0.5), /r must be a non-negative integer, got 0.5/);
});
