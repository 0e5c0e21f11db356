import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autocorrelationPlot, chainAutocorrelation } from './autocorrelation';
import { exampleAutocorrelation } from './testing/examples';
import { assertShows, pathPoints, texts } from './testing/test-helpers';

function rho(c: ArrayLike<number>, maxLag: number): Float64Array {
  const r = chainAutocorrelation(c, maxLag);
  assert.ok('rho' in r, JSON.stringify(r));
  return r.rho;
}

test('autocorrelation matches the direct biased estimate', () => {
  const x = [0.3, -1.2, 2.5, 0.7, -0.4, 1.1, -2.0, 0.9];
  const n = x.length;
  const m = x.reduce((a, v) => a + v, 0) / n;
  const acov = (k: number): number => x.slice(0, n - k).reduce((a, v, i) => a + (v - m) * (x[i + k]! - m), 0) / n;
  const r = rho(x, 5);
  assert.equal(r.length, 6);
  assert.equal(r[0], 1);
  for (let k = 1; k <= 5; k++) assert.ok(Math.abs(r[k]! - acov(k) / acov(0)) < 1e-12, `lag ${k}`);
  // Alternating series: ρ̂_1 = −(n−1)/n with the biased estimator.
  assert.ok(Math.abs(rho([1, -1, 1, -1, 1, -1], 1)[1]! + 5 / 6) < 1e-12);
  // maxLag beyond the chain is cut to n − 1.
  assert.equal(rho([1, 2, 4], 50).length, 3);
  assert.deepEqual(chainAutocorrelation([2, 2, 2], 5), { skip: 'constant' });
  assert.deepEqual(chainAutocorrelation([1, Number.NaN, 3], 5), { skip: 'non-finite draws' });
  assert.deepEqual(chainAutocorrelation([1], 5), { skip: 'one draw' });
});

test('autocorrelation plot: one line per chain from lag 0 to maxLag, legend "chain c"', () => {
  const svg = autocorrelationPlot(exampleAutocorrelation());
  const t = texts(svg);
  for (const s of ['Autocorrelation of λ̂ per chain', 'lag', 'autocorrelation', 'chain 0', 'chain 3']) assert.ok(t.includes(s), s);
  const lines = pathPoints(svg);
  assert.equal(lines.length, 4);
  for (const l of lines) assert.equal(l.length, 61);
  assertShows(svg, /<svg/);
  assert.equal(svg, autocorrelationPlot(exampleAutocorrelation()));
  const dflt = autocorrelationPlot({ title: 'a', chains: [exampleAutocorrelation().chains[0]!] });
  assert.equal(pathPoints(dflt)[0]!.length, 101);
  assert.throws(() => autocorrelationPlot({ title: 'a', chains: [[1, 2]], maxLag: 0 }), /maxLag must be an integer >= 1/);
});

test('autocorrelation plot: empty, NaN and constant chains are reported', () => {
  assertShows(autocorrelationPlot({ title: 'a', chains: [] }), /No chains to plot/);
  assertShows(autocorrelationPlot({ title: 'a', chains: [[]] }), /No autocorrelation to plot \(no draws\)/);
  assertShows(autocorrelationPlot({ title: 'a', chains: [[Number.NaN, 1], [3, 3, 3]] }), /No autocorrelation to plot \(non-finite draws, constant\)/);
  const some = autocorrelationPlot({ title: 'a', chains: [[1, 3, 2, 5, 4], [1, Number.NaN, 2], [7, 7]] });
  assertShows(some, /not drawn: chain 1: non-finite draws; chain 2: constant/);
  assert.equal(pathPoints(some).length, 1);
});
