import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as welford from './welford';

test('Welford matches the two-pass sample variance and Stan’s regularisation', () => {
  const rows = [
    [1e6 + 1, -2],
    [1e6 + 3, 0.5],
    [1e6 + 2, 4],
    [1e6 + 7, -1],
    [1e6 + 5, 2],
  ];
  let s = welford.init(2);
  for (const r of rows) s = welford.update(s, Float64Array.from(r));
  const n = rows.length;
  for (let j = 0; j < 2; j++) {
    const col = rows.map((r) => r[j]);
    const mean = col.reduce((a, b) => a + b, 0) / n;
    const v = col.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    assert.ok(Math.abs(welford.variance(s)[j] - v) < 1e-9 * v, `column ${j}`);
    assert.ok(Math.abs(welford.final(s)[j] - ((n / (n + 5)) * v + 1e-3 * (5 / (n + 5)))) < 1e-12 * v);
  }
  const fresh = welford.init(2);
  welford.update(fresh, Float64Array.of(1, 2));
  assert.equal(fresh.count, 0, 'input state untouched');
  assert.throws(() => welford.final(welford.update(fresh, Float64Array.of(1, 2))), /at least 2/);
});
