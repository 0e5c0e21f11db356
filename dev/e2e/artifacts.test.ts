/** `llc artifacts` on a real pipeline run by Nx: listing, orphans after a config change, gc. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gcArtifacts, listArtifacts, runArtifactsCommand } from 'llc-pipeline/artifacts';
import { estimateRun } from '@llc/config/limits';
import { createTempWorkspace } from './workspace';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t: string) => out.push(t), err: (t: string) => err.push(t), outText: () => out.join('\n'), errText: () => err.join('\n') };
}

test('end to end: a real pipeline lists ok; after a config change gc removes exactly the stale run', { timeout: 300_000 }, async () => {
  const text = (stepSize: string) => `import { definePipeline } from 'llc-pipeline';
export default definePipeline({
  targets: { a: { kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10 } },
  samplers: { s: { kind: 'sgld', stepSize: ${stepSize}, steps: 200 } },
});
`;
  const ws = await createTempWorkspace(text('1e-3'));
  try {
    const run = async () => {
      const sync = await ws.nx(['sync']);
      assert.equal(sync.exitCode, 0, sync.output);
      const r = await ws.nx(['run', 'report:report']);
      assert.equal(r.exitCode, 0, r.output);
    };
    await run();
    const first = await listArtifacts(ws.root);
    assert.deepEqual(
      first.entries.map((e) => `${e.path} ${e.status}`),
      ['artifacts/targets/a ok', 'artifacts/samples/a--s ok', 'artifacts/analysis/a--s ok', 'artifacts/report ok'],
    );
    // The estimate's work is what the run recorded: 4 chains × 200 steps × 1 FGE.
    const manifest = JSON.parse(await readFile(join(ws.root, 'artifacts/samples/a--s/manifest.json'), 'utf8'));
    const recorded = manifest.chains.reduce((s: number, c: { totalFge: number }) => s + c.totalFge, 0);
    assert.equal(estimateRun(manifest.slice, { kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10, prior: 'flat' }).fge, recorded);

    // A new sampler name: the old run and its analysis become orphans. Corrupt the (still referenced) target.
    await ws.writeConfig(text('1e-3').replace("samplers: { s:", "samplers: { t:"));
    await run();
    await appendFile(join(ws.root, 'artifacts/targets/a/tensors.safetensors'), 'junk');
    const io = capture();
    assert.equal(await runArtifactsCommand(ws.root, ['ls'], io), 0);
    assert.match(io.outText(), /samples +a--s +main .* ok, orphan\n/);
    assert.match(io.outText(), /targets +a +main .* corrupt: tensors\.safetensors: size differs/);
    const gc = await gcArtifacts(ws.root);
    assert.deepEqual(gc.removed.map((e) => e.path), ['artifacts/samples/a--s', 'artifacts/analysis/a--s']);
    const after = await listArtifacts(ws.root);
    assert.deepEqual(
      after.entries.map((e) => `${e.path} ${e.state}${e.orphan ? ' orphan' : ''}`),
      ['artifacts/targets/a corrupt', 'artifacts/samples/a--t ok', 'artifacts/analysis/a--t ok', 'artifacts/report ok'],
    );
  } finally {
    if (!process.env.LLC_KEEP_E2E) await ws.dispose();
  }
});
