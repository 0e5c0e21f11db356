import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@llc/core/random/rng';
import { initMlpParams, initWeightStd } from './mlpInit';
import { mlpLayout } from './mlpSpec';

test('layout places W (row-major) then b, layer by layer', () => {
  const layout = mlpLayout({ widths: [3, 4, 2], activation: 'relu', bias: true });
  assert.deepEqual(layout.layers, [
    { fanIn: 3, fanOut: 4, wOffset: 0, bOffset: 12 },
    { fanIn: 4, fanOut: 2, wOffset: 16, bOffset: 24 },
  ]);
  assert.equal(layout.size, 26);
});

test('layout without biases has no b slots', () => {
  const layout = mlpLayout({ widths: [3, 4, 2], activation: 'tanh', bias: false });
  assert.deepEqual(layout.layers.map((l) => [l.wOffset, l.bOffset]), [[0, null], [12, null]]);
  assert.equal(layout.size, 20);
});

test('bad specs are rejected with named messages', () => {
  assert.throws(() => mlpLayout({ widths: [3], activation: 'relu', bias: true }), /Error in mlpLayout: spec\.widths must list/);
  assert.throws(() => mlpLayout({ widths: [3, 0, 1], activation: 'relu', bias: true }), /spec\.widths\[1\] must be a positive integer/);
  assert.throws(() => mlpLayout({ widths: [3, 1], activation: 'swish' as never, bias: true }), /spec\.activation must be one of relu\|tanh\|gelu\|identity/);
  assert.throws(() => mlpLayout({ widths: [3, 1], activation: 'relu', bias: true, layerNorm: true }), /spec\.layerNorm needs at least one hidden layer/);
  assert.throws(() => mlpLayout({ widths: [3, 4, 1, 1], activation: 'relu', bias: true, layerNorm: true }), /spec\.widths\[2\] must be ≥ 2 with layerNorm/);
  assert.throws(() => mlpLayout({ widths: [3, 4, 1], activation: 'relu', bias: true, layerNorm: 1 as never }), /spec\.layerNorm must be a boolean/);
});

test('layerNorm adds a gain and a shift after W and b of every hidden layer, not the output layer', () => {
  const layout = mlpLayout({ widths: [3, 4, 5, 2], activation: 'gelu', bias: true, layerNorm: true });
  assert.deepEqual(layout.layers, [
    { fanIn: 3, fanOut: 4, wOffset: 0, bOffset: 12, norm: { gainOffset: 16, shiftOffset: 20 } },
    { fanIn: 4, fanOut: 5, wOffset: 24, bOffset: 44, norm: { gainOffset: 49, shiftOffset: 54 } },
    { fanIn: 5, fanOut: 2, wOffset: 59, bOffset: 69 },
  ]);
  assert.equal(layout.size, 71);
  assert.equal(layout.spec.layerNorm, true);
  assert.equal('layerNorm' in mlpLayout({ widths: [3, 4, 2], activation: 'relu', bias: true, layerNorm: false }).spec, false);
  const noBias = mlpLayout({ widths: [3, 4, 2], activation: 'relu', bias: false, layerNorm: true });
  assert.deepEqual(noBias.layers[0].norm, { gainOffset: 12, shiftOffset: 16 });
  assert.equal(noBias.size, 28);
});

test('init: layer-norm gains start at 1, shifts like biases, gelu uses He scaling', () => {
  const layout = mlpLayout({ widths: [3, 4, 2], activation: 'gelu', bias: true, layerNorm: true });
  const w = initMlpParams(layout, createRng(1, 'init'), { biasStd: 0.1 });
  const norm = layout.layers[0].norm!;
  assert.deepEqual(Array.from(w.subarray(norm.gainOffset, norm.gainOffset + 4)), [1, 1, 1, 1]);
  const shift = w.subarray(norm.shiftOffset, norm.shiftOffset + 4);
  assert.ok(shift.every((v) => v !== 0 && Math.abs(v) < 0.5));
  assert.equal(initWeightStd('gelu', 8, 3), initWeightStd('relu', 8, 3));
  const zeroShift = initMlpParams(layout, createRng(1, 'init'));
  assert.ok(zeroShift.subarray(norm.shiftOffset, norm.shiftOffset + 4).every((v) => v === 0));
});
