/**
 * A stage's cache key covers the code it runs only if stageSources finds every file its process
 * loads, and it is precise only if it finds nothing else: checked against the import graph and
 * against the files a real process loads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { stageSources, STAGE_MODULES, type SamplerKind, type StageName } from './stageSources';

const ROOT = resolve(import.meta.dirname, '../../..');
const KINDS: SamplerKind[] = ['sgld', 'sgnht', 'hmc', 'mclmc', 'vi'];
const STAGES: StageName[] = ['target', 'sample', 'analysis', 'report'];
const all = (stage: StageName) => (stage === 'sample' ? KINDS.map((k) => stageSources(ROOT, stage, k)) : [stageSources(ROOT, stage)]);

test('no stage hashes tests, test helpers, the plugin, the CLI, the cache server or dev/', () => {
  for (const stage of STAGES) {
    for (const { files } of all(stage)) {
      const outside = files.filter(
        (f) => /\.test\.ts$/.test(f) || f.includes('/testing/') || /^packages\/(nx|cli|cache-server)\//.test(f) || f.startsWith('dev/') || f.startsWith('packages/config/src/load'),
      );
      assert.deepEqual(outside, [], `${stage} reaches files that cannot change its result`);
    }
  }
});

test('a target build does not hash the samplers; an analysis and the report hash no kernel', () => {
  assert.deepEqual(stageSources(ROOT, 'target').files.filter((f) => f.startsWith('packages/samplers/')), []);
  for (const stage of ['analysis', 'report'] as const) {
    assert.deepEqual(stageSources(ROOT, stage).files.filter((f) => f.includes('/kernels/') || f.includes('samplers/src/vi/')), [], stage);
  }
  assert.equal(stageSources(ROOT, 'report').kernels, false);
  assert.equal(stageSources(ROOT, 'target').kernels, true);
});

test("a sampler run hashes its own kernel and no other sampler's", () => {
  for (const kind of KINDS) {
    const kernels = stageSources(ROOT, 'sample', kind).files.filter((f) => f.startsWith('packages/samplers/src/kernels/') || f.startsWith('packages/samplers/src/vi/'));
    const expected = kind === 'vi' ? kernels.filter((f) => f.includes('/vi/')) : [`packages/samplers/src/kernels/${kind}.ts`];
    assert.deepEqual(kernels.filter((f) => !f.includes('/vi/') || kind === 'vi'), expected, kind);
    if (kind === 'vi') assert.ok(expected.length > 0 && kernels.every((f) => f.includes('/vi/')), 'vi hashes only vi/');
  }
});

test('every file a real stage process loads is hashed by that stage', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'llc-loads-'));
  try {
    const hooks = pathToFileURL(join(import.meta.dirname, 'testing/recordLoads.mjs')).href;
    for (const stage of STAGES) {
      const out = join(dir, `${stage}.txt`);
      // Loading a stage module runs nothing (main.ts, which would run a stage, is hashed by construction).
      const script = `await import(${JSON.stringify(pathToFileURL(join(ROOT, STAGE_MODULES[stage])).href)});`;
      await execa(process.execPath, ['--import', 'tsx', '--import', hooks, '--input-type=module', '-e', script], {
        cwd: ROOT,
        env: { LLC_RECORD_LOADS: out },
      });
      const loaded = new Set(
        (await readFile(out, 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((u) => relative(ROOT, fileURLToPath(u.split('?')[0])))
          .filter((f) => f.startsWith('packages/') && !f.includes('node_modules') && !f.endsWith('recordLoads.mjs')),
      );
      const hashed = new Set(all(stage).flatMap((s) => s.files));
      const missing = [...loaded].filter((f) => !hashed.has(f)).sort();
      assert.deepEqual(missing, [], `${stage} loads files its cache key does not hash`);
      assert.ok(loaded.has(STAGE_MODULES[stage]), `${stage}: the recording saw the stage module load`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
