import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import { mlpForwardF64 } from '../models/mlpReference';
import { mlpLayout } from '../models/mlpSpec';
import { maxGradientError } from '../testing/gradientCheck';
import { scalarChainLlc } from './scalarChain';
import { twoLayerLinearLlc, twoLayerLinearPotential } from './twoLayerLinear';

const shape = { M: 3, H: 2, N: 4 };

test('two-layer linear ½‖BA‖²_F: loss from A [H×M], B [N×H] and gradient against finite differences', () => {
  const m = twoLayerLinearPotential(shape);
  assert.equal(m.dim, 3 * 2 + 2 * 4);
  const w = createRng(1, 'tll').fillNormal(new Float64Array(m.dim));
  // Independent evaluation in the paper's orientation: A[h][i] = W_1[i][h], B[j][h] = W_2[h][j].
  const A = (h: number, i: number) => w[i * 2 + h];
  const B = (j: number, h: number) => w[6 + h * 4 + j];
  let expected = 0;
  for (let j = 0; j < 4; j++) {
    for (let i = 0; i < 3; i++) {
      let ba = 0;
      for (let h = 0; h < 2; h++) ba += B(j, h) * A(h, i);
      expected += 0.5 * ba * ba;
    }
  }
  assert.ok(Math.abs(m.loss(w) - expected) < 1e-12);
  assert.ok(maxGradientError(m, w) < 1e-7);
  assert.deepEqual(m.lossAndGrad(new Float64Array(m.dim)).grad, new Float64Array(m.dim));
});

test('two-layer linear: flat layout is the MLP layout of [M, H, N], identity, no bias', () => {
  const m = twoLayerLinearPotential(shape);
  const layout = mlpLayout({ widths: [3, 2, 4], activation: 'identity', bias: false });
  assert.equal(layout.size, m.dim);
  const w = createRng(2, 'tll').fillNormal(new Float64Array(m.dim));
  // Rows of the identity as inputs give f(e_i) = row i of W_1W_2, so K = ½Σ‖f(e_i)‖².
  const eye = new Float64Array(9);
  for (let i = 0; i < 3; i++) eye[i * 3 + i] = 1;
  const out = mlpForwardF64(layout, w, eye);
  assert.ok(Math.abs(m.loss(w) - 0.5 * out.reduce((s, v) => s + v * v, 0)) < 1e-12);
});

test('two-layer linear λ = rrrLambda(M, H, N, r = 0)', () => {
  assert.deepEqual(twoLayerLinearLlc({ M: 5, H: 3, N: 5 }), { lambda: 6.5, multiplicity: 2 });
  assert.deepEqual(twoLayerLinearLlc({ M: 2, H: 2, N: 2 }), { lambda: 1.5, multiplicity: 1 });
  // One unit everywhere is the depth-2 scalar chain.
  assert.deepEqual(twoLayerLinearLlc({ M: 1, H: 1, N: 1 }), scalarChainLlc(2));
  assert.throws(() => twoLayerLinearPotential({ M: 1, H: 0, N: 1 }), /H must be a positive integer, got 0/);
});
