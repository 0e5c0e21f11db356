import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { exampleInterval, exampleRunningMean, exampleTrace } from './testing/examples';
import { intervalPlot, runningMeanPlot, svgToPng, tracePlot } from './index';
import { decodePngRgba, readPngHeader } from './png-read';
import { assertWellFormed } from './testing/test-helpers';

const makers: readonly (() => string)[] = [
  () => tracePlot(exampleTrace(3, 4000)),
  () => runningMeanPlot(exampleRunningMean(2500)),
  () => intervalPlot(exampleInterval()),
];

/** Number of vertices in all <path d="..."> strings (M and L commands). */
function pathVertices(svg: string): number[] {
  return [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => (m[1]!.match(/[ML]/g) ?? []).length);
}

test('each plot contains its title and axis labels, and is well-formed', () => {
  const t = tracePlot(exampleTrace(2, 100));
  assert.ok(t.includes('SGLD trace of λ̂ per chain') && t.includes('>iteration<') && t.includes('>λ̂ (nβ·ΔL)<'));
  assert.ok(t.includes('>chain 0<') && t.includes('>chain 1<') && t.includes('>true λ = 1.5<'));
  assert.ok(t.includes('stroke-dasharray'), 'dashed reference line');
  const r = runningMeanPlot(exampleRunningMean(100));
  assert.ok(r.includes('Running mean of λ̂ with MCSE band') && r.includes('>draws<') && r.includes('>± MCSE<'));
  const iv = intervalPlot(exampleInterval());
  assert.ok(iv.includes('λ̂ ± MCSE by run') && iv.includes('>SGLD<') && iv.includes('>HMC<'));
  for (const svg of [t, r, iv]) {
    assertWellFormed(svg);
    assert.match(svg, /width="720" height="420" viewBox="0 0 720 420"/);
  }
});

test('output is byte-identical on repeated calls', () => {
  for (const make of makers) assert.equal(make(), make());
});

test('20 plots generated concurrently equal the ones generated alone', async () => {
  const alone = makers.map((m) => m());
  const concurrent = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      await tick(); // interleave the tasks before and after each plot
      const svg = makers[i % makers.length]!();
      await tick();
      const png = svgToPng(svg);
      return { i, svg, png };
    }),
  );
  const pngAlone = alone.map((s) => svgToPng(s));
  for (const { i, svg, png } of concurrent) {
    assert.equal(svg, alone[i % makers.length]);
    assert.deepEqual(png, pngAlone[i % makers.length]);
  }
});

test('PNGs of the plots have the plot size and rendered text', () => {
  for (const make of makers) {
    const svg = make();
    const png = svgToPng(svg);
    assert.deepEqual([readPngHeader(png).width, readPngHeader(png).height], [720, 420]);
    assert.deepEqual([readPngHeader(svgToPng(svg, { width: 1440 })).width, readPngHeader(svgToPng(svg, { width: 1440 })).height], [1440, 840]);
    // Removing every text must change the image: proves labels are drawn.
    const noText = svgToPng(svg.replace(/<text\b[^>]*>[^<]*<\/text>/g, ''));
    const a = decodePngRgba(png).rgba, b = decodePngRgba(noText).rgba;
    let diff = 0;
    for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) diff++;
    assert.ok(diff > 1000, `only ${diff} pixels differ without text`);
  }
});

test('long series are downsampled to at most maxPoints per line', () => {
  const svg = tracePlot(exampleTrace(3, 50_000));
  const lines = pathVertices(svg);
  assert.equal(lines.length, 3);
  for (const v of lines) assert.ok(v <= 2000 && v > 1000, `${v} vertices`);
  assert.ok(svg.length < 250_000, `${svg.length} chars`);
  assert.ok(svg.includes('lines thinned to ≤2000 points'));
  const small = tracePlot({ ...exampleTrace(1, 5000), maxPoints: 100 });
  assert.ok(pathVertices(small).every((v) => v <= 100));
  // The band is a closed area: ≤ 2 × maxPoints vertices.
  const rm = runningMeanPlot({ ...exampleRunningMean(20_000), maxPoints: 500 });
  assert.ok(pathVertices(rm).every((v) => v <= 1000), String(pathVertices(rm)));
});

