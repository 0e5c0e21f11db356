import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_POINTS, downsampleIndices } from './downsample';

test('short series are kept whole', () => {
  assert.deepEqual(downsampleIndices(0), []);
  assert.deepEqual(downsampleIndices(5), [0, 1, 2, 3, 4]);
  assert.equal(downsampleIndices(DEFAULT_MAX_POINTS).length, DEFAULT_MAX_POINTS);
});

test('long series are capped, strided, and keep first and last', () => {
  for (const n of [2001, 2002, 4000, 4001, 10_000, 123_457, 1_000_000]) {
    const idx = downsampleIndices(n);
    assert.ok(idx.length <= DEFAULT_MAX_POINTS, `n=${n}: ${idx.length} points`);
    assert.ok(idx.length >= DEFAULT_MAX_POINTS / 2, `n=${n}: too aggressive (${idx.length})`);
    assert.equal(idx[0], 0);
    assert.equal(idx.at(-1), n - 1);
    for (let i = 1; i < idx.length; i++) assert.ok(idx[i]! > idx[i - 1]!, 'strictly increasing');
  }
  assert.deepEqual(downsampleIndices(10, 4), [0, 3, 6, 9]);
  assert.deepEqual(downsampleIndices(11, 4), [0, 4, 8, 10]);
});

test('deterministic and validates arguments', () => {
  assert.deepEqual(downsampleIndices(99_999, 300), downsampleIndices(99_999, 300));
  assert.throws(() => downsampleIndices(-1), /n must be a non-negative integer/);
  assert.throws(() => downsampleIndices(10, 1), /maxPoints must be an integer >= 2/);
});
