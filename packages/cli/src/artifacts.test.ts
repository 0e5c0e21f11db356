import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFiles } from '@llc/core/artifacts/manifest';
import { expandPipeline } from '@llc/config/normalize';
import {
  MANIFESTS,
  formatBytes,
  formatListing,
  gcArtifacts,
  listArtifacts,
  loadReferences,
  referencesOf,
  runArtifactsCommand,
  type ArtifactEntry,
  type ArtifactKind,
  type References,
} from './artifacts';

const roots: string[] = [];
after(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'llc-artifacts-'));
  roots.push(root);
  return root;
}

/** A pipeline with one target 'a' and one sampler 's': run a--s. Plain object, so it loads outside the repo. */
const PIPELINE = {
  targets: { a: { kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10 } },
  samplers: { s: { kind: 'sgld', stepSize: 1e-3, steps: 200 } },
};
const pipelineText = (p: unknown = PIPELINE) => `export default ${JSON.stringify(p)};\n`;

/** References of pipeline.config.ts and pipeline.cal.ts, both the PIPELINE above. */
function refs(): References {
  return referencesOf([expandPipeline(PIPELINE, 'pipeline.config.ts'), expandPipeline(PIPELINE, 'pipeline.cal.ts')]);
}

/** Writes an artifact folder: `files` plus the kind's manifest describing them (complete: true for samples). */
async function artifact(root: string, rel: string, kind: ArtifactKind, files: Record<string, string> = { 'data.bin': 'x'.repeat(100) }, extra: Record<string, unknown> = {}): Promise<string> {
  const dir = join(root, rel);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const manifest = {
    schema: MANIFESTS[kind].schema,
    ...(kind === 'samples' ? { complete: true, chains: [{ status: { status: 'ok' } }] } : {}),
    ...extra,
    files: await describeFiles(dir, Object.keys(files)),
  };
  await writeFile(join(dir, MANIFESTS[kind].file), JSON.stringify(manifest));
  return dir;
}

const byPath = (entries: ArtifactEntry[]) => Object.fromEntries(entries.map((e) => [e.path, e]));

/** Every state: ok, incomplete, corrupt (size, hash, schema, JSON), missing manifest, orphans, temps, strays. */
async function populate(root: string): Promise<void> {
  await artifact(root, 'artifacts/targets/a', 'targets');
  await artifact(root, 'artifacts/samples/a--s', 'samples', undefined, {
    complete: false,
    chains: [{ status: { status: 'ok' } }, { status: { status: 'interrupted', atStep: 3, atDraw: 0 } }],
  });
  const analysis = await artifact(root, 'artifacts/analysis/a--s', 'analysis', { 'summary.json': '{"x":1}' });
  await writeFile(join(analysis, 'summary.json'), '{"x":2}'); // same size, other bytes
  await mkdir(join(root, 'artifacts/report'), { recursive: true }); // no manifest
  await writeFile(join(root, 'artifacts/report/index.html'), '<html></html>');
  // Orphans: a run no pipeline declares, with an analysis truncated after the fact.
  await artifact(root, 'artifacts/samples/a--old', 'samples');
  const oldAnalysis = await artifact(root, 'artifacts/analysis/a--old', 'analysis');
  await writeFile(join(oldAnalysis, 'data.bin'), 'short');
  // Temp folders: writer 999999 is dead, writer 4242 runs (pidAlive is injected below).
  await mkdir(join(root, 'artifacts/samples/a--s.tmp-999999-0123456789ab'), { recursive: true });
  await writeFile(join(root, 'artifacts/samples/a--s.tmp-999999-0123456789ab/trace.safetensors'), 'y'.repeat(50));
  await mkdir(join(root, 'artifacts/report.old-4242-abcdefabcdef'), { recursive: true });
  // A stray file (never removed) and the namespaced pipeline 'cal': one ok target, one bad schema.
  await writeFile(join(root, 'artifacts/samples/notes.txt'), 'hello');
  await artifact(root, 'artifacts/cal/targets/a', 'targets');
  await artifact(root, 'artifacts/cal/samples/a--s', 'samples', undefined, { schema: 'llc.sample/0' });
  // A namespace whose pipeline file is gone: everything in it is an orphan.
  await artifact(root, 'artifacts/gone/targets/z', 'targets');
  await artifact(root, 'artifacts/gone/report', 'report');
}

const alive = (pid: number) => pid === 4242;

