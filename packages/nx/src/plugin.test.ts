import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AggregateCreateNodesError, type CreateNodesContext } from '@nx/devkit';
import { createNodes, normalizeOptions } from './plugin';

const REPO = resolve(import.meta.dirname, '../../..');
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const GOOD = `export default ${JSON.stringify({
  targets: { q: { kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10 } },
  samplers: { s: { kind: 'sgld', stepSize: 1e-3, steps: 100 } },
})};\n`;
const BROKEN = `export default ${JSON.stringify({ targets: { q: { kind: 'linear' } }, samplers: { s: { kind: 'sgld', stepSize: 1e-3 } } })};\n`;

/** A temp workspace holding pipeline files; packages/ links to this repo's, whose sources the cache inputs name. */
async function workspace(files: Record<string, string>): Promise<CreateNodesContext> {
  const root = await mkdtemp(join(tmpdir(), 'llc-plugin-'));
  dirs.push(root);
  await symlink(join(REPO, 'packages'), join(root, 'packages'), 'dir');
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  return { workspaceRoot: root, nxJsonConfiguration: {} };
}

const run = (files: string[], options: unknown, context: CreateNodesContext) => createNodes[1](files, options as never, context);

test('createNodes infers one project per unit of each pipeline file', async () => {
  const context = await workspace({ 'pipeline.config.ts': GOOD });
  const results = await run(['pipeline.config.ts'], undefined, context);
  assert.equal(results.length, 1);
  const [file, { projects }] = results[0];
  assert.equal(file, 'pipeline.config.ts');
  assert.deepEqual(Object.values(projects ?? {}).map((p) => p.name), ['target-q', 'sample-q--s', 'analysis-q--s', 'report']);
  const sample = projects!['pipeline/samples/q--s'].targets!.sample;
  assert.ok((sample.inputs as string[]).includes('{workspaceRoot}/packages/samplers/src/kernels/sgld.ts'));
  assert.ok(!(sample.inputs as string[]).includes('{workspaceRoot}/packages/samplers/src/kernels/hmc.ts'));
});

test('one broken pipeline file is reported with its own error and does not hide the others', async () => {
  const context = await workspace({ 'pipeline.config.ts': GOOD, 'pipeline.broken.ts': BROKEN });
  const error = await Promise.resolve(run(['pipeline.broken.ts', 'pipeline.config.ts'], {}, context)).then(
    () => assert.fail('expected an aggregate error'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof AggregateCreateNodesError);
  assert.deepEqual(error.partialResults.map(([f]) => f), ['pipeline.config.ts']);
  assert.equal(error.errors.length, 1);
  const [file, cause] = error.errors[0];
  assert.equal(file, 'pipeline.broken.ts');
  assert.match(cause.message, /targets\.q\.kind: got "linear"/);
});

test('target names are options, as in Nx’s own plugins; dependencies follow the names', async () => {
  const context = await workspace({ 'pipeline.config.ts': GOOD });
  const [[, { projects }]] = await run(['pipeline.config.ts'], { sampleTargetName: 'mcmc', analyzeTargetName: 'llc' }, context);
  assert.deepEqual(Object.keys(projects!['pipeline/samples/q--s'].targets!), ['mcmc']);
  assert.deepEqual(projects!['pipeline/analysis/q--s'].targets!.llc.dependsOn, [{ projects: ['sample-q--s'], target: 'mcmc' }]);
  assert.deepEqual(projects!['pipeline/report'].targets!.report.dependsOn, [{ projects: ['analysis-q--s'], target: 'llc' }]);
});

test('options are normalised: defaults filled, unknown or clashing names rejected', () => {
  assert.deepEqual(normalizeOptions(undefined), { build: 'build', sample: 'sample', analyze: 'analyze', report: 'report' });
  assert.throws(() => normalizeOptions({ sampleTarget: 'x' }), /unknown 'sampleTarget'; allowed: buildTargetName/);
  assert.throws(() => normalizeOptions({ sampleTargetName: 'build' }), /must differ/);
  assert.throws(() => normalizeOptions({ buildTargetName: 'a b' }), /must be a target name/);
});
