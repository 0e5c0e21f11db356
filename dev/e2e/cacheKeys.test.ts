/**
 * Acceptance of the cache key on a temporary workspace with real Nx: editing code no stage runs
 * (CLI, plugin, sync generator, SLURM executor, bench, e2e tests) reruns nothing; editing one
 * sampler's kernel reruns exactly that sampler's runs, their analyses and the report; the engine
 * is part of the key.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempWorkspace, type TempWorkspace } from './workspace';

const CONFIG = `import { definePipeline } from 'llc-pipeline';
export default definePipeline({
  seed: 5,
  targets: { q: { kind: 'potential', potential: { type: 'quadratic', h: [1, 2] }, temperature: 50 } },
  samplers: {
    sgld: { kind: 'sgld', stepSize: 1e-3, chains: 2, steps: 400, chainExecution: 'inline' },
    hmc: { kind: 'hmc', chains: 2, steps: 100, burnIn: 50, chainExecution: 'inline' },
  },
});
`;

let ws: TempWorkspace;
const analyze = async () => {
  const r = await ws.nx(['run-many', '-t', 'analyze', 'report', '--parallel=2']);
  assert.equal(r.exitCode, 0, r.output);
  return ws.takeRunLog();
};
const touch = (file: string) => appendFile(join(ws.root, file), '\n// an edit\n');

before(async () => {
  ws = await createTempWorkspace(CONFIG);
  const sync = await ws.nx(['sync']);
  assert.equal(sync.exitCode, 0, sync.output);
  assert.deepEqual(await analyze(), ['analysis q--hmc', 'analysis q--sgld', 'report report', 'sample q--hmc', 'sample q--sgld', 'target q']);
});

after(async () => {
  if (ws && !process.env.LLC_KEEP_E2E) await ws.dispose();
});

test('editing the CLI, the plugin, the sync generator, the SLURM executor, the bench and an e2e test reruns no stage', async () => {
  for (const file of [
    'packages/cli/src/artifacts.ts',
    'packages/nx/src/plugin.ts',
    'packages/nx/src/sync/slices.ts',
    'packages/nx/src/executors/slurm.ts',
    'dev/bench/main.ts',
    'dev/e2e/graph.test.ts',
    'packages/targets/src/testing/modelTestKit.ts',
  ]) {
    await touch(file);
  }
  assert.deepEqual(await analyze(), []);
});

test("editing the HMC kernel reruns the HMC run, its analysis, the analyses compared with it, and the report, and no target build", async () => {
  await touch('packages/samplers/src/kernels/hmc.ts');
  // HMC is q's reference run: q--sgld's bias is measured against its summary, so it is rerun too.
  assert.deepEqual(await analyze(), ['analysis q--hmc', 'analysis q--sgld', 'report report', 'sample q--hmc']);
});

test('another engine is another cache key: a different LLC_NATIVE_ISA cap reruns target builds and runs', async () => {
  const r = await ws.nx(['run-many', '-t', 'sample', '--parallel=2']);
  assert.equal(r.exitCode, 0, r.output);
  assert.deepEqual(await ws.takeRunLog(), []);
  const capped = await ws.nxWithEnv(['run-many', '-t', 'sample', '--parallel=2'], { LLC_NATIVE_ISA: 'sse2' });
  assert.equal(capped.exitCode, 0, capped.output);
  assert.deepEqual(await ws.takeRunLog(), ['sample q--hmc', 'sample q--sgld', 'target q']);
});
