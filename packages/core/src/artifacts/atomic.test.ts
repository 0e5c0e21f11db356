import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceDirAtomic, stableJson, writeFileAtomic, writeJsonAtomic } from './atomic';

async function scratch(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llc-atomic-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('writeFileAtomic creates parents, writes exactly, overwrites and leaves no temp files', async (t) => {
  const root = await scratch(t);
  const file = join(root, 'a', 'b', 'out.bin');
  await writeFileAtomic(file, Uint8Array.of(1, 2, 3));
  assert.deepEqual([...(await readFile(file))], [1, 2, 3]);
  await writeFileAtomic(file, 'hello');
  assert.equal(await readFile(file, 'utf8'), 'hello');
  // A view into a larger buffer writes only the viewed bytes.
  await writeFileAtomic(file, new Uint8Array([9, 8, 7, 6]).subarray(1, 3));
  assert.deepEqual([...(await readFile(file))], [8, 7]);
  assert.deepEqual(await readdir(join(root, 'a', 'b')), ['out.bin']);
});

test('writeFileAtomic: a failed write removes its temp file and keeps the old content', async (t) => {
  const root = await scratch(t);
  // The target is a non-empty directory, so the final rename fails after the temp file is written.
  const target = join(root, 'blocked');
  await mkdir(target);
  await writeFile(join(target, 'keep.txt'), 'old');
  await assert.rejects(writeFileAtomic(target, 'new'));
  assert.deepEqual(await readdir(root), ['blocked']);
  assert.equal(await readFile(join(target, 'keep.txt'), 'utf8'), 'old');
});

test('writeJsonAtomic writes 2-space JSON with a trailing newline', async (t) => {
  const root = await scratch(t);
  const file = join(root, 'meta.json');
  await writeJsonAtomic(file, { b: 1, a: [1, 2], c: { d: 'x' }, skipped: undefined });
  assert.equal(
    await readFile(file, 'utf8'),
    '{\n  "b": 1,\n  "a": [\n    1,\n    2\n  ],\n  "c": {\n    "d": "x"\n  }\n}\n',
  );
  assert.deepEqual(await readdir(root), ['meta.json']);
});

test('stableJson refuses values JSON would silently change, naming where', () => {
  assert.throws(() => stableJson({ stats: { rhat: [1, NaN] } }, 'summary.json'), /summary\.json.*\$\.stats\.rhat\[1\] is NaN/);
  assert.throws(() => stableJson({ x: Infinity }), /\$\.x is Infinity/);
  assert.throws(() => stableJson({ w: new Float64Array(2) }), /\$\.w is a typed array/);
  assert.throws(() => stableJson(undefined, 'meta.json'), /meta\.json.*undefined/);
  assert.equal(stableJson(null), 'null\n');
});

test('replaceDirAtomic builds in a temp sibling and swaps it in completely', async (t) => {
  const root = await scratch(t);
  const final = join(root, 'artifacts', 'targets', 'mlp-small');
  let seenTmp = '';
  await replaceDirAtomic(final, async (tmp) => {
    seenTmp = tmp;
    assert.match(tmp, new RegExp(`mlp-small\\.tmp-${process.pid}-[0-9a-f]+$`));
    await writeFile(join(tmp, 'old-only.txt'), 'v1');
    await writeFile(join(tmp, 'meta.json'), 'v1');
  });
  assert.ok(seenTmp.startsWith(`${final}.tmp-`));
  await replaceDirAtomic(final, async (tmp) => {
    await writeFile(join(tmp, 'meta.json'), 'v2');
  });
  // Nothing from the first build survives: the folder was replaced, not merged.
  assert.deepEqual(await readdir(final), ['meta.json']);
  assert.equal(await readFile(join(final, 'meta.json'), 'utf8'), 'v2');
  assert.deepEqual(await readdir(join(root, 'artifacts', 'targets')), ['mlp-small']);
});

test('replaceDirAtomic: a build that throws leaves the old folder intact and no temp folders', async (t) => {
  const root = await scratch(t);
  const final = join(root, 'mlp-small');
  await replaceDirAtomic(final, async (tmp) => writeFile(join(tmp, 'meta.json'), 'good'));
  await assert.rejects(
    replaceDirAtomic(final, async (tmp) => {
      await writeFile(join(tmp, 'meta.json'), 'half');
      throw new Error('killed mid-build');
    }),
    /killed mid-build/,
  );
  assert.deepEqual(await readdir(root), ['mlp-small']);
  assert.equal(await readFile(join(final, 'meta.json'), 'utf8'), 'good');

  // Also when there was no previous folder: nothing appears at the final path.
  const fresh = join(root, 'fresh');
  await assert.rejects(replaceDirAtomic(fresh, async () => { throw new Error('boom'); }), /boom/);
  assert.deepEqual(await readdir(root), ['mlp-small']);
});

test('replaceDirAtomic removes temp folders left by dead processes, not by live ones', async (t) => {
  const root = await scratch(t);
  const final = join(root, 'run');
  const dead = join(root, 'run.tmp-999999999-abcdef'); // beyond any Linux pid_max
  const deadOld = join(root, 'run.old-999999999-0123');
  const live = join(root, `run.tmp-${process.ppid}-abcdef`); // our parent is alive
  for (const d of [dead, deadOld, live]) await mkdir(d);
  await replaceDirAtomic(final, async (tmp) => writeFile(join(tmp, 'x'), 'x'));
  assert.deepEqual((await readdir(root)).sort(), ['run', `run.tmp-${process.ppid}-abcdef`]);
});
