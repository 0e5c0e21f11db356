// Parallel safety: plotting libraries with global state (current figure,
// font caches, RNG) break when plots are made concurrently. Every plot here
// must come out byte-identical — SVG and PNG — whether rendered serially,
// interleaved on one event loop, in worker threads, or in other processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { galleryPlots, renderGallery, type RenderedPlot } from './testing/gallery';
import { svgToPng } from './png';

const WORKER = new URL('./testing/parallel-worker.ts', import.meta.url);
const THREADS = 4;
const PROCESSES = 3;

/**
 * A worker thread running the TypeScript worker. Node 20 does not apply
 * `execArgv: ['--import', 'tsx']` loader hooks to a worker's entry module, so
 * a tiny eval'd bootstrap registers tsx's ESM hooks first, then imports it.
 */
function inWorker(): Promise<RenderedPlot[]> {
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER.href)}); });`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.once('message', (m: RenderedPlot[]) => resolve(m));
    w.once('error', reject);
    w.once('exit', (c) => c !== 0 && reject(new Error(`worker exited with ${c}`)));
  });
}

function inProcess(out: string): Promise<RenderedPlot[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), fileURLToPath(WORKER), out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`child exited with ${code}: ${stderr}`));
      const parsed = JSON.parse(readFileSync(out, 'utf8')) as { name: string; svg: string; png: string }[];
      resolve(parsed.map((p) => ({ name: p.name, svg: p.svg, png: new Uint8Array(Buffer.from(p.png, 'base64')) })));
    });
  });
}

/** Every plot made as an async task, yielding to the others between steps. */
async function interleaved(): Promise<RenderedPlot[]> {
  return Promise.all(
    galleryPlots().map(async ({ name, render }) => {
      await tick();
      const svg = render();
      await tick();
      const png = svgToPng(svg);
      await tick();
      return { name, svg, png };
    }),
  );
}

function assertSame(context: string, got: readonly RenderedPlot[], want: readonly RenderedPlot[]): void {
  assert.deepEqual(got.map((p) => p.name), want.map((p) => p.name), context);
  got.forEach((p, i) => {
    assert.ok(p.svg === want[i]!.svg, `${context}: SVG of ${p.name} differs`);
    assert.ok(Buffer.from(p.png).equals(Buffer.from(want[i]!.png)), `${context}: PNG of ${p.name} differs`);
  });
}

test('plots are byte-identical serially, interleaved, in worker threads and in child processes', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plots-parallel-'));
  try {
    // Start the threads and processes first so they run while this thread renders.
    const threads = Promise.all(Array.from({ length: THREADS }, () => inWorker()));
    const processes = Promise.all(Array.from({ length: PROCESSES }, (_, i) => inProcess(join(dir, `out-${i}.json`))));
    const serial = renderGallery();
    assert.ok(serial.length >= 12, `${serial.length} plots`);
    assert.equal(new Set(serial.map((p) => p.name)).size, serial.length);
    for (const p of serial) assert.ok(p.png.length > 1000 && p.svg.length > 1000, p.name);
    assertSame('interleaved', await interleaved(), serial);
    (await threads).forEach((r, i) => assertSame(`worker ${i}`, r, serial));
    (await processes).forEach((r, i) => assertSame(`process ${i}`, r, serial));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
