import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import { mlpLayout, type MlpSpec } from '@llc/targets/models/mlpSpec';
import { createSimdMlpLossModel } from '@llc/targets/models/simd/mlpSimd';
import { torchAvailable, torchLossAndGrad } from './torch';

const torch = torchAvailable();

test('the bench times the same function in PyTorch: its loss and gradient equal the float64 kernel\'s', { skip: torch.ok ? false : `PyTorch not importable (${torch.why}); Debian package python3-torch` }, () => {
  if (!torch.ok) return;
  const spec: MlpSpec = { widths: [3, 6, 4, 1], activation: 'relu', bias: true };
  const n = 50;
  const rng = createRng(4, 'torch-check');
  const X = Float32Array.from(rng.fillNormal(new Float64Array(n * 3)));
  const Y = Float32Array.from(rng.fillNormal(new Float64Array(n)));
  const w = rng.fillNormal(new Float64Array(mlpLayout(spec).size)).map((v) => 0.5 * v);
  const ours = createSimdMlpLossModel({ spec, X, Y, n, precision: 'float64' }).lossAndGrad(w);
  const theirs = torchLossAndGrad(torch.python, spec.widths as number[], X, Y, w);
  assert.ok(Math.abs(theirs.loss - ours.loss) <= 1e-12 * ours.loss, `loss ${theirs.loss} vs ${ours.loss}`);
  assert.equal(theirs.grad.length, ours.grad.length);
  const scale = Math.max(...Array.from(ours.grad, Math.abs));
  for (let i = 0; i < ours.grad.length; i++) assert.ok(Math.abs(theirs.grad[i] - ours.grad[i]) <= 1e-12 * scale, `grad[${i}] ${theirs.grad[i]} vs ${ours.grad[i]}`);
});
