import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptancePlot } from './acceptance';
import { exampleAcceptance, exampleHmcAcceptance } from './testing/examples';
import { assertShows, pathPoints, texts } from './testing/test-helpers';

test('acceptance plot: [0, 1] axis, mean per chain, dashed band or target line', () => {
  const input = exampleAcceptance();
  const svg = acceptancePlot(input);
  const t = texts(svg);
  for (const s of ['MALA acceptance diagnostic per chain', 'step', 'acceptance', 'target 0.9–0.95', '0.0', '1.0']) assert.ok(t.includes(s), s);
  input.chains.forEach((c, i) => {
    const mean = Array.from(c).reduce((a, v) => a + v, 0) / c.length;
    assert.ok(t.includes(`chain ${i} · mean ${mean.toFixed(2)}`), `chain ${i}`);
  });
  assert.equal(pathPoints(svg).length, 3);
  assert.match(svg, /<rect x="0" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#9E9E9E" fill-opacity="0.25">/);
  assert.equal((svg.match(/stroke-dasharray="6,4"/g) ?? []).length, 2); // the band's two edges
  assertShows(svg, /<svg/);
  assert.equal(svg, acceptancePlot(exampleAcceptance()));

  const hmc = acceptancePlot(exampleHmcAcceptance());
  assert.ok(texts(hmc).includes('target δ = 0.8') && texts(hmc).includes('iteration'));
  assert.match(hmc, /<line[^>]*stroke-dasharray="6,4"/);
  assert.ok(!hmc.includes('fill="#9E9E9E"'));
  assert.throws(() => acceptancePlot({ ...input, target: 1.5 }), /target must be in \[0, 1\]/);
  assert.throws(() => acceptancePlot({ ...input, target: [0.95, 0.9] }), /target band/);
});

test('acceptance plot: the y axis stays [0, 1]; outside values are clamped and noted', () => {
  const svg = acceptancePlot({ title: 'a', chains: [[0.5, 1.4, -0.2, 0.7]] });
  assertShows(svg, /2 values outside \[0, 1\] clamped/);
  const ys = pathPoints(svg)[0]!.map((p) => p[1]);
  const bottom = Math.max(...ys), top = Math.min(...ys);
  assert.ok(top >= 0, 'nothing above the plot area');
  assert.ok(t0(svg).includes('1.0') && !t0(svg).includes('1.4'));
  assert.ok(bottom > top);
});

const t0 = texts;

test('acceptance plot: empty and NaN input say so', () => {
  assertShows(acceptancePlot({ title: 'a', chains: [] }), /No chains to plot/);
  assertShows(acceptancePlot({ title: 'a', chains: [[]] }), /No data to plot/);
  assertShows(acceptancePlot({ title: 'a', chains: [[Number.NaN, Number.NaN]] }), /No finite values to plot/);
  assertShows(acceptancePlot({ title: 'a', x: [0, 1, Number.NaN], chains: [[0.9, Number.NaN, 0.8]] }), /2 non-finite values skipped/);
});
