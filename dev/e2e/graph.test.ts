/**
 * End-to-end acceptance of the build graph on a temporary workspace: real Nx,
 * real stage processes, real cache.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { createTempWorkspace, REPO_ROOT, type TempWorkspace } from './workspace';

const config = (stepSizeB: number) => `import { definePipeline } from 'llc-pipeline';
export default definePipeline({
  seed: 3,
  targets: {
    a: { kind: 'teacher-student', n: 400, nTest: 100, inputDim: 2, noiseStd: 0.1,
         teacher: { widths: [2, 4, 1] }, student: { widths: [2, 4, 1] }, train: { maxSteps: 400 } },
    b: { kind: 'teacher-student', n: 400, nTest: 100, inputDim: 2, noiseStd: 0.1, seed: 4,
         teacher: { widths: [2, 4, 1] }, student: { widths: [2, 4, 1] }, train: { maxSteps: 400 } },
  },
  samplers: {
    sgld: { kind: 'sgld', stepSize: 1e-4, batchSize: 64, chains: 2, steps: 12000, evalEvery: 20 },
  },
  runs: [
    { target: 'a', sampler: 'sgld' },
    { target: 'b', sampler: 'sgld', overrides: { stepSize: ${stepSizeB} } },
  ],
});
`;

let ws: TempWorkspace;
const ALL_STAGES = [
  'analysis a--sgld',
  'analysis b--sgld',
  'report report',
  'sample a--sgld',
  'sample b--sgld',
  'target a',
  'target b',
];

async function summaries(): Promise<string[]> {
  return Promise.all(['a--sgld', 'b--sgld'].map((id) => readFile(join(ws.root, 'artifacts/analysis', id, 'summary.json'), 'utf8')));
}

before(async () => {
  ws = await createTempWorkspace(config(1e-4));
  const sync = await ws.nx(['sync']);
  assert.equal(sync.exitCode, 0, sync.output);
  await ws.git(['add', '-A']);
  await ws.git(['commit', '-qm', 'initial pipeline']);
});

after(async () => {
  if (ws && !process.env.LLC_KEEP_E2E) await ws.dispose();
});

test('the whole graph runs, each stage in its own process, samplers in parallel', async () => {
  // With --parallel=2 the two sampler runs execute at the same time: each waits at a barrier
  // until both are alive, so the check depends on what Nx scheduled, not on how fast it ran.
  const barrier = await mkdtemp(join(tmpdir(), 'llc-barrier-'));
  const r = await ws.nxWithEnv(['run', 'report:report', '--parallel=2'], {
    NODE_OPTIONS: `--import ${pathToFileURL(join(REPO_ROOT, 'dev/e2e/barrier.mjs')).href}`,
    LLC_E2E_BARRIER: barrier,
    LLC_E2E_BARRIER_SIZE: '2',
  });
  assert.equal(r.exitCode, 0, r.output);
  assert.deepEqual(await ws.takeRunLog(), ALL_STAGES);
  await stat(join(ws.root, 'artifacts/report/index.html'));
  const csv = await readFile(join(ws.root, 'artifacts/report/runs.csv'), 'utf8');
  assert.equal(csv.trim().split('\n').length, 3, csv);
  const results = await Promise.all(
    (await readdir(barrier)).filter((f) => f.endsWith('.result')).map((f) => readFile(join(barrier, f), 'utf8')),
  );
  await rm(barrier, { recursive: true, force: true });
  assert.deepEqual(results, ['met', 'met'], 'both sampler processes were alive at the same time');
});

test('a second run-many -t analyze takes every task from the cache', async () => {
  const before = await summaries();
  const t0 = performance.now();
  const r = await ws.nx(['run-many', '-t', 'analyze']);
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(r.exitCode, 0, r.output);
  assert.deepEqual(await ws.takeRunLog(), [], 'no stage process should run');
  assert.match(r.output, /Nx read the output from the cache instead of running the command for 6 out of 6 tasks/);
  assert.ok(seconds < 30, `cached run took ${seconds.toFixed(1)}s`);
  assert.deepEqual(await summaries(), before);
});

test("changing one run's step size reruns only that run, its analysis and the report", async () => {
  await ws.writeConfig(config(2e-4));
  // `llc run` (what `npm start` runs) syncs the slice files, then runs the graph.
  const r = await ws.llc(['run']);
  assert.equal(r.exitCode, 0, r.output);
  assert.deepEqual(await ws.takeRunLog(), ['analysis b--sgld', 'report report', 'sample b--sgld']);
  const slice = JSON.parse(await readFile(join(ws.root, 'pipeline/samples/b--sgld/slice.json'), 'utf8'));
  assert.equal(slice.config.stepSize, 2e-4, 'the sync generator rewrote the slice before the run');
  // λ̂ may be negative here: target b trains for 400 steps only, so w* is not a minimum and the chain finds lower loss.
  assert.match(r.output, /b--sgld\s+-?\d+\.\d+\s+\d+\.\d+/, 'llc run prints the results table');
});

test('after the edit is committed, nx affected lists exactly those projects', async () => {
  await ws.git(['add', '-A']);
  await ws.git(['commit', '-qm', 'b: step size 2e-4']);
  const r = await ws.nx(['show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json']);
  assert.equal(r.exitCode, 0, r.output);
  const json = r.output.slice(r.output.indexOf('['), r.output.lastIndexOf(']') + 1);
  assert.deepEqual((JSON.parse(json) as string[]).sort(), ['analysis-b--sgld', 'report', 'sample-b--sgld']);
  const check = await ws.nx(['sync:check']);
  assert.equal(check.exitCode, 0, check.output);
});

test('deleting artifacts/ and rerunning restores everything from the cache', async () => {
  const before = await summaries();
  await rm(join(ws.root, 'artifacts'), { recursive: true, force: true });
  const r = await ws.nx(['run', 'report:report']);
  assert.equal(r.exitCode, 0, r.output);
  assert.deepEqual(await ws.takeRunLog(), []);
  assert.deepEqual(await summaries(), before);
  await stat(join(ws.root, 'artifacts/report/index.html'));
  await stat(join(ws.root, 'artifacts/targets/a/tensors.safetensors'));
});

test('the workspace copy used here is this repository', () => {
  assert.ok(REPO_ROOT.length > 1);
});

test('promote copies the report table and the chosen plots into a folder, and names what it cannot find', async () => {
  const ok = await ws.llc(['promote', '--to', 'docs/results', '--plots', 'trace']);
  assert.equal(ok.exitCode, 0, ok.output);
  for (const f of ['runs.csv', 'runs.json', 'index.html', 'plots/a--sgld/trace.svg', 'plots/b--sgld/trace.png', 'plots/compare-target-a.svg']) {
    await stat(join(ws.root, 'docs/results', f));
  }
  await assert.rejects(stat(join(ws.root, 'docs/results/plots/a--sgld/running-llc.svg')));
  const bad = await ws.llc(['promote', '--to', 'docs/x', '--plots', 'nope']);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.output, /--plots: no plot named 'nope'; plots: .*trace/);
});

const CHROMIUM = '/usr/bin/chromium';
test('the report opens in headless Chromium with no console errors, renders the table and plots, and sorts', async (t) => {
  try {
    await stat(CHROMIUM);
  } catch {
    t.skip(`Chromium not installed at ${CHROMIUM} (CI installs the Debian package 'chromium'); skipping the browser check`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${join(ws.root, 'artifacts/report/index.html')}`);
    const rows = await page.locator('table.sortable tbody tr').count();
    const figures = await page.locator('figure svg').count();
    assert.equal(rows, 2);
    assert.ok(figures >= 3, `only ${figures} plots rendered`);
    const firstIds = async () => page.locator('table.sortable tbody tr').evaluateAll((trs) => trs.map((tr) => tr.id));
    const before = await firstIds();
    await page.locator('table.sortable th', { hasText: 'λ̂' }).first().click();
    const asc = await firstIds();
    await page.locator('table.sortable th', { hasText: 'λ̂' }).first().click();
    const desc = await firstIds();
    assert.deepEqual([...asc].reverse(), desc, 'clicking a header twice reverses the order');
    assert.deepEqual([...before].sort(), [...asc].sort());
    const png = await page.screenshot({ fullPage: true, path: join(ws.root, 'artifacts/report-screenshot.png') });
    assert.ok(png.byteLength > 20_000, 'the screenshot shows content');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
