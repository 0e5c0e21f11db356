import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactError } from './errors';
import { describeFiles, FileEntrySchema, hashFile, verifyFiles, type FileEntry } from './manifest';
import { encodeSafetensors } from './safetensors';

const LABEL = 'artifacts/targets/mlp-small (meta.json)';
const RERUN = 'npx nx run target-mlp-small:build --skip-nx-cache';

async function fixture(t: { after: (fn: () => Promise<void>) => void }): Promise<{ dir: string; entries: FileEntry[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'llc-manifest-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'w.safetensors'),
    encodeSafetensors({
      w: { dtype: 'F64', shape: [2, 3], data: new Float64Array(6).fill(0.5) },
      b: { dtype: 'F32', shape: [3], data: Float32Array.of(1, 2, 3) },
    }),
  );
  await mkdir(join(dir, 'data'));
  await writeFile(join(dir, 'data', 'x.json'), '{"n": 3}\n');
  const entries = await describeFiles(dir, ['w.safetensors', 'data/x.json']);
  return { dir, entries };
}

/** Asserts `fn` rejects with an ArtifactError whose message matches every pattern. */
async function rejectsWith(p: Promise<unknown>, ...patterns: RegExp[]): Promise<ArtifactError> {
  let caught: unknown;
  await p.catch((err) => { caught = err; });
  assert.ok(caught instanceof ArtifactError, `expected an ArtifactError, got ${String(caught)}`);
  assert.ok(caught.message.startsWith(`Artifact check failed for ${LABEL}`), caught.message);
  for (const re of patterns) assert.match(caught.message, re);
  return caught;
}

test('hashFile gives the sha256 hex of the file contents', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llc-hash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'abc'), 'abc');
  // FIPS 180-2 test vector for "abc".
  assert.equal(await hashFile(join(dir, 'abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('describeFiles records path, size, sha256 and safetensors dtypes/shapes, sorted by path', async (t) => {
  const { dir, entries } = await fixture(t);
  assert.deepEqual(entries.map((e) => e.path), ['data/x.json', 'w.safetensors']);
  const [json, st] = entries;
  assert.equal(json.bytes, 9);
  assert.equal(json.sha256, await hashFile(join(dir, 'data', 'x.json')));
  assert.equal(json.tensors, undefined);
  assert.equal(st.bytes, (await readFile(join(dir, 'w.safetensors'))).length);
  assert.deepEqual(st.tensors, { b: { dtype: 'F32', shape: [3] }, w: { dtype: 'F64', shape: [2, 3] } });
  for (const e of entries) FileEntrySchema.parse(e);
  await verifyFiles(dir, entries, LABEL);
});

test('describeFiles rejects paths outside the folder, duplicates and missing files', async (t) => {
  const { dir } = await fixture(t);
  await assert.rejects(describeFiles(dir, ['../etc/passwd']), /stay inside the artifact folder/);
  await assert.rejects(describeFiles(dir, ['/abs']), /not a relative/);
  await assert.rejects(describeFiles(dir, ['w.safetensors', 'w.safetensors']), /listed twice/);
  await assert.rejects(describeFiles(dir, ['nope.bin']), /ENOENT/);
});

test('an edited byte (same size) is reported as a sha256 difference naming the file', async (t) => {
  const { dir, entries } = await fixture(t);
  const file = join(dir, 'w.safetensors');
  const bytes = await readFile(file);
  bytes[bytes.length - 1] ^= 1;
  await writeFile(file, bytes);
  const err = await rejectsWith(
    verifyFiles(dir, entries, LABEL, { rerun: RERUN }),
    /w\.safetensors: sha256 differs \(expected [0-9a-f]{12}…, found [0-9a-f]{12}…\) — the file was edited/,
    new RegExp(`rerun the producing task: ${RERUN}`),
  );
  assert.equal(err.problems.length, 1);
});

test('a truncated file is reported with the file named and both sizes', async (t) => {
  const { dir, entries } = await fixture(t);
  const file = join(dir, 'w.safetensors');
  const size = (await readFile(file)).length;
  await truncate(file, size - 8);
  await rejectsWith(
    verifyFiles(dir, entries, LABEL),
    new RegExp(`w\\.safetensors: size differs \\(expected ${size} bytes, found ${size - 8}\\) — the file was truncated`),
    /rerun the producing task with --skip-nx-cache/,
  );
});

test('every problem is listed in one error', async (t) => {
  const { dir, entries } = await fixture(t);
  await rm(join(dir, 'data', 'x.json'));
  await writeFile(join(dir, 'w.safetensors'), 'garbage');
  const err = await rejectsWith(
    verifyFiles(dir, [...entries, { path: '../outside', sha256: '0'.repeat(64), bytes: 1 }], LABEL, { rerun: RERUN }),
    /\(3 problems\)/,
    /- data\/x\.json: missing \(expected 9 bytes\)/,
    /- w\.safetensors: size differs/,
    /- \.\.\/outside: path must be normalised and stay inside the artifact folder/,
    new RegExp(`To fix: rerun the producing task: ${RERUN}$`),
  );
  assert.equal(err.problems.length, 3);
});

test('manifest dtype/shape that disagree with the file are reported per tensor', async (t) => {
  const { dir, entries } = await fixture(t);
  const edited = entries.map((e) =>
    e.tensors
      ? { ...e, tensors: { w: { dtype: 'F32' as const, shape: [3, 2] }, gone: { dtype: 'U8' as const, shape: [] } } }
      : e,
  );
  const err = await rejectsWith(
    verifyFiles(dir, edited, LABEL),
    /w\.safetensors: tensor "w" dtype differs \(expected F32, found F64\)/,
    /w\.safetensors: tensor "w" shape differs \(expected \[3, 2\], found \[2, 3\]\)/,
    /w\.safetensors: tensor "gone" is missing from the file/,
    /w\.safetensors: tensor "b" is in the file but not in the manifest/,
  );
  assert.equal(err.problems.length, 4);
});
