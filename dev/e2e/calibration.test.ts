/**
 * The calibration pipeline, end to end at reduced size (LLC_CALIBRATION_SIZE=small):
 * every sampler on every known-answer target, one table of λ̂ against λ.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempWorkspace, REPO_ROOT, type TempWorkspace } from './workspace';

let ws: TempWorkspace | undefined;
after(async () => {
  if (ws && !process.env.LLC_KEEP_E2E) await ws.dispose();
});

const MAIN = `import { definePipeline } from 'llc-pipeline';
export default definePipeline({
  targets: { q: { kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10 } },
  samplers: { sgld: { kind: 'sgld', stepSize: 1e-3, steps: 100 } },
});
`;

interface Row {
  id: string;
  kind: string;
  target: string;
  llc: number | null;
  mcse: number | null;
  lambdaTrue: number | null;
  relativeError: number | null;
}

test('the calibration pipeline runs every sampler on every known-answer target and tabulates λ̂ against λ', async () => {
  const calibration = await readFile(join(REPO_ROOT, 'pipeline.calibration.ts'), 'utf8');
  ws = await createTempWorkspace(MAIN, { 'pipeline.calibration.ts': calibration }, { LLC_CALIBRATION_SIZE: 'small' });
  const t0 = performance.now();
  const r = await ws.llc(['run', '--pipeline', 'calibration']);
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(r.exitCode, 0, r.output.slice(-4000));
  assert.ok(seconds < 300, `calibration took ${seconds.toFixed(0)}s`);
  assert.match(r.output, /artifacts\/calibration\/report\/index\.html/);

  const { runs } = JSON.parse(await readFile(join(ws.root, 'artifacts/calibration/report/runs.json'), 'utf8')) as { runs: Row[] };
  const kinds = new Set(runs.map((row) => row.kind));
  assert.deepEqual([...kinds].sort(), ['hmc', 'mclmc', 'sgld', 'sgnht', 'vi']);
  assert.equal(runs.length, 36);
  for (const row of runs) {
    assert.ok(row.lambdaTrue !== null && row.lambdaTrue > 0, `${row.id}: no known λ`);
    assert.ok(row.llc !== null && Number.isFinite(row.llc), `${row.id}: no λ̂`);
    assert.ok(row.relativeError !== null, `${row.id}: no relative error`);
  }
  // Exact targets, Metropolis-adjusted sampler: even short chains land near the truth.
  const hmc = runs.find((row) => row.id === 'quadratic-gauss--hmc')!;
  assert.ok(Math.abs(hmc.relativeError!) < 0.15, `HMC on the Gaussian-prior quadratic: λ̂ ${hmc.llc} vs ${hmc.lambdaTrue}`);
  const csv = await readFile(join(ws.root, 'artifacts/calibration/report/runs.csv'), 'utf8');
  assert.equal(csv.trim().split('\n').length, 37);
});
