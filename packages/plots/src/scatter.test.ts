import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleScatter } from './testing/examples';
import { scatterPlot } from './scatter';
import { assertShows, texts } from './testing/test-helpers';

/** Data circles: those without a stroke or cx on the legend column. */
const dataPoints = (svg: string): number => (svg.match(/<circle cx="[\d.-]+" cy="[\d.-]+" r="2.25">/g) ?? []).length;

test('scatter plot: labelled, ≤ 3000 points by deterministic striding, y = x diagonal', () => {
  const input = exampleScatter();
  const svg = scatterPlot(input);
  const t = texts(svg);
  for (const s of ['Student vs teacher predictions', 'teacher output', 'student output', 'train', 'test', 'y = x']) assert.ok(t.includes(s), s);
  const n = dataPoints(svg);
  assert.ok(n <= 3000 && n > 2900, `${n} points`);
  assert.match(svg, /thinned to ≤3000 of 5000 points/);
  assert.match(svg, /<line x1="[\d.]+" y1="[\d.]+" x2="[\d.]+" y2="[\d.]+" stroke="#222222" stroke-width="1.5" stroke-dasharray="6,4">/);
  assertShows(svg, /<svg/);
  assert.equal(svg, scatterPlot(exampleScatter()));
  // Diagonal: both axes share one range, so the tick labels match.
  const diag = scatterPlot({ title: 's', xLabel: 'x', yLabel: 'y', series: [{ x: [0, 1], y: [10, 20], label: 'a' }], diagonal: true });
  assert.ok(texts(diag).includes('0') && texts(diag).filter((s) => s === '20').length === 2, texts(diag).join('|'));
  const small = scatterPlot({ ...input, maxPoints: 100 });
  assert.ok(dataPoints(small) <= 100);
  // Many tiny series still never exceed the cap.
  const many = scatterPlot({
    title: 's', xLabel: 'x', yLabel: 'y', maxPoints: 10,
    series: Array.from({ length: 8 }, (_, i) => ({ x: [i, i + 1, i + 2], y: [1, 2, 3], label: `s${i}` })),
  });
  assert.ok(dataPoints(many) <= 10, String(dataPoints(many)));
  assert.throws(() => scatterPlot({ ...input, maxPoints: 1 }), /maxPoints must be an integer >= 2/);
});

test('scatter plot: empty and non-finite input say so', () => {
  const nan = Number.NaN;
  assertShows(scatterPlot({ title: 's', xLabel: 'x', yLabel: 'y', series: [] }), /No series to plot/);
  assertShows(scatterPlot({ title: 's', xLabel: 'x', yLabel: 'y', series: [{ x: [], y: [], label: 'a' }] }), /No data to plot/);
  assertShows(scatterPlot({ title: 's', xLabel: 'x', yLabel: 'y', series: [{ x: [nan], y: [1], label: 'a' }], diagonal: true }), /No finite points to plot/);
  const some = scatterPlot({ title: 's', xLabel: 'x', yLabel: 'y', series: [{ x: [1, nan, 3], y: [1, 2, Infinity], label: 'a' }] });
  assertShows(some, /2 non-finite points skipped/);
  assert.equal(dataPoints(some), 1);
});
