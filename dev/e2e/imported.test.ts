/**
 * The "bring your own model" example end to end, at reduced size: examples/digits/train.py trains
 * a small PyTorch classifier and saves checkpoints; pipeline.digits.ts (the repo's own) estimates
 * the LLC at each, in full and restricted to the output layer; then a new checkpoint adds exactly
 * its own tasks, in the cache and in `nx affected`. Needs Debian's python3-torch and
 * python3-sklearn (CI installs both); elsewhere it skips, saying so.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempWorkspace, REPO_ROOT, type TempWorkspace } from './workspace';

const PYTHON = '/usr/bin/python3';
const ready = spawnSync(PYTHON, ['-c', 'import torch, sklearn'], { encoding: 'utf8' }).status === 0;
const skip = ready ? false : `needs ${PYTHON} with torch and sklearn (Debian's python3-torch and python3-sklearn; CI installs them)`;

// A main pipeline that is never run: the test runs the digits pipeline only.
const MAIN = `import { definePipeline } from 'llc-pipeline';
export default definePipeline({
  targets: { q: { kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10 } },
  samplers: { sgld: { kind: 'sgld', stepSize: 1e-3, chains: 2, steps: 100 } },
});
`;

let ws: TempWorkspace;
const STEPS = [0, 40, 150];
const NEW_STEP = 400;
const ids = (step: number) => [`digits-step-${step}--sgld`, `digits-step-${step}--sgld--restrict-output-layer`];

before(async () => {
  if (!ready) return;
  ws = await createTempWorkspace(MAIN, { 'pipeline.digits.ts': await readFile(join(REPO_ROOT, 'pipeline.digits.ts'), 'utf8') }, { LLC_DIGITS_DIR: 'small', LLC_DIGITS_SIZE: 'small' });
  // Train once, keeping the last checkpoint aside: adding it later is "a new checkpoint of the same run".
  const staged = join(ws.root, 'staged');
  const train = spawnSync(PYTHON, [join(REPO_ROOT, 'examples/digits/train.py'), '--hidden', '6', '--train-rows', '300', '--checkpoints', [...STEPS, NEW_STEP].join(','), '--out', staged], { encoding: 'utf8' });
  assert.equal(train.status, 0, train.stderr);
  await mkdir(join(ws.root, 'small/checkpoints'), { recursive: true });
  await mkdir(join(ws.root, 'small/data'), { recursive: true });
  for (const f of ['train.csv', 'test.csv']) await copyFile(join(staged, 'data', f), join(ws.root, 'small/data', f));
  for (const s of STEPS) await copyFile(join(staged, `checkpoints/step-${s}.safetensors`), join(ws.root, `small/checkpoints/step-${s}.safetensors`));
});

after(async () => {
  if (ws && !process.env.LLC_KEEP_E2E) await ws.dispose();
});

test('llc run --pipeline digits: every checkpoint is a target; λ̂ per checkpoint, full and restricted, with the report plotting them against the step', { skip }, async () => {
  const r = await ws.llc(['run', '--pipeline', 'digits']);
  assert.equal(r.exitCode, 0, r.output);
  const expected = ['report report', ...STEPS.flatMap((s) => [...ids(s).flatMap((id) => [`analysis ${id}`, `sample ${id}`]), `target digits-step-${s}`])].sort();
  assert.deepEqual(await ws.takeRunLog(), expected);
  for (const s of STEPS) {
    const full = JSON.parse(await readFile(join(ws.root, `artifacts/digits/analysis/digits-step-${s}--sgld/summary.json`), 'utf8'));
    assert.equal(full.checkpoint.step, s);
    assert.equal(full.checkpoint.group, 'digits');
    assert.ok(full.checkpoint.trainLoss > 0 && full.checkpoint.trainAccuracy >= 0);
    assert.equal(full.targetInfo.d, 64 * 6 + 6 + 6 * 10 + 10);
    assert.ok(Number.isFinite(full.llc.mean));
    const restricted = JSON.parse(await readFile(join(ws.root, `artifacts/digits/analysis/digits-step-${s}--sgld--restrict-output-layer/summary.json`), 'utf8'));
    assert.deepEqual(restricted.restriction, { label: 'output-layer', params: ['2.*'], d: 6 * 10 + 10, dFull: 64 * 6 + 6 + 6 * 10 + 10 });
  }
  // Training lowers the loss: the checkpoints really are different networks.
  const meta = async (s: number) => JSON.parse(await readFile(join(ws.root, `artifacts/digits/targets/digits-step-${s}/meta.json`), 'utf8'));
  assert.ok((await meta(150)).L0 < (await meta(0)).L0);
  const plots = await readdir(join(ws.root, 'artifacts/digits/report/plots'));
  assert.ok(plots.includes('checkpoints-digits-0.svg') && plots.includes('checkpoints-digits-0-loss.svg'), plots.join(' '));
  const csv = await readFile(join(ws.root, 'artifacts/digits/report/runs.csv'), 'utf8');
  assert.match(csv, /digits-step-150--sgld--restrict-output-layer,sgld,false,digits-step-150,sgld,150,output-layer \(70 of 460\),/);
  await ws.git(['add', '-A']);
  await ws.git(['commit', '-qm', 'digits: three checkpoints']);
});

test('a new checkpoint runs only its own target, runs and analyses, and the report; nx affected lists exactly those', { skip }, async () => {
  await copyFile(join(ws.root, `staged/checkpoints/step-${NEW_STEP}.safetensors`), join(ws.root, `small/checkpoints/step-${NEW_STEP}.safetensors`));
  const r = await ws.llc(['run', '--pipeline', 'digits']);
  assert.equal(r.exitCode, 0, r.output);
  assert.deepEqual(await ws.takeRunLog(), [...ids(NEW_STEP).flatMap((id) => [`analysis ${id}`, `sample ${id}`]), 'report report', `target digits-step-${NEW_STEP}`].sort());
  await ws.git(['add', '-A']);
  await ws.git(['commit', '-qm', `digits: checkpoint ${NEW_STEP}`]);
  const affected = await ws.nxWithEnv(['show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json'], {});
  assert.equal(affected.exitCode, 0, affected.output);
  const json = affected.output.slice(affected.output.indexOf('['), affected.output.lastIndexOf(']') + 1);
  assert.deepEqual((JSON.parse(json) as string[]).sort(), [
    ...ids(NEW_STEP).flatMap((id) => [`digits-analysis-${id}`, `digits-sample-${id}`]),
    'digits-report',
    `digits-target-digits-step-${NEW_STEP}`,
  ].sort());
});
