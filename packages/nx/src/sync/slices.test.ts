import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import syncSlices from './slices';

const DEFINE = resolve(import.meta.dirname, '../../../config/src/define');

function configSource(opts: { stepSize?: number; targets?: string[] } = {}): string {
  const { stepSize = 1e-3, targets = ['a', 'b'] } = opts;
  const t = (name: string) =>
    `'${name}': { kind: 'teacher-student', n: 200, inputDim: 2, teacher: { widths: [2, 3, 1] }, student: { widths: [2, 4, 1] } },`;
  return `import { definePipeline, sweep } from ${JSON.stringify(DEFINE)};
export default definePipeline({
  seed: 1,
  targets: {
    ${targets.map(t).join('\n    ')}
  },
  samplers: {
    fast: { kind: 'sgld', stepSize: ${stepSize}, batchSize: 32 },
    slow: { kind: 'sgld', stepSize: sweep([1e-5, 1e-4]), batchSize: 32 },
  },
});
`;
}

/** One `nx sync`: run the generator on a fresh tree over `dir`, then write its changes to disk. */
async function sync(dir: string) {
  const tree = new FsTree(dir, false);
  const result = await syncSlices(tree);
  const changes = tree.listChanges();
  flushChanges(dir, changes);
  return { result, changes: changes.map((c) => `${c.type} ${c.path}`).sort() };
}

const units = (targets: string[]) =>
  targets.flatMap((t) => [`${t}--fast`, `${t}--slow--stepSize-1e-5`, `${t}--slow--stepSize-1e-4`]);
const sliceFiles = (targets: string[]) => [
  ...targets.map((t) => `pipeline/targets/${t}/slice.json`),
  ...units(targets).map((id) => `pipeline/samples/${id}/slice.json`),
  ...units(targets).map((id) => `pipeline/analysis/${id}/slice.json`),
  'pipeline/report/slice.json',
];

