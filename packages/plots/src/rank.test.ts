import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleRank } from './testing/examples';
import { rankHistograms, rankPlot } from './rank';
import { assertShows, pathPoints, texts } from './testing/test-helpers';

test('rank histograms: pooled ranks split by chain, ties averaged', () => {
  const low = [1, 2, 3, 4], high = [5, 6, 7, 8];
  const r = rankHistograms([low, high], 2);
  assert.deepEqual(r.heights, [[4, 0], [0, 4]]);
  assert.equal(r.expected, 2);
  assert.equal(r.ranked, 8);
  // Interleaved chains are flat.
  assert.deepEqual(rankHistograms([[1, 3, 5, 7], [2, 4, 6, 8]], 2).heights, [[2, 2], [2, 2]]);
  // All tied: every rank is 4.5, the middle of 1…8 — one bin each way round, counted once.
  const tied = rankHistograms([[0, 0, 0, 0], [0, 0, 0, 0]], 3).heights;
  assert.deepEqual(tied, [[0, 4, 0], [0, 4, 0]]);
  // Non-finite draws are not ranked; ragged chains become % of the chain.
  const ragged = rankHistograms([[1, Number.NaN, 2], [3, 4, 5, 6]], 2);
  assert.equal(ragged.counts, false);
  assert.equal(ragged.expected, 50);
  assert.deepEqual(ragged.heights, [[100, 0], [25, 75]]); // ranks 1–3 | 4–6
});

test('rank plot is labelled, has a step line per chain and a dashed uniform line', () => {
  const svg = rankPlot(exampleRank());
  const t = texts(svg);
  for (const s of ['Rank plot of λ̂ (chain 3 offset)', 'rank among all chains', 'draws per bin', 'chain 0', 'chain 3', 'uniform']) {
    assert.ok(t.includes(s), s);
  }
  assert.ok(t.some((s) => /^11 bins of 363\.6 ranks each$/.test(s)), t.join('|'));
  const lines = pathPoints(svg);
  assert.equal(lines.length, 4);
  for (const l of lines) assert.equal(l.length, 22); // 11 bins × 2 corners
  assert.match(svg, /stroke-dasharray="6,4"/);
  assertShows(svg, /<svg/);
  assert.equal(svg, rankPlot(exampleRank()));
  assert.match(rankPlot({ ...exampleRank(), bins: 7 }), />7 bins of/);
  assert.match(rankPlot({ title: 'r', chains: [[1, 2, 3], [4, 5]] }), />% of chain per bin</);
  assert.throws(() => rankPlot({ ...exampleRank(), bins: 0 }), /bins must be an integer >= 1/);
  assert.throws(() => rankPlot({ ...exampleRank(), bins: 2.5 }), /bins must be an integer >= 1/);
});

test('rank plot: empty and non-finite input say so', () => {
  const nan = Number.NaN;
  assertShows(rankPlot({ title: 'r', chains: [] }), /No chains to plot/);
  assertShows(rankPlot({ title: 'r', chains: [[], []] }), /No draws to plot/);
  assertShows(rankPlot({ title: 'r', chains: [[nan, Infinity]] }), /No finite draws to plot/);
  const some = rankPlot({ title: 'r', chains: [[1, nan, 3, 4], [nan, nan], [2, 5, 6, 7]] });
  assertShows(some, /3 non-finite draws left out · no finite draws in chain 1/);
  assert.ok(!texts(some).includes('chain 1'));
});
