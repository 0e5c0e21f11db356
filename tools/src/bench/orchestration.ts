/**
 * Orchestration overhead on a temporary workspace (real Nx, real stage processes, real
 * cache): project-graph computation against the number of sampler runs N, a first full
 * `run-many -t analyze`, a fully cached rerun, a rerun after editing one entry, and the
 * bare start-up of a stage process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempWorkspace, REPO_ROOT, type TempWorkspace } from '../e2e/workspace';
import { stat, type Stat } from './stats';

/** N distinct step sizes in [1e-3, 2e-3); `edited` swaps entry k for a value outside that range. */
export function stepSizes(N: number, edits = 0): number[] {
  return Array.from({ length: N }, (_, i) => (i < edits ? 3e-3 * (1 + i / 1000) : 1e-3 * (1 + i / N))).map((v) => +v.toPrecision(6));
}

export function configText(values: number[]): string {
  return `import { definePipeline, sweep } from './tools/src/config/define';
export default definePipeline({
  seed: 1,
  targets: { q: { kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10 } },
  samplers: { s: { kind: 'sgld', stepSize: sweep(${JSON.stringify(values)}), steps: 100, evalEvery: 10, chains: 1 } },
  runs: [{ target: 'q', sampler: 's' }],
});
`;
}

async function timedNx(ws: TempWorkspace, args: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await ws.nx(args);
  const s = (performance.now() - t0) / 1000;
  if (r.exitCode !== 0) throw new Error(`nx ${args.join(' ')} failed (${r.exitCode}):\n${r.output.slice(-2000)}`);
  return s;
}

export interface GraphResult {
  N: number;
  projects: number;
  sync: number;
  /** `nx show projects` after deleting .nx/workspace-data (no cached graph). */
  cold: Stat;
  /** `nx show projects` again, with Nx's on-disk graph cache in place. */
  warm: Stat;
}

export interface RunResult {
  N: number;
  tasks: number;
  firstRun: number;
  perTask: number;
  cached: Stat;
  editSync: Stat;
  editRun: Stat;
  editTasks: number[];
}

export interface OrchestrationResult {
  graph: GraphResult[];
  run: RunResult;
}

export async function benchOrchestration(opts: {
  graphNs: number[];
  runN: number;
  reps: number;
  log: (line: string) => void;
}): Promise<OrchestrationResult> {
  const { graphNs, runN, reps, log } = opts;
  // A private parent folder: a concurrent cleanup of /tmp/llc-ws-* (seen once, mid-run) must not take our workspace.
  const parent = await mkdtemp(join(tmpdir(), 'llc-bench-'));
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = parent;
  const ws = await createTempWorkspace(configText(stepSizes(graphNs[0])));
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  try {
    const graph: GraphResult[] = [];
    for (const N of graphNs) {
      await ws.writeConfig(configText(stepSizes(N)));
      const sync = await timedNx(ws, ['sync']);
      const cold: number[] = [];
      const warm: number[] = [];
      let projects = 0;
      for (let r = 0; r < reps; r++) {
        await rm(join(ws.root, '.nx/workspace-data'), { recursive: true, force: true });
        cold.push(await timedNx(ws, ['show', 'projects']));
        const t0 = performance.now();
        const out = await ws.nx(['show', 'projects']);
        warm.push((performance.now() - t0) / 1000);
        projects = out.output.split('\n').filter((l) => l.trim() !== '').length;
      }
      // 1 target, N sample, N analysis, report, 4 packages.
      if (projects !== 2 * N + 6) log(`  warning: N=${N} listed ${projects} projects, expected ${2 * N + 6}`);
      const g: GraphResult = { N, projects, sync, cold: stat(cold), warm: stat(warm) };
      log(`  graph N=${N}: ${projects} projects, sync ${sync.toFixed(1)} s, show projects cold ${g.cold.median.toFixed(2)} s, warm ${g.warm.median.toFixed(2)} s`);
      graph.push(g);
    }

    await ws.writeConfig(configText(stepSizes(runN)));
    await timedNx(ws, ['sync']);
    await ws.takeRunLog();
    log(`  first full run, N=${runN} (--parallel=2) ...`);
    const firstRun = await timedNx(ws, ['run-many', '-t', 'analyze', '--parallel=2']);
    const tasks = (await ws.takeRunLog()).length;
    log(`  first run: ${tasks} tasks in ${firstRun.toFixed(1)} s`);
    const cached: number[] = [];
    for (let r = 0; r < reps; r++) {
      cached.push(await timedNx(ws, ['run-many', '-t', 'analyze', '--parallel=2']));
      const ran = await ws.takeRunLog();
      if (ran.length !== 0) throw new Error(`cached rerun executed ${ran.length} stages: ${ran.join(', ')}`);
    }
    const editSync: number[] = [];
    const editRun: number[] = [];
    const editTasks: number[] = [];
    for (let r = 0; r < reps; r++) {
      await ws.writeConfig(configText(stepSizes(runN, r + 1)));
      editSync.push(await timedNx(ws, ['sync']));
      editRun.push(await timedNx(ws, ['run-many', '-t', 'analyze', '--parallel=2']));
      editTasks.push((await ws.takeRunLog()).length);
    }
    const run: RunResult = {
      N: runN,
      tasks,
      firstRun,
      perTask: firstRun / tasks,
      cached: stat(cached),
      editSync: stat(editSync),
      editRun: stat(editRun),
      editTasks,
    };
    log(`  cached ${run.cached.median.toFixed(2)} s; edit one entry: sync ${run.editSync.median.toFixed(2)} s + run ${run.editRun.median.toFixed(2)} s (${editTasks.join('/')} stages ran)`);
    return { graph, run };
  } finally {
    await ws.dispose();
    await rm(parent, { recursive: true, force: true });
  }
}

export interface StartupResult {
  label: string;
  command: string;
  seconds: Stat;
  exit: number | null;
}

/** Wall time of short processes in this repository, `reps` times each. */
export function benchStartup(reps: number): StartupResult[] {
  const cases: Array<[string, string[]]> = [
    ['bare node (`node -e 0`)', ['-e', '0']],
    ['stage entry, no work (`node --import tsx tools/src/stage/main.ts`, exits at argument check)', ['--import', 'tsx', 'tools/src/stage/main.ts']],
    [
      'stage entry + sample-stage modules incl. tfjs imported',
      ['--import', 'tsx', '--input-type=module', '-e', "await import('./samplers/src/stage.ts'); await import('./analysis/src/stage.ts')"],
    ],
  ];
  return cases.map(([label, args]) => {
    const times: number[] = [];
    let exit: number | null = null;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const p = spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: 'pipe' });
      times.push((performance.now() - t0) / 1000);
      exit = p.status;
    }
    return { label, command: `node ${args.join(' ')}`, seconds: stat(times), exit };
  });
}