test('ls: status of every folder in every namespace, orphans, temps and strays', async () => {
  const root = await tempRoot();
  await populate(root);
  const { entries, warnings } = await listArtifacts(root, { references: refs(), pidAlive: alive });
  assert.deepEqual(warnings, []);
  const status = Object.fromEntries(entries.map((e) => [e.path, e.status]));
  assert.match(status['artifacts/analysis/a--s'], /^corrupt: summary\.json: sha256 differs \(expected [0-9a-f]{12}…, found [0-9a-f]{12}…\) — the file was edited or corrupted$/);
  delete status['artifacts/analysis/a--s'];
  assert.deepEqual(status, {
    'artifacts/targets/a': 'ok',
    'artifacts/samples/a--old': 'ok, orphan',
    'artifacts/samples/a--s': 'incomplete (1 of 2 chains interrupted)',
    'artifacts/samples/a--s.tmp-999999-0123456789ab': 'temp',
    'artifacts/analysis/a--old': 'corrupt: data.bin: size differs (expected 100 bytes, found 5) — the file was truncated or replaced, orphan',
    'artifacts/report': 'missing manifest',
    'artifacts/report.old-4242-abcdefabcdef': 'temp (writer pid 4242 running)',
    'artifacts/samples/notes.txt': 'unknown (not an artifact folder)',
    'artifacts/cal/targets/a': 'ok',
    'artifacts/cal/samples/a--s': 'corrupt: manifest.json: schema is "llc.sample/0", expected llc.sample/1',
    'artifacts/gone/targets/z': 'ok, orphan',
    'artifacts/gone/report': 'ok, orphan',
  });
  // Order: namespace ('' first), then targets, samples, analysis, report, strays; ids sorted.
  assert.deepEqual(
    entries.map((e) => `${e.pipeline} ${e.kind} ${e.id}`),
    [
      'main targets a',
      'main samples a--old',
      'main samples a--s',
      'main samples a--s.tmp-999999-0123456789ab',
      'main analysis a--old',
      'main analysis a--s',
      'main report report',
      'main report report.old-4242-abcdefabcdef',
      'main unknown notes.txt',
      'cal targets a',
      'cal samples a--s',
      'gone targets z',
      'gone report report',
    ],
  );
  const e = byPath(entries);
  // Sizes: every file inside, manifests included.
  const manifestBytes = (await stat(join(root, 'artifacts/targets/a/meta.json'))).size;
  assert.equal(e['artifacts/targets/a'].bytes, 100 + manifestBytes);
  assert.equal(e['artifacts/samples/a--s.tmp-999999-0123456789ab'].bytes, 50);
  assert.deepEqual(e['artifacts/samples/a--s.tmp-999999-0123456789ab'].temp, { pid: 999999, alive: false });
  assert.equal(e['artifacts/report'].bytes, 13);
  assert.ok(e['artifacts/targets/a'].mtime.getTime() >= Math.floor((await stat(join(root, 'artifacts/targets/a/meta.json'))).mtimeMs));
});

test('ls: referenced folders are not orphans; a pipeline file that fails to load marks nothing of its namespace orphan', async () => {
  const root = await tempRoot();
  await writeFile(join(root, 'pipeline.config.ts'), pipelineText());
  await writeFile(join(root, 'pipeline.cal.ts'), pipelineText({ ...PIPELINE, samplers: { s: { kind: 'sgld' } } }));
  await artifact(root, 'artifacts/samples/a--s', 'samples');
  await artifact(root, 'artifacts/samples/b--s', 'samples');
  await artifact(root, 'artifacts/cal/samples/anything', 'samples');
  const r = await loadReferences(root);
  assert.deepEqual([...r.loaded], ['']);
  assert.equal(r.failures.length, 1);
  assert.equal(r.failures[0].file, 'pipeline.cal.ts');
  assert.equal(r.failures[0].namespace, 'cal');
  assert.match(r.failures[0].error, /Invalid pipeline config pipeline\.cal\.ts/);
  const { entries, warnings } = await listArtifacts(root, { references: r });
  assert.deepEqual(
    entries.map((e) => [e.path, e.status]),
    [
      ['artifacts/samples/a--s', 'ok'],
      ['artifacts/samples/b--s', 'ok, orphan'],
      ['artifacts/cal/samples/anything', 'ok'],
    ],
  );
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^pipeline\.cal\.ts does not load \(.*\); folders under artifacts\/cal\/ are not checked for orphans$/);
});

