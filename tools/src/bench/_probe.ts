import { createTempWorkspace } from '/work/main/tools/src/e2e/workspace';
const N = 4;
const vals = Array.from({ length: N }, (_, i) => +(1e-3 * (1 + i / N)).toPrecision(6));
const cfg = `import { definePipeline, sweep } from './tools/src/config/define';
export default definePipeline({
  seed: 1,
  targets: { q: { kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10 } },
  samplers: { s: { kind: 'sgld', stepSize: sweep(${JSON.stringify(vals)}), steps: 100, evalEvery: 10, chains: 1 } },
  runs: [{ target: 'q', sampler: 's' }],
});
`;
const ws = await createTempWorkspace(cfg);
let t = performance.now();
let r = await ws.nx(['sync']); console.log('sync', r.exitCode, (performance.now()-t)/1000, r.output.slice(-300));
t = performance.now();
r = await ws.nx(['show', 'projects']); console.log('show', r.exitCode, (performance.now()-t)/1000, r.output);
t = performance.now();
r = await ws.nx(['run-many', '-t', 'analyze', '--parallel=2']); console.log('run', r.exitCode, (performance.now()-t)/1000, r.output.slice(-1500));
console.log(await ws.takeRunLog());
t = performance.now();
r = await ws.nx(['run-many', '-t', 'analyze', '--parallel=2']); console.log('cached', r.exitCode, (performance.now()-t)/1000, r.output.slice(-400));
console.log(ws.root);
