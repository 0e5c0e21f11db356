import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eBfmi, energyPlot } from './energy';
import { exampleEnergy } from './testing/examples';
import { assertShows, pathPoints, texts } from './testing/test-helpers';

test('E-BFMI = Σ(ΔE)² / Σ(E − Ē)², NaN when undefined', () => {
  assert.equal(eBfmi([0, 1, 0, 1]), 3);
  assert.equal(eBfmi(Float64Array.from([1, 2, 3])), 1); // (1 + 1) / (1 + 0 + 1)
  for (const bad of [[], [5], [2, 2, 2], [1, Number.NaN, 3]]) assert.ok(Number.isNaN(eBfmi(bad)), JSON.stringify(bad));
});

test('energy plot: both histograms, E-BFMI per chain, low values flagged', () => {
  const input = exampleEnergy();
  const svg = energyPlot(input);
  const t = texts(svg);
  for (const s of ['HMC energy: marginal vs transitions', 'density', 'marginal E − Ē', 'transition ΔE', 'E-BFMI (low &lt; 0.3)']) {
    assert.ok(t.includes(s), s);
  }
  const values = input.energy.map(eBfmi);
  values.forEach((b, i) => assert.ok(t.includes(`chain ${i}: ${b.toFixed(2)}${b < 0.3 ? ' low' : ''}`), `chain ${i}`));
  assert.ok(values[3]! < 0.3 && values.slice(0, 3).every((b) => b > 0.3));
  assert.match(svg, /E-BFMI &lt; 0\.3 in chain 3: energy poorly explored/);
  // Two filled areas and two outlines.
  assert.equal(pathPoints(svg).length, 4);
  assertShows(svg, /<svg/);
  assert.equal(svg, energyPlot(exampleEnergy()));
  assert.throws(() => energyPlot({ ...input, bins: -1 }), /bins must be an integer >= 1/);
});

test('energy plot: empty and non-finite input say so', () => {
  assertShows(energyPlot({ title: 'e', energy: [] }), /No chains to plot/);
  assertShows(energyPlot({ title: 'e', energy: [[], []] }), /No energies to plot/);
  assertShows(energyPlot({ title: 'e', energy: [[Number.NaN, Infinity]] }), /No finite energies to plot/);
  const some = energyPlot({ title: 'e', energy: [[1, 2, Number.NaN, 4, 3], [5, 5, 5]] });
  assertShows(some, /1 non-finite energy left out/);
  assert.ok(texts(some).includes('chain 0: n/a') && texts(some).includes('chain 1: n/a'));
  // One finite draw: a marginal at 0, no transitions, no crash.
  assertShows(energyPlot({ title: 'e', energy: [[7]] }), /chain 0: n\/a/);
});
