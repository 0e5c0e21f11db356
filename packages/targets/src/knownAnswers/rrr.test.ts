import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rrrLambda } from './rrr';

test('rrrLambda: docs/SCIENCE.md §3 worked examples (main case, odd M+H+N+r)', () => {
  // (5,3,5), r = 0: [2·3·10 − 0 − 9]/8 = 51/8, odd sum 13 → +1/8 = 6.5, m = 2.
  assert.deepEqual(rrrLambda({ M: 5, H: 3, N: 5, r: 0 }), { lambda: 6.5, multiplicity: 2, regime: 'main' });
  // (4,2,4), r = 1: [2·3·8 − 0 − 9]/8 = 39/8, odd sum 11 → 5, m = 2.
  assert.deepEqual(rrrLambda({ M: 4, H: 2, N: 4, r: 1 }), { lambda: 5, multiplicity: 2, regime: 'main' });
});

test('rrrLambda: main case with even M+H+N+r has no +1/8 and m = 1', () => {
  // (2,2,2), r = 0: [2·2·4 − 0 − 4]/8 = 12/8.
  assert.deepEqual(rrrLambda({ M: 2, H: 2, N: 2, r: 0 }), { lambda: 1.5, multiplicity: 1, regime: 'main' });
  // (3,3,3), r = 1: [2·4·6 − 0 − 16]/8 = 4.
  assert.deepEqual(rrrLambda({ M: 3, H: 3, N: 3, r: 1 }), { lambda: 4, multiplicity: 1, regime: 'main' });
  // (3,2,5), r = 0: sum 10 even; [2·2·8 − 4 − 4]/8 = 24/8 = 3 (boundary N + r = M + H stays in the main case).
  assert.deepEqual(rrrLambda({ M: 3, H: 2, N: 5, r: 0 }), { lambda: 3, multiplicity: 1, regime: 'main' });
});

test('rrrLambda: regime M+H < N+r', () => {
  // (1,1,3), r = 0: (1 − 0 + 0)/2; K ∝ a²‖b‖², smallest exponent 1/2.
  assert.deepEqual(rrrLambda({ M: 1, H: 1, N: 3, r: 0 }), { lambda: 0.5, multiplicity: 1, regime: 'M+H<N+r' });
  // (2,1,5), r = 1: (2 − 1 + 5)/2 = 3 = (7 parameters − 1 scaling redundancy)/2.
  assert.deepEqual(rrrLambda({ M: 2, H: 1, N: 5, r: 1 }), { lambda: 3, multiplicity: 1, regime: 'M+H<N+r' });
});

test('rrrLambda: regime N+H < M+r (mirror image)', () => {
  assert.deepEqual(rrrLambda({ M: 3, H: 1, N: 1, r: 0 }), { lambda: 0.5, multiplicity: 1, regime: 'N+H<M+r' });
  // (5,1,2), r = 1: (1·2 − 1 + 5)/2 = 3.
  assert.deepEqual(rrrLambda({ M: 5, H: 1, N: 2, r: 1 }), { lambda: 3, multiplicity: 1, regime: 'N+H<M+r' });
});

test('rrrLambda: regime M+N < H+r (wide hidden layer: the map is regular, λ = MN/2)', () => {
  assert.deepEqual(rrrLambda({ M: 1, H: 3, N: 1, r: 0 }), { lambda: 0.5, multiplicity: 1, regime: 'M+N<H+r' });
  assert.deepEqual(rrrLambda({ M: 2, H: 5, N: 2, r: 1 }), { lambda: 2, multiplicity: 1, regime: 'M+N<H+r' });
});

test('rrrLambda: symmetric in M ↔ N; full-rank r = min(M,H,N) with H ≤ M,N', () => {
  for (let M = 1; M <= 6; M++) {
    for (let H = 1; H <= 6; H++) {
      for (let N = 1; N <= 6; N++) {
        for (let r = 0; r <= Math.min(M, H, N); r++) {
          const a = rrrLambda({ M, H, N, r });
          const b = rrrLambda({ M: N, H, N: M, r });
          assert.equal(a.lambda, b.lambda);
          assert.equal(a.multiplicity, b.multiplicity);
          // λ never exceeds half the parameter count.
          assert.ok(a.lambda <= (H * (M + N)) / 2);
        }
      }
    }
  }
  // r = H ≤ min(M, N): a regular point of the map manifold of rank H, dim H(M+N−H).
  assert.equal(rrrLambda({ M: 4, H: 2, N: 5, r: 2 }).lambda, (2 * (4 + 5 - 2)) / 2);
});

test('rrrLambda: argument errors name the argument', () => {
  assert.throws(() => rrrLambda({ M: 3, H: 2, N: 4, r: 3 }), /Error in rrrLambda: r must be ≤ min\(M, H, N\) = 2, got 3/);
  assert.throws(() => rrrLambda({ M: 0, H: 2, N: 4, r: 0 }), /M must be a positive integer, got 0/);
  assert.throws(() => rrrLambda({ M: 3, H: 1.5, N: 4, r: 0 }), /H must be a positive integer, got 1.5/);
  assert.throws(() => rrrLambda({ M: 3, H: 2, N: -1, r: 0 }), /N must be a positive integer/);
  assert.throws(() => rrrLambda({ M: 3, H: 2, N: 4, r: -1 }), /r must be a non-negative integer, got -1/);
});
