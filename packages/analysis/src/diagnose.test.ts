import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseTable, formatDiagnosticsTable, parseDrawsCsv } from './diagnose';
import { essBulk, rhatRank } from '@llc/diagnostics/index';

// Vector A of the science notes, 2 chains × 20 draws, written the way R or ArviZ users export draws.
const A1 = [0.1, -0.3, 1.2, 0.8, -1.5, 0.4, 2.1, -0.7, 0.0, 0.9, -0.2, 0.6, 1.3, -1.1, 0.7, 0.25, -0.45, 1.05, 0.35, -0.6];
const A2 = [1.1, 0.5, 1.9, 1.4, 0.2, 1.7, 2.6, 0.3, 1.0, 1.6, 0.8, 1.2, 2.2, 0.15, 1.45, 0.95, 0.55, 1.85, 1.25, 0.65];

function csvOfVectorA(): string {
  const rows = ['chain,draw,theta,constant'];
  // Chain 2 first and draws shuffled: order in the file must not matter.
  for (const [label, xs] of [['2', A2], ['1', A1]] as const) {
    const idx = xs.map((_, i) => i).reverse();
    for (const i of idx) rows.push(`${label},${i + 1},${xs[i]},3`);
  }
  return rows.join('\n') + '\n';
}

test('diagnose reproduces the reference R-hat and bulk-ESS of vector A from a CSV', () => {
  const table = parseDrawsCsv(csvOfVectorA());
  assert.deepEqual(table.variables, ['theta', 'constant']);
  const out = diagnoseTable(table);
  assert.ok(Math.abs(out.theta.rhat! / 1.1549246232 - 1) < 1e-8);
  assert.ok(Math.abs(out.theta.essBulk! / 13.1113162089 - 1) < 1e-8);
  assert.equal(out.theta.rhat, rhatRank([A2, A1]));
  assert.equal(out.theta.essBulk, essBulk([A2, A1]));
  assert.equal(out.constant.rhat, null);
  assert.equal(out.constant.na.rhat, 'constant trace');
});

test('the table format is readable and explains NA values', () => {
  const text = formatDiagnosticsTable(diagnoseTable(parseDrawsCsv(csvOfVectorA())));
  const lines = text.split('\n');
  assert.equal(lines[0], '2 chains × 20 draws');
  assert.match(lines[1], /^variable\s+mean\s+sd\s+q5\s+q50\s+q95\s+rhat\s+ess_bulk/);
  assert.match(lines[2], /^theta\s+0\.7063\s.*\s1\.155\s+13\s/);
  assert.ok(lines.includes('constant: NA because constant trace'));
  assert.match(text, /theta: R̂ \d\.\d{3} ≥ 1\.01, bulk ESS \d+ ≤ 400/);
});

test('bad CSVs give errors naming the line and the fix', () => {
  assert.throws(() => parseDrawsCsv('a,b,c\n1,2,3\n', 'x.csv'), /x\.csv: the header must be "chain,draw,<variable>/);
  assert.throws(() => parseDrawsCsv('chain,draw,v\n1,1,2\n1,2\n', 'x.csv'), /x\.csv line 3: has 2 columns, the header has 3/);
  assert.throws(() => parseDrawsCsv('chain,draw,v\n1,1,abc\n', 'x.csv'), /x\.csv line 2 \(v\): "abc" is not a number/);
  assert.throws(() => parseDrawsCsv('chain,draw,v\n1,1,1\n1,2,2\n2,1,1\n', 'x.csv'), /chains have different numbers of draws \(chain 1: 2, chain 2: 1\)/);
});