test('sync generator: writes every slice, then nothing; an edit rewrites only its unit; removed units are deleted', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llc-slices-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'pipeline.config.ts');
  writeFileSync(config, configSource());

  // 1. First run: every slice file is new.
  const first = await sync(dir);
  const all = ['pipeline/backends.json', ...sliceFiles(['a', 'b'])];
  assert.equal(all.length, 1 + 2 + 6 + 6 + 1);
  assert.deepEqual(first.result, {
    outOfSyncMessage: `Pipeline slice files are out of date with pipeline.config.ts (${all.length} changes). Run 'npx nx sync' and commit pipeline/.`,
    outOfSyncDetails: first.result!.outOfSyncDetails,
  });
  assert.deepEqual([...first.result!.outOfSyncDetails!].sort(), [...all].sort());
  assert.deepEqual(first.changes, all.map((f) => `CREATE ${f}`).sort());
  const sample = JSON.parse(readFileSync(join(dir, 'pipeline/samples/a--fast/slice.json'), 'utf-8'));
  assert.equal(sample.stage, 'sample');
  assert.equal(sample.id, 'a--fast');
  assert.equal(sample.config.stepSize, 1e-3);
  assert.ok(readFileSync(join(dir, 'pipeline/report/slice.json'), 'utf-8').endsWith('}\n'));

  // 2. Second run: in sync, nothing written.
  const second = await sync(dir);
  assert.equal(second.result, undefined);
  assert.deepEqual(second.changes, []);

  // 3. Editing one sampler value rewrites only the slices of that sampler's runs
  //    (the sample, and the analysis whose labels carry its hyperparameters).
  const reportBefore = readFileSync(join(dir, 'pipeline/report/slice.json'), 'utf-8');
  writeFileSync(config, configSource({ stepSize: 2e-3 }));
  const third = await sync(dir);
  const touched = [
    'pipeline/samples/a--fast/slice.json',
    'pipeline/samples/b--fast/slice.json',
    'pipeline/analysis/a--fast/slice.json',
    'pipeline/analysis/b--fast/slice.json',
  ];
  assert.deepEqual(third.result, {
    outOfSyncMessage: `Pipeline slice files are out of date with pipeline.config.ts (4 changes). Run 'npx nx sync' and commit pipeline/.`,
    outOfSyncDetails: touched,
  });
  assert.deepEqual(third.changes, touched.map((f) => `UPDATE ${f}`).sort());
  assert.equal(JSON.parse(readFileSync(join(dir, 'pipeline/samples/b--fast/slice.json'), 'utf-8')).config.stepSize, 2e-3);
  assert.equal(readFileSync(join(dir, 'pipeline/report/slice.json'), 'utf-8'), reportBefore);

  // 4. Removing a target deletes its folders (build, samples, analyses) and reports them.
  writeFileSync(config, configSource({ stepSize: 2e-3, targets: ['a'] }));
  const fourth = await sync(dir);
  const gone = [
    'pipeline/targets/b',
    ...units(['b']).map((id) => `pipeline/samples/${id}`),
    ...units(['b']).map((id) => `pipeline/analysis/${id}`),
  ];
  const [reportChange, ...removed] = fourth.result!.outOfSyncDetails!;
  assert.equal(reportChange, 'pipeline/report/slice.json');
  assert.deepEqual([...removed].sort(), gone.map((root) => `${root} (removed: no longer in any pipeline file)`).sort());
  assert.match(fourth.result!.outOfSyncMessage!, /\(8 changes\)/);
  for (const root of gone) assert.equal(existsSync(join(dir, root)), false, `${root} still exists`);
  for (const file of sliceFiles(['a'])) assert.ok(existsSync(join(dir, file)), `${file} missing`);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'pipeline/report/slice.json'), 'utf-8')).analyses.map((a: { id: string }) => a.id), units(['a']));

  // 5. Moving one sampler to SLURM rewrites backends.json only: no slice, so no cache key, changes.
  writeFileSync(config, configSource({ stepSize: 2e-3, targets: ['a'] }).replace("kind: 'sgld',", "kind: 'sgld', backend: 'slurm', slurm: { time: '10' },"));
  const fifth = await sync(dir);
  assert.deepEqual(fifth.result?.outOfSyncDetails, ['pipeline/backends.json']);
  const backends = JSON.parse(readFileSync(join(dir, 'pipeline/backends.json'), 'utf-8'));
  assert.deepEqual(backends.pipeline, { backend: 'local', slurm: {} });
  assert.deepEqual(Object.keys(backends.projects), ['sample-a--fast']);
  assert.deepEqual(backends.projects['sample-a--fast'], { backend: 'slurm', slurm: { time: '10' } });

  // And it is in sync again.
  assert.equal((await sync(dir)).result, undefined);

  // 6. A second pipeline file gets its own backends.json, removed with its slices when the file goes.
  writeFileSync(join(dir, 'pipeline.extra.ts'), configSource({ targets: ['c'] }));
  await sync(dir);
  assert.ok(existsSync(join(dir, 'pipeline/extra/backends.json')));
  rmSync(join(dir, 'pipeline.extra.ts'));
  const seventh = await sync(dir);
  assert.ok(seventh.result?.outOfSyncDetails?.includes('pipeline/extra/backends.json (removed: no longer in any pipeline file)'), JSON.stringify(seventh.result));
  assert.equal(existsSync(join(dir, 'pipeline/extra/backends.json')), false);
  assert.ok(existsSync(join(dir, 'pipeline/backends.json')));
});

test('sync generator: an invalid pipeline fails with the config error and writes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'llc-slices-bad-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'pipeline.config.ts'), configSource({ stepSize: -1 }));
  const tree = new FsTree(dir, false);
  await assert.rejects(syncSlices(tree), (e: Error) => {
    assert.equal(e.name, 'PipelineConfigError');
    assert.match(e.message, /^Invalid pipeline config pipeline\.config\.ts \(1 problem; nothing was run\):\n {2}- samplers\.fast\.stepSize: /);
    return true;
  });
  assert.deepEqual(tree.listChanges(), []);
});