test('NaN, Infinity and empty inputs do not crash and say so in the plot', () => {
  const nan = Number.NaN;
  const cases: [string, string, RegExp][] = [
    ['no chains', tracePlot({ title: 'T', xLabel: 'x', yLabel: 'y', chains: [] }), /No chains to plot/],
    ['empty chain', tracePlot({ title: 'T', xLabel: 'x', yLabel: 'y', chains: [{ x: [], y: [] }] }), /No data to plot/],
    ['all NaN', tracePlot({ title: 'T', xLabel: 'x', yLabel: 'y', chains: [{ x: [0, 1, 2], y: [nan, nan, nan] }] }), /No finite values to plot/],
    [
      'some NaN/Inf',
      tracePlot({
        title: 'T', xLabel: 'x', yLabel: 'y',
        chains: [{ x: [0, 1, 2, 3, 4], y: [1, nan, 2, Infinity, 3] }, { x: [0], y: [5] }],
        referenceLine: { value: nan, label: 'truth' },
      }),
      /2 non-finite values skipped.*reference "truth" is NaN, not drawn/,
    ],
    ['constant', tracePlot({ title: 'T', xLabel: 'x', yLabel: 'y', chains: [{ x: [3, 3], y: [2, 2] }] }), /<path d="M/],
    ['rm empty', runningMeanPlot({ title: 'R', xLabel: 'x', yLabel: 'y', x: [], mean: [], lower: [], upper: [] }), /No data to plot/],
    [
      'rm NaN',
      runningMeanPlot({ title: 'R', xLabel: 'x', yLabel: 'y', x: [1, 2, 3], mean: [nan, 1, 2], lower: [nan, 0, nan], upper: [nan, 2, 3] }),
      /1 non-finite mean value skipped/,
    ],
    [
      'rm all NaN',
      runningMeanPlot({ title: 'R', xLabel: 'x', yLabel: 'y', x: [1, 2], mean: [nan, nan], lower: [nan, nan], upper: [nan, nan] }),
      /No finite values to plot/,
    ],
    ['iv empty', intervalPlot({ title: 'I', yLabel: 'y', items: [] }), /No items to plot/],
    [
      'iv NaN',
      intervalPlot({
        title: 'I', yLabel: 'y',
        items: [{ label: 'a', value: nan, lower: 0, upper: 1 }, { label: 'b', value: 1, lower: nan, upper: 2 }],
        referenceLines: [{ value: Infinity, label: 'inf' }],
      }),
      /n\/a.*1 item without a finite value/s,
    ],
    ['iv all NaN', intervalPlot({ title: 'I', yLabel: 'y', items: [{ label: 'a', value: nan, lower: nan, upper: nan }] }), /No finite values to plot/],
  ];
  for (const [name, svg, expected] of cases) {
    assert.match(svg, expected, name);
    assertWellFormed(svg);
    assert.ok(svgToPng(svg).length > 100, `${name} rasterises`);
  }
});

test('long category labels are truncated and rotated; odd text stays valid XML', () => {
  const svg = intervalPlot({
    title: 'a\u00a0b <c> & "d"\n', yLabel: 'y',
    items: Array.from({ length: 12 }, (_, i) => ({ label: `run-${i}-${'x'.repeat(60)}`, value: i, lower: i - 1, upper: i + 1 })),
  });
  assert.match(svg, /rotate\(-40,/);
  assert.ok(!svg.includes('x'.repeat(40)), 'labels truncated');
  assert.match(svg, /run-0-x+…/);
  assert.ok(svg.includes('a&#160;b &lt;c&gt; &amp; "d"'));
  assertWellFormed(svg);
  assert.ok(svgToPng(svg).length > 100);
  const fits = intervalPlot({ title: 'I', yLabel: 'y', items: [{ label: 'short', value: 1, lower: 0, upper: 2 }] });
  assert.ok(!fits.includes('rotate(-40'), 'short labels stay horizontal');
});

test('size options and invalid sizes', () => {
  const svg = tracePlot({ ...exampleTrace(1, 50), width: 1000, height: 500 });
  assert.match(svg, /width="1000" height="500"/);
  assert.deepEqual([readPngHeader(svgToPng(svg)).width, readPngHeader(svgToPng(svg)).height], [1000, 500]);
  assert.throws(() => tracePlot({ ...exampleTrace(1, 50), width: 10 }), /width must be a number >= 240/);
});
