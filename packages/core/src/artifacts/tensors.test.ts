import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFiles, type FileEntry } from './manifest';
import { encodeSafetensors } from './safetensors';
import { loadTensor } from './tensors';

const RERUN = 'npx nx run target-mlp-small:build --skip-nx-cache';

async function fixture(t: { after: (fn: () => Promise<void>) => void }): Promise<{ dir: string; entry: FileEntry }> {
  const dir = await mkdtemp(join(tmpdir(), 'llc-tensors-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'params.safetensors'),
    encodeSafetensors({
      w: { dtype: 'F32', shape: [2, 2], data: Float32Array.of(0.1, -2, 3.5, 1e-8) },
      v: { dtype: 'F64', shape: [3], data: Float64Array.of(1, 2, Math.PI) },
      idx: { dtype: 'I32', shape: [2], data: Int32Array.of(4, 5) },
    }),
  );
  const [entry] = await describeFiles(dir, ['params.safetensors']);
  return { dir, entry };
}

test('loads a tensor with the expected dtype and shape', async (t) => {
  const { dir, entry } = await fixture(t);
  const v = await loadTensor(dir, entry, 'v', { dtype: 'F64', shape: [3] });
  assert.ok(v instanceof Float64Array);
  assert.deepEqual([...v], [1, 2, Math.PI]);
  const idx = await loadTensor(dir, entry, 'idx', { dtype: 'I32' });
  assert.deepEqual([...idx], [4, 5]);
});

test('F32 where F64 is expected is an error unless conversion is allowed; nothing is logged', async (t) => {
  const { dir, entry } = await fixture(t);
  const logs: string[] = [];
  await assert.rejects(
    loadTensor(dir, entry, 'w', { dtype: 'F64' }, { log: (m) => logs.push(m), label: 'artifacts/targets/mlp-small', rerun: RERUN }),
    (err: Error) => {
      assert.match(err.message, /^Artifact check failed for artifacts\/targets\/mlp-small: params\.safetensors: tensor "w" dtype differs \(expected F64, found F32\)/);
      assert.match(err.message, /set precision=float64 to allow the explicit F32→F64 conversion/);
      assert.ok(err.message.includes(RERUN));
      return true;
    },
  );
  assert.deepEqual(logs, []);
});

test('with allowConvert, F32 is widened to F64 exactly and the conversion is logged', async (t) => {
  const { dir, entry } = await fixture(t);
  const logs: string[] = [];
  const w = await loadTensor(dir, entry, 'w', { dtype: 'F64', shape: [2, 2] }, { allowConvert: true, log: (m) => logs.push(m) });
  assert.ok(w instanceof Float64Array);
  assert.deepEqual([...w], [...Float32Array.of(0.1, -2, 3.5, 1e-8)]);
  assert.deepEqual(logs, ['converted w from F32 to F64 (explicit: precision=float64)']);

  // A tensor already in F64 needs no conversion and logs nothing.
  await loadTensor(dir, entry, 'v', { dtype: 'F64' }, { allowConvert: true, log: (m) => logs.push(m) });
  assert.equal(logs.length, 1);
});

test('allowConvert permits only F32 → F64, never other dtype changes', async (t) => {
  const { dir, entry } = await fixture(t);
  await assert.rejects(
    loadTensor(dir, entry, 'idx', { dtype: 'F64' }, { allowConvert: true }),
    /params\.safetensors: tensor "idx" dtype differs \(expected F64, found I32\)/,
  );
  await assert.rejects(
    loadTensor(dir, entry, 'v', { dtype: 'F32' }, { allowConvert: true }),
    /params\.safetensors: tensor "v" dtype differs \(expected F32, found F64\)/,
  );
});

test('shape mismatch and missing tensor name the tensor', async (t) => {
  const { dir, entry } = await fixture(t);
  await assert.rejects(
    loadTensor(dir, entry, 'v', { dtype: 'F64', shape: [1, 3] }),
    /params\.safetensors: tensor "v" shape differs \(expected \[1, 3\], found \[3\]\)/,
  );
  await assert.rejects(
    loadTensor(dir, entry, 'bias', { dtype: 'F64' }),
    /params\.safetensors: no tensor "bias" \(the file has "idx", "v", "w"\)/,
  );
});

test('an edited byte or a truncated file is caught before decoding, naming the file', async (t) => {
  const { dir, entry } = await fixture(t);
  const file = join(dir, 'params.safetensors');
  const bytes = await readFile(file);
  bytes[bytes.length - 2] ^= 0x40;
  await writeFile(file, bytes);
  await assert.rejects(loadTensor(dir, entry, 'v', { dtype: 'F64' }), /params\.safetensors: sha256 differs/);
  await truncate(file, 20);
  await assert.rejects(loadTensor(dir, entry, 'v', { dtype: 'F64' }), /params\.safetensors: size differs \(expected \d+ bytes, found 20\)/);
  await rm(file);
  await assert.rejects(loadTensor(dir, entry, 'v', { dtype: 'F64' }), /params\.safetensors: missing/);
});

test('a manifest whose tensor list disagrees with the file is rejected', async (t) => {
  const { dir, entry } = await fixture(t);
  const edited: FileEntry = { ...entry, tensors: { ...entry.tensors, v: { dtype: 'F64', shape: [4] } } };
  await assert.rejects(
    loadTensor(dir, edited, 'v', { dtype: 'F64' }),
    /params\.safetensors: tensor "v" shape differs \(expected \[4\], found \[3\]\)/,
  );
});
