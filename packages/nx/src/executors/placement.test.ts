import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePlacement } from './placement';

const root = mkdtempSync(join(tmpdir(), 'llc-placement-'));
writeFileSync(
  join(root, 'backends.json'),
  JSON.stringify({ pipeline: { backend: 'slurm', slurm: { time: '10' } }, projects: { 'target-a': { backend: 'local', slurm: { time: '10' } } } }),
);

test('a project listed in backends.json gets its own placement, any other the pipeline\'s', () => {
  assert.deepEqual(resolvePlacement(root, 'backends.json', 'target-a', {}), { backend: 'local', slurm: { time: '10' } });
  assert.deepEqual(resolvePlacement(root, 'backends.json', 'sample-x', {}), { backend: 'slurm', slurm: { time: '10' } });
});

test('no backends.json (or no option): local', () => {
  assert.deepEqual(resolvePlacement(root, 'missing.json', 'x', {}), { backend: 'local', slurm: {} });
  assert.deepEqual(resolvePlacement(root, undefined, 'x', {}), { backend: 'local', slurm: {} });
});

test('LLC_BACKEND overrides every task; a bad value names the fix', () => {
  assert.equal(resolvePlacement(root, 'backends.json', 'sample-x', { LLC_BACKEND: 'local' }).backend, 'local');
  assert.equal(resolvePlacement(root, 'backends.json', 'target-a', { LLC_BACKEND: 'slurm' }).backend, 'slurm');
  assert.throws(() => resolvePlacement(root, 'backends.json', 'x', { LLC_BACKEND: 'pbs' }), /LLC_BACKEND="pbs" is not a backend; use 'local' or 'slurm'/);
});

test('a corrupt backends.json says how to regenerate it', () => {
  writeFileSync(join(root, 'bad.json'), '{');
  assert.throws(() => resolvePlacement(root, 'bad.json', 'x', {}), /bad\.json is not valid JSON .*npx nx sync/);
});