test('gc removes orphans and dead temps, never a referenced folder (even corrupt, incomplete or without manifest)', async () => {
  const root = await tempRoot();
  await populate(root);
  const before = byPath((await listArtifacts(root, { references: refs(), pidAlive: alive })).entries);
  const expectRemoved = [
    'artifacts/samples/a--old',
    'artifacts/samples/a--s.tmp-999999-0123456789ab',
    'artifacts/analysis/a--old',
    'artifacts/gone/targets/z',
    'artifacts/gone/report',
  ];
  const kept = [
    'artifacts/targets/a',
    'artifacts/samples/a--s', // incomplete
    'artifacts/analysis/a--s', // corrupt
    'artifacts/report', // missing manifest
    'artifacts/report.old-4242-abcdefabcdef', // writer alive
    'artifacts/samples/notes.txt', // not an artifact
    'artifacts/cal/targets/a',
    'artifacts/cal/samples/a--s', // corrupt
  ];
  const freed = expectRemoved.reduce((s, p) => s + before[p].bytes, 0);

  const dry = await gcArtifacts(root, { dryRun: true, references: refs(), pidAlive: alive });
  assert.equal(dry.dryRun, true);
  assert.deepEqual(dry.removed.map((e) => e.path).sort(), [...expectRemoved].sort());
  assert.equal(dry.bytesFreed, freed);
  for (const p of [...expectRemoved, ...kept]) await stat(join(root, p)); // dry run: all still there

  const r = await gcArtifacts(root, { references: refs(), pidAlive: alive });
  assert.deepEqual(r.removed.map((e) => e.path).sort(), [...expectRemoved].sort());
  assert.equal(r.bytesFreed, freed);
  assert.deepEqual(r.keptTemp.map((e) => e.path), ['artifacts/report.old-4242-abcdefabcdef']);
  for (const p of expectRemoved) await assert.rejects(stat(join(root, p)), { code: 'ENOENT' }, p);
  for (const p of kept) await stat(join(root, p));
  // The namespace of a deleted pipeline file goes entirely; the live pipelines' folders stay.
  await assert.rejects(stat(join(root, 'artifacts/gone')), { code: 'ENOENT' });
  await stat(join(root, 'artifacts/samples'));
  // Corrupt and incomplete referenced folders are untouched, byte for byte.
  assert.equal(await readFile(join(root, 'artifacts/analysis/a--s/summary.json'), 'utf8'), '{"x":2}');
  // A second gc has nothing left to do.
  const again = await gcArtifacts(root, { references: refs(), pidAlive: alive });
  assert.deepEqual(again.removed, []);
  assert.equal(again.bytesFreed, 0);
});

test('gc refuses (removing nothing) when a pipeline file does not load or there is none', async () => {
  const root = await tempRoot();
  await artifact(root, 'artifacts/samples/orphan', 'samples');
  await assert.rejects(gcArtifacts(root), /no pipeline\.config\.ts or pipeline\.<name>\.ts here/);
  await writeFile(join(root, 'pipeline.config.ts'), pipelineText());
  await writeFile(join(root, 'pipeline.cal.ts'), 'export default { targets: {} };\n');
  const io = capture();
  assert.equal(await runArtifactsCommand(root, ['gc'], io), 1);
  assert.match(io.errText(), /gc removed nothing: pipeline\.cal\.ts does not load/);
  await stat(join(root, 'artifacts/samples/orphan'));
  // Once the broken file is fixed, the orphan goes.
  await writeFile(join(root, 'pipeline.cal.ts'), pipelineText());
  assert.equal(await runArtifactsCommand(root, ['gc'], io), 0);
  await assert.rejects(stat(join(root, 'artifacts/samples/orphan')), { code: 'ENOENT' });
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t: string) => out.push(t), err: (t: string) => err.push(t), outText: () => out.join('\n'), errText: () => err.join('\n') };
}

