// Renders the gallery (SVG + PNG) in a fresh context for parallel.test.ts:
// as a worker thread it posts the result to its parent; as a child process
// (node --import tsx parallel-worker.ts OUT.json) it writes JSON to OUT.json.
import { writeFileSync } from 'node:fs';
import { isMainThread, parentPort } from 'node:worker_threads';
import { renderGallery } from './gallery';

const plots = renderGallery();
if (!isMainThread) {
  parentPort!.postMessage(plots);
} else {
  const out = process.argv[2];
  if (!out) throw new Error('usage: parallel-worker.ts OUT.json');
  writeFileSync(out, JSON.stringify(plots.map((p) => ({ name: p.name, svg: p.svg, png: Buffer.from(p.png).toString('base64') }))));
}
