import { test } from 'node:test';
import assert from 'node:assert/strict';
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
  assert.throws(() => mlpLayout({ widths: [3, 1], activation: 'gelu' as never, bias: true }), /spec\.activation must be one of/);
});
