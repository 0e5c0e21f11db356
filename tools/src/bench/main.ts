/**
 * Benchmark of this machine: gradient engine, an optional PyTorch comparison, and
 * orchestration overhead. Prints figures and writes docs/BENCHMARKS.md.
 *
 *   npm run bench                 # full (~7–9 min on a shared 2-core machine)
 *   npm run bench -- --quick      # short smoke run (~3–4 min)
 * Options: --graph-n=50,100,200,400  --run-n=20  --reps=5  --orch-reps=3  --seconds=1
 *          --no-orchestration  --out=docs/BENCHMARKS.md
 */
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { cpus, platform, release, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { initEngine } from '../../../targets/src/engine/backend';
import { benchWorkload, WORKLOADS, type EngineResult } from './engine';
import { benchTorch, torchAvailable, type TorchResult } from './torch';
import { benchOrchestration, benchStartup, type OrchestrationResult, type StartupResult } from './orchestration';
import { fmt, fmtStat, mdTable } from './stats';
import { REPO_ROOT } from '../e2e/workspace';

function parseArgs(argv: string[]) {
  const quick = argv.includes('--quick');
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const known = ['--quick', '--no-orchestration', '--graph-n=', '--run-n=', '--reps=', '--orch-reps=', '--seconds=', '--out='];
  for (const a of argv) if (!known.some((k) => (k.endsWith('=') ? a.startsWith(k) : a === k))) throw new Error(`Unknown argument ${a}; options: ${known.join(' ')}`);
  const reps = Number(get('reps') ?? 5);
  const orchReps = Number(get('orch-reps') ?? 3);
  if (reps < 5) throw new Error('--reps must be ≥ 5');
  if (orchReps < 3) throw new Error('--orch-reps must be ≥ 3');
  return {
    quick,
    orchestration: !argv.includes('--no-orchestration'),
    graphNs: (get('graph-n') ?? (quick ? '10,20' : '50,100,200,400')).split(',').map(Number),
    runN: Number(get('run-n') ?? (quick ? 6 : 20)),
    reps,
    orchReps,
    seconds: Number(get('seconds') ?? (quick ? 0.25 : 1)),
    out: resolve(REPO_ROOT, get('out') ?? 'docs/BENCHMARKS.md'),
  };
}

const args = parseArgs(process.argv.slice(2));
const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const log = (line: string) => console.log(line);

// One tfjs thread: set before the wasm backend initialises (it reads the count at init).
wasm.setThreadsCount(1);
const engine = await initEngine('auto');
const threads = engine.backend === 'wasm' ? wasm.getThreadsCount() : null;
const multithread = engine.backend === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) : null;
const cpu = cpus();
const machine = {
  cpu: cpu[0]?.model.trim() ?? 'unknown',
  cores: cpu.length,
  node: process.version,
  os: `${platform()} ${release()}`,
  memGiB: totalmem() / 2 ** 30,
  backend: `${engine.backend} (${engine.reason})`,
  threads: engine.backend === 'wasm' ? `${threads} (setThreadsCount(1); multithreaded wasm build ${multithread ? 'available' : 'not available in this runtime'})` : 'backend default',
};
const date = new Date().toISOString();
log(`llc-pipeline bench (${args.quick ? 'quick' : 'full'}) — ${date}`);
log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.os}, Node ${machine.node}`);
log(`tfjs backend: ${machine.backend}; threads: ${machine.threads}`);

// 1. Gradient engine.
log(`\n1. Gradient engine (${args.reps} reps × ${args.seconds} s windows; relu, bias)`);
const engineResults: EngineResult[] = [];
for (const w of WORKLOADS) {
  const r = benchWorkload(w, args.reps, args.seconds);
  engineResults.push(r);
  const gf = (s: number) => (s * r.flopsPerEval) / 1e9;
  log(
    `  ${w.name.padEnd(36)} d=${String(r.dim).padEnd(6)} explicit ${fmt(r.explicit.median).padStart(7)}/s (${fmt(gf(r.explicit.median))} GFLOP/s)` +
      `  tf.grad ${fmt(r.autodiff.median).padStart(7)}/s (${fmt(gf(r.autodiff.median))} GFLOP/s)  ratio ${fmt(r.explicit.median / r.autodiff.median)}×` +
      `  SGLD ${fmt(r.sgld.median).padStart(7)} steps/s`,
  );
}

// 2. PyTorch.
log('\n2. PyTorch comparison');
const torchCheck = torchAvailable();
let torch: TorchResult | null = null;
let torchNote: string;
if (torchCheck.ok) {
  torch = benchTorch(WORKLOADS, args.reps, args.seconds);
  torchNote = `PyTorch ${torch.version}, float32, torch.set_num_threads(1) (reports ${torch.threads}), autograd.`;
  WORKLOADS.forEach((w, i) => {
    const ours = engineResults[i].explicit.median;
    log(`  ${w.name.padEnd(36)} PyTorch ${fmt(torch!.rates[i].median)}/s; ours/PyTorch ${fmt(ours / torch!.rates[i].median)}`);
  });
} else {
  torchNote = `PyTorch is not installed here (\`python3 -c 'import torch'\`: ${torchCheck.why}); the Debian package is python3-torch. Comparison skipped.`;
  log(`  ${torchNote}`);
}

