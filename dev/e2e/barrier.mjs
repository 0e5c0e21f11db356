// Preloaded (NODE_OPTIONS=--import) into every process of one Nx run: a sampler stage that
// starts announces itself in LLC_E2E_BARRIER and waits until LLC_E2E_BARRIER_SIZE of them are
// alive. If Nx ran the sampler tasks one after another, the first would wait in vain and the
// test sees "alone" in its file; the bound only keeps a broken scheduler from hanging CI.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.LLC_E2E_BARRIER;
const size = Number(process.env.LLC_E2E_BARRIER_SIZE ?? 2);
const isSampleStage = process.argv.some((a) => a.endsWith('stages/src/main.ts')) && process.argv.includes('sample');
if (dir && isSampleStage) {
  const me = join(dir, `${process.pid}.arrived`);
  writeFileSync(me, '');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 300_000;
  const arrivals = () => readdirSync(dir).filter((f) => f.endsWith('.arrived')).length;
  let arrived = arrivals();
  while (arrived < size && Date.now() < deadline) {
    Atomics.wait(pause, 0, 0, 100);
    arrived = arrivals();
  }
  writeFileSync(`${me}.result`, arrived >= size ? 'met' : 'alone');
}