test('llc artifacts ls: aligned table with a total line; --json with bytes and ISO times; gc --dry-run prints bytes', async () => {
  const root = await tempRoot();
  await writeFile(join(root, 'pipeline.config.ts'), pipelineText());
  await artifact(root, 'artifacts/targets/a', 'targets', { 'tensors.bin': 'z'.repeat(3000) });
  await artifact(root, 'artifacts/samples/a--s', 'samples');
  await artifact(root, 'artifacts/samples/a--stale', 'samples');

  const io = capture();
  assert.equal(await runArtifactsCommand(root, ['ls'], io), 0);
  const lines = io.outText().split('\n');
  assert.match(lines[0], /^KIND +ID +PIPELINE +SIZE +MODIFIED +STATUS$/);
  assert.equal(lines.length, 5);
  // Columns line up: every row has its MODIFIED time where the header has MODIFIED.
  const col = lines[0].indexOf('MODIFIED');
  for (const l of lines.slice(1, 4)) assert.match(l.slice(col), /^\d{4}-\d\d-\d\d \d\d:\d\d {2}/, l);
  const sizeEnd = lines[0].indexOf('SIZE') + 'SIZE'.length;
  for (const l of lines.slice(1, 4)) assert.equal(l[sizeEnd - 1] !== ' ' && l[sizeEnd] === ' ', true, `size right-aligned: ${l}`);
  assert.match(lines[1], /^targets +a +main +3\.\d\d KiB .* ok$/);
  assert.match(lines[3], /^samples +a--stale +main .* ok, orphan$/);
  assert.match(lines[4], /^total: 3 folders, .* \(\d+ bytes\); 1 orphan, 0 temp, 0 corrupt\/incomplete\/missing manifest; llc artifacts gc would free .+$/);

  const json = capture();
  assert.equal(await runArtifactsCommand(root, ['ls', '--json'], json), 0);
  const parsed = JSON.parse(json.outText()) as { entries: Array<Record<string, unknown>>; totalBytes: number; warnings: string[] };
  assert.equal(parsed.entries.length, 3);
  const target = parsed.entries[0];
  assert.equal(target.kind, 'targets');
  assert.equal(target.pipeline, 'main');
  assert.equal(target.status, 'ok');
  assert.equal(typeof target.bytes, 'number');
  assert.ok((target.bytes as number) > 3000);
  assert.equal(new Date(target.mtime as string).toISOString(), target.mtime);
  assert.equal(parsed.totalBytes, parsed.entries.reduce((s, e) => s + (e.bytes as number), 0));

  const staleBytes = parsed.entries.find((e) => e.id === 'a--stale')!.bytes as number;
  const dry = capture();
  assert.equal(await runArtifactsCommand(root, ['gc', '--dry-run'], dry), 0);
  assert.match(dry.outText(), new RegExp(`^Would remove 1 folder, freeing ${formatBytes(staleBytes).replace('.', '\\.')} \\(${staleBytes} bytes\\) \\(dry run: nothing was removed\\):\\n  artifacts/samples/a--stale `));
  await stat(join(root, 'artifacts/samples/a--stale'));
  const gc = capture();
  assert.equal(await runArtifactsCommand(root, ['gc'], gc), 0);
  assert.match(gc.outText(), new RegExp(`^Removed 1 folder, freed .* \\(${staleBytes} bytes\\):`));
  const none = capture();
  assert.equal(await runArtifactsCommand(root, ['gc'], none), 0);
  assert.match(none.outText(), /^Nothing to remove.* 0 bytes freed\.$/);

  const bad = capture();
  assert.equal(await runArtifactsCommand(root, ['ls', '--jsn'], bad), 2);
  assert.match(bad.errText(), /unknown argument '--jsn'/);
  assert.equal(await runArtifactsCommand(root, ['rm'], bad), 2);
});

test('formatBytes and an empty listing', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(10.5 * 1024 * 1024), '10.5 MiB');
  assert.equal(formatBytes(300 * 1024 ** 3), '300 GiB');
  assert.match(formatListing([]), /^KIND +ID +PIPELINE +SIZE +MODIFIED +STATUS\ntotal: 0 folders, 0 B \(0 bytes\)/);
});

test('the manifest names and schemas match the stages that write them', async () => {
  const { TARGET_META, TARGET_SCHEMA } = await import('@llc/targets/artifact');
  assert.deepEqual(MANIFESTS.targets, { file: TARGET_META, schema: TARGET_SCHEMA });
  const { REPORT_FILES } = await import('@llc/report/files');
  assert.equal(MANIFESTS.report.file, REPORT_FILES.manifest);
  const reportSource = await readFile(new URL('../../stages/src/report/stage.ts', import.meta.url), 'utf8');
  assert.ok(reportSource.includes(`schema: '${MANIFESTS.report.schema}'`), 'report schema');
  const analysisSource = await readFile(new URL('../../analysis/src/artifact.ts', import.meta.url), 'utf8');
  assert.ok(analysisSource.includes(`schema: '${MANIFESTS.analysis.schema}'`), 'analysis schema');
});