// 3. Orchestration.
let orch: OrchestrationResult | null = null;
let startup: StartupResult[] = [];
if (args.orchestration) {
  log(`\n3. Orchestration (${args.orchReps} reps for the Nx figures, 5 for start-up)`);
  startup = benchStartup(5);
  for (const s of startup) log(`  ${s.label}: ${fmtStat(s.seconds, ' s')}`);
  orch = await benchOrchestration({ graphNs: args.graphNs, runN: args.runN, reps: args.orchReps, log });
} else {
  log('\n3. Orchestration: skipped (--no-orchestration)');
}

// 4. Parallel scaling.
const scalingNote =
  `Not measured. A meaningful scaling curve needs the same pipeline at --parallel=1, 2, … up to the core count, each a full ` +
  `uncached run; on this ${machine.cores}-core machine one uncached run of the N=${args.runN} pipeline already takes ` +
  `${orch ? fmt(orch.run.firstRun) : '?'} s, so the curve would not fit the 10-minute budget of this bench (and with ${machine.cores} cores it would have ${machine.cores} points).`;
log(`\n4. Parallel scaling: ${scalingNote}`);

const total = elapsed();
log(`\nTotal bench time: ${total.toFixed(0)} s`);

// Markdown.
const md: string[] = [];
md.push('# Benchmarks', '');
md.push(`Generated by \`npm run bench${args.quick ? ' -- --quick' : ''}\` (tools/src/bench/main.ts) on ${date}; the whole bench took ${total.toFixed(0)} s.`);
md.push('Every figure is the median of the repetitions, with min–max and the repetition count in brackets. The machine may be shared and noisy: compare figures within one run (the ratios), not across runs.', '');
md.push('## Machine', '');
md.push(
  mdTable(
    ['', ''],
    [
      ['CPU', `${machine.cpu}`],
      ['cores (os.cpus())', String(machine.cores)],
      ['OS', machine.os],
      ['memory', `${machine.memGiB.toFixed(1)} GiB`],
      ['Node', machine.node],
      ['tfjs backend (initEngine)', machine.backend],
      ['tfjs threads', machine.threads ?? ''],
    ],
  ),
  '',
);
md.push('## 1. Gradient engine', '');
md.push(
  `Loss + full gradient evaluations per second of a relu MLP with biases: the explicit backward pass (\`createMlpLossModel\`, targets/src/models/mlp.ts) and tf.grad (\`mlpLossAndGradAutodiff\`, mlpAutodiff.ts), ` +
    `with float64 parameters in and a float64 gradient out, as the samplers use them. Each repetition is a ${args.seconds} s window after a warm-up; the three measures are interleaved rep by rep. ` +
    `GFLOP/s counts 2·m·k·n per matmul of the forward pass (A·W per layer) and backward pass (Aᵀ·δ per layer, δ·Wᵀ for all but the first layer); bias and element-wise work is not counted, so it is a lower bound on work done. ` +
    `SGLD step/s is \`sgld.create(...).step\` (samplers/src/kernels/sgld.ts) on the explicit model: minibatch draw, loss + gradient, Gaussian noise, update.`,
  '',
);
md.push(
  mdTable(
    ['workload', 'd', 'explicit eval/s', 'explicit GFLOP/s', 'tf.grad eval/s', 'tf.grad GFLOP/s', 'explicit / tf.grad', 'SGLD steps/s'],
    engineResults.map((r) => {
      const gf = (s: number) => fmt((s * r.flopsPerEval) / 1e9);
      return [
        r.workload.name,
        String(r.dim),
        fmtStat(r.explicit),
        gf(r.explicit.median),
        fmtStat(r.autodiff),
        gf(r.autodiff.median),
        `${fmt(r.explicit.median / r.autodiff.median)}×`,
        fmtStat(r.sgld),
      ];
    }),
  ),
  '',
);
md.push('## 2. PyTorch comparison', '');
md.push(torchNote, '');
if (torch) {
  md.push(
    mdTable(
      ['workload', 'PyTorch eval/s', 'ours (explicit) eval/s', 'ours / PyTorch'],
      WORKLOADS.map((w, i) => [w.name, fmtStat(torch!.rates[i]), fmt(engineResults[i].explicit.median), fmt(engineResults[i].explicit.median / torch!.rates[i].median)]),
    ),
    '',
  );
}
md.push(`The tfjs side runs with ${machine.threads}.`, '');
md.push('## 3. Orchestration overhead', '');
if (orch) {
  md.push(
    `A temporary workspace (tools/src/e2e/workspace.ts \`createTempWorkspace\`, NX_DAEMON=false) with one analytic target ` +
      `(\`{ kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10 }\`) and N SGLD runs ` +
      `(\`stepSize: sweep([...N values])\`, 100 steps, evalEvery 10, 1 chain), so the work per task is negligible and the figures are overhead. ` +
      `Nx figures: ${args.orchReps} repetitions each (fewer than 5 to keep the bench within 10 minutes on 2 cores).`,
    '',
  );
  md.push('### Project graph', '');
  md.push('`nx sync` (writes the slice files) once per N, then `nx show projects` with the on-disk graph cache deleted (cold) and right after it (warm).', '');
  md.push(
    mdTable(
      ['N runs', 'projects', 'nx sync (s, 1×)', 'show projects, cold (s)', 'show projects, warm (s)'],
      orch.graph.map((g) => [String(g.N), String(g.projects), fmt(g.sync), fmtStat(g.cold), fmtStat(g.warm)]),
    ),
    '',
  );
  const r = orch.run;
  md.push(`### Running the graph (N = ${r.N})`, '');
  if (r.N !== 200) {
    const est = (401 * r.perTask) / 60;
    md.push(
      `**Measured at N = ${r.N}, not N = 200.** One uncached run of N = 200 is 401 stage processes (1 target, 200 sample, 200 analysis); ` +
        `at the per-task wall measured here that is about ${est.toFixed(0)} minutes, beyond this bench's 10-minute budget. ` +
        `Run \`npm run bench -- --run-n=200\` to measure it.`,
      '',
    );
  }
  md.push(
    mdTable(
      ['figure', 'seconds'],
      [
        [`first full \`nx run-many -t analyze --parallel=2\` (${r.tasks} stage processes, 1×)`, fmt(r.firstRun)],
        ['per task: first-run wall / tasks (2 in parallel)', fmt(r.perTask)],
        ['fully cached rerun (no stage process ran)', fmtStat(r.cached)],
        ['edit one sweep entry: `nx sync`', fmtStat(r.editSync)],
        [`edit one sweep entry: \`nx run-many -t analyze --parallel=2\` (stages run: ${r.editTasks.join(', ')})`, fmtStat(r.editRun)],
      ],
    ),
    '',
  );
  md.push('### Process start-up (5×)', '');
  md.push(mdTable(['process', 'seconds'], startup.map((s) => [s.label, fmtStat(s.seconds)])), '');
} else {
  md.push('Skipped in this run (`--no-orchestration`).', '');
}
md.push('## 4. Parallel scaling', '', scalingNote, '');
writeFileSync(args.out, md.join('\n'));
log(`wrote ${args.out}`);
