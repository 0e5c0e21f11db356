// tracePlot's log y axis, and fractional (wall-clock seconds) x in
// tracePlot / runningMeanPlot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleLossTrace, exampleRunningMeanSeconds, exampleTrace } from './testing/examples';
import { runningMeanPlot } from './running-mean';
import { tracePlot } from './trace';
import { assertShows, pathPoints, texts } from './testing/test-helpers';

const base = { title: 'Loss', xLabel: 'time (s)', yLabel: 'loss' };

test("yScale 'log': decades equally spaced, labelled powers of ten, minor ticks", () => {
  const svg = tracePlot({ ...base, yScale: 'log', chains: [{ x: [0, 1, 2, 3], y: [1, 10, 100, 1000] }] });
  const ys = pathPoints(svg)[0]!.map((p) => p[1]);
  const steps = ys.slice(1).map((y, i) => ys[i]! - y);
  for (const s of steps) assert.ok(Math.abs(s - steps[0]!) < 0.02 && s > 0, String(steps));
  const t = texts(svg);
  for (const s of ['1', '10', '100', '1000']) assert.ok(t.includes(s), `${s} in ${t.join('|')}`);
  // 3 decades × 8 minor ticks (2…9 × 10^k), drawn as short unlabelled ticks.
  assert.equal((svg.match(/<line x1="-3" x2="0"/g) ?? []).length, 24);
  assertShows(svg, /<svg/);
  // Wide ranges switch to 10ⁿ labels and thin the decades.
  const wide = tracePlot({ ...base, yScale: 'log', chains: [{ x: [0, 1], y: [1e-12, 5e3] }] });
  const wt = texts(wide);
  assert.ok(wt.includes('10⁻¹²') && wt.includes('10⁶') && !wt.includes('10⁴'), wt.join('|')); // every 3rd decade
  assert.ok(wt.filter((s) => s.startsWith('10')).length <= 9);
  // Less than a decade: plain labels inside the data range.
  const narrow = texts(tracePlot({ ...base, yScale: 'log', chains: [{ x: [0, 1], y: [0.52, 0.81] }] }));
  assert.ok(narrow.includes('0.6') && narrow.includes('0.8'), narrow.join('|'));
  // Training-loss example renders.
  assertShows(tracePlot(exampleLossTrace()), /10⁻⁴/);
});

test("yScale 'log': values <= 0 are gaps and counted; linear stays the default", () => {
  const svg = tracePlot({
    ...base, yScale: 'log',
    chains: [{ x: [0, 1, 2, 3, 4], y: [1, 0, 0.1, -3, Number.NaN] }],
    referenceLine: { value: 0, label: 'zero' },
  });
  assertShows(svg, /1 non-finite value skipped · 2 values &lt;= 0 skipped \(log scale\) · reference "zero" is 0, not drawn on a log scale/);
  assertShows(tracePlot({ ...base, yScale: 'log', chains: [{ x: [0, 1], y: [0, -1] }] }), /No positive values to plot on a log scale/);
  assertShows(tracePlot({ ...base, yScale: 'log', chains: [{ x: [0, 1], y: [5, 5] }] }), /<path d="M/);
  assertShows(tracePlot({ ...base, yScale: 'log', chains: [] }), /No chains to plot/);
  const ref = tracePlot({ ...base, yScale: 'log', chains: [{ x: [0, 1], y: [0.01, 1] }], referenceLine: { value: 0.1, label: 'target' } });
  assert.match(ref, /stroke-dasharray="6,4"/);
  assert.equal(tracePlot(exampleTrace(2, 300)), tracePlot({ ...exampleTrace(2, 300), yScale: 'linear' }));
  assert.throws(() => tracePlot({ ...base, chains: [], yScale: 'ln' as 'log' }), /yScale must be 'linear' or 'log'/);
});

test('wall-clock seconds on x: fractional, irregular x is placed proportionally', () => {
  const x = [0.013, 0.0271, 0.0405, 0.1, 0.1137];
  const mean = [1, 1.2, 1.1, 1.15, 1.12];
  const svg = runningMeanPlot({
    title: 'R', xLabel: 'wall-clock time (s)', yLabel: 'λ̂', x, mean,
    lower: mean.map((m) => m - 0.1), upper: mean.map((m) => m + 0.1),
  });
  assertShows(svg, />wall-clock time \(s\)</);
  const line = pathPoints(svg).at(-1)!;
  assert.equal(line.length, 5);
  // Pixel x is affine in seconds: equal ratios of gaps.
  const px = line.map((p) => p[0]);
  const ratio = (px[3]! - px[0]!) / (px[4]! - px[0]!);
  assert.ok(Math.abs(ratio - (x[3]! - x[0]!) / (x[4]! - x[0]!)) < 0.005, String(ratio));
  assert.ok(texts(svg).some((s) => /^0\.\d+$/.test(s)), 'decimal tick labels');
  const ex = runningMeanPlot(exampleRunningMeanSeconds());
  assertShows(ex, />wall-clock time \(s\)</);
  const tr = tracePlot({ title: 'T', xLabel: 's', yLabel: 'y', chains: [{ x, y: mean }] });
  assert.equal(pathPoints(tr)[0]!.length, 5);
});
