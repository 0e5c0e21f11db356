/**
 * What the default MALA diagnostic costs SGLD: steps per second of one chain on the demo's
 * mlp-small target (build it first: `npm start`), without the diagnostic, with it on one step in
 * 10 (the default) and on every step. Median of several repetitions, interleaved so that machine
 * noise falls on all three alike.
 *   node --import tsx dev/bench/mala.ts [reps]
 */
import { loadTarget, targetLossModel } from '@llc/targets/artifact';
import { localPosterior } from '@llc/samplers/posterior';
import { create } from '@llc/samplers/kernels/sgld';
import { runChains } from '@llc/samplers/run';
import { REPO_ROOT } from '../e2e/workspace';

const reps = Number(process.argv[2] ?? 7);
const target = await loadTarget(REPO_ROOT, { dir: 'artifacts/targets/mlp-small', project: 'target-mlp-small' });
const model = targetLossModel(target, { engine: 'auto' });
const L0 = model.loss(target.wStar);
const posterior = localPosterior({ n: target.meta.n, beta0: 1, gamma: 1, wStar: target.wStar, L0 });
const steps = 20_000;
const settings = { none: { malaDiagnostic: false }, every10: { malaDiagnostic: true, malaEvery: 10 }, every1: { malaDiagnostic: true, malaEvery: 1 } };
const times: Record<string, number[]> = { none: [], every10: [], every1: [] };
for (let r = 0; r < reps; r++) {
  for (const [name, mala] of Object.entries(settings)) {
    const t0 = performance.now();
    runChains(model, posterior, create(model, posterior, { stepSize: 3e-4, batchSize: 256, ...mala }), { chains: 1, steps, burnIn: 0, evalEvery: 20, seed: r, initNoise: 0.01 });
    times[name].push((performance.now() - t0) / 1000);
  }
}
const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];
const rate = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, steps / median(v)]));
for (const [k, v] of Object.entries(rate)) console.log(`${k.padEnd(8)} ${v.toFixed(0)} steps/s (median of ${reps}; ${((100 * (rate.none - v)) / rate.none).toFixed(1)}% slower than none)`);
