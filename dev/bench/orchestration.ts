/**
 * Orchestration overhead on temporary workspaces (real Nx, real stage processes, real
 * cache): project-graph computation against the number of sampler runs N, a first full
 * `run-many -t analyze`, a fully cached rerun, a rerun after editing one entry, the cost
 * of one task (Nx's share and the stage process's share), the start-up of a stage
 * process, and parallel scaling of a reduced copy of the demo with its cost per unit of
 * accuracy (ESS per second and per FGE).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { nxBin } from 'llc-pipeline/nx';
import { createTempWorkspace, REPO_ROOT, type TempWorkspace } from '../e2e/workspace';
import { stat, type Stat } from './stats';

/**
 * N distinct step sizes 1e-3·(1 + i/1000) (i < N ≤ 1000): growing N keeps the first entries, so
 * a bigger sweep reruns only the new units. `edits` swaps the first `edits` entries for values outside that range.
 */
export function stepSizes(N: number, edits = 0): number[] {
  return Array.from({ length: N }, (_, i) => (i < edits ? 3e-3 : 1e-3) * (1 + i / 1000)).map((v) => +v.toPrecision(6));
}

export function configText(values: number[]): string {
  return `import { definePipeline, sweep } from 'llc-pipeline';
export default definePipeline({
  seed: 1,
  targets: { q: { kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10 } },
  samplers: { s: { kind: 'sgld', stepSize: sweep(${JSON.stringify(values)}), steps: 100, evalEvery: 10, chains: 1 } },
  runs: [{ target: 'q', sampler: 's' }],
});
`;
}

/** A workspace in a private parent folder: a concurrent cleanup of /tmp/llc-ws-* (seen once, mid-run) must not take it. */
async function privateWorkspace(config: string): Promise<{ ws: TempWorkspace; dispose: () => Promise<void> }> {
  const parent = await mkdtemp(join(tmpdir(), 'llc-bench-'));
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = parent;
  try {
    const ws = await createTempWorkspace(config);
    return {
      ws,
      dispose: async () => {
        await ws.dispose();
        await rm(parent, { recursive: true, force: true });
      },
    };
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
}

/** Nx in the workspace with the settings of `createTempWorkspace` plus `extraEnv`; throws on failure. */
async function nx(ws: TempWorkspace, args: string[], extraEnv: Record<string, string> = {}, stdoutFile?: string): Promise<{ seconds: number; output: string }> {
  const env = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', LLC_RUN_LOG: ws.runLog, CI: 'false', ...extraEnv };
  const t0 = performance.now();
  let r: { exitCode?: number | null; all?: string; stderr?: string };
  if (stdoutFile) {
    // Straight to a file descriptor: through a pipe, Nx's process.exit() can cut a long listing short.
    const fd = openSync(stdoutFile, 'w');
    try {
      const p = spawnSync(process.execPath, [nxBin(ws.root), ...args], { cwd: ws.root, env: { ...process.env, ...env }, stdio: ['ignore', fd, 'pipe'] });
      r = { exitCode: p.status, stderr: p.stderr.toString() };
    } finally {
      closeSync(fd);
    }
  } else {
    r = await execa(process.execPath, [nxBin(ws.root), ...args], { cwd: ws.root, env, all: true, reject: false });
  }
  const seconds = (performance.now() - t0) / 1000;
  if (r.exitCode !== 0) throw new Error(`nx ${args.join(' ')} failed (${r.exitCode}):\n${(r.all ?? r.stderr ?? '').slice(-3000)}`);
  return { seconds, output: r.all ?? '' };
}

/** `Time taken for 'X' 12.3ms` lines of NX_PERF_LOGGING=true, in seconds (last one wins). */
function perfLines(output: string): Map<string, number> {
  const m = new Map<string, number>();
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  for (const match of plain.matchAll(/Time taken for '([^']+)' ([0-9.]+)ms/g)) m.set(match[1], Number(match[2]) / 1000);
  return m;
}

export interface GraphBreakdown {
  /** Whole project-graph computation inside the Nx process. */
  graph: number;
  /** Loading our plugin (start of its isolated worker, transpiler registration, module loading). */
  pluginLoad: number;
}

export interface GraphResult {
  N: number;
  projects: number;
  sync: number;
  /** `nx show projects` after deleting .nx/workspace-data (no cached graph). */
  cold: Stat;
  /** `nx show projects` again, with Nx's on-disk graph cache in place. */
  warm: Stat;
  /** Warm, with NX_ISOLATE_PLUGINS=false: plugins load in the Nx process instead of worker processes. */
  inProcess: Stat;
  breakdown: GraphBreakdown | null;
  /** Our createNodes called in this process (5×, after one warm-up call): the pipeline's share of the graph. */
  createNodes: Stat;
}

/** The plugin's createNodes on the workspace's pipeline.config.ts, as Nx calls it. */
async function timeCreateNodes(root: string, reps: number): Promise<Stat> {
  const { createNodes } = await import('@llc/nx/plugin');
  const call = async () => {
    const t0 = performance.now();
    await createNodes[1](['pipeline.config.ts'], undefined, { workspaceRoot: root, nxJsonConfiguration: {} });
    return (performance.now() - t0) / 1000;
  };
  await call();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) times.push(await call());
  return stat(times);
}

export async function benchGraph(opts: { Ns: number[]; reps: number; log: (line: string) => void }): Promise<GraphResult[]> {
  const { Ns, reps, log } = opts;
  const { ws, dispose } = await privateWorkspace(configText(stepSizes(Ns[0])));
  try {
    const graph: GraphResult[] = [];
    for (const N of Ns) {
      await ws.writeConfig(configText(stepSizes(N)));
      const sync = (await nx(ws, ['sync'])).seconds;
      const cold: number[] = [];
      const warm: number[] = [];
      const inProcess: number[] = [];
      let projects = 0;
      for (let r = 0; r < reps; r++) {
        // Cold and in-process 3× (they differ little from warm, and the budget is tight), warm `reps`×.
        if (r < 3) {
          await rm(join(ws.root, '.nx/workspace-data'), { recursive: true, force: true });
          cold.push((await nx(ws, ['show', 'projects'])).seconds);
        }
        // The listing to a file outside the workspace (a new file inside it would change Nx's file map).
        const listing = join(tmpdir(), `llc-bench-projects-${process.pid}.txt`);
        warm.push((await nx(ws, ['show', 'projects'], {}, listing)).seconds);
        projects = (await readFile(listing, 'utf8')).split('\n').filter((l) => l.trim() !== '').length;
        await rm(listing, { force: true });
        if (r < 3) inProcess.push((await nx(ws, ['show', 'projects'], { NX_ISOLATE_PLUGINS: 'false' })).seconds);
      }
      const perf = perfLines((await nx(ws, ['show', 'projects'], { NX_PERF_LOGGING: 'true' })).output);
      const plugin = './tools/src/plugin.ts';
      const breakdown =
        perf.has('createProjectGraphAsync') && perf.has(`Load Nx Plugin: ${plugin}`)
          ? { graph: perf.get('createProjectGraphAsync')!, pluginLoad: perf.get(`Load Nx Plugin: ${plugin}`)! }
          : null;
      // 1 target, N sample, N analysis, report, 4 packages.
      if (projects !== 2 * N + 6) log(`  warning: N=${N} listed ${projects} projects, expected ${2 * N + 6}`);
      const createNodes = await timeCreateNodes(ws.root, reps);
      const g: GraphResult = { N, projects, sync, cold: stat(cold), warm: stat(warm), inProcess: stat(inProcess), breakdown, createNodes };
      log(
        `  graph N=${N}: ${projects} projects, sync ${sync.toFixed(1)} s, show projects cold ${g.cold.median.toFixed(2)} s, warm ${g.warm.median.toFixed(2)} s, ` +
          `in-process plugins ${g.inProcess.median.toFixed(2)} s; createNodes ${g.createNodes.median.toFixed(3)} s` +
          (breakdown ? ` (Nx: plugin load ${breakdown.pluginLoad.toFixed(2)} s of graph ${breakdown.graph.toFixed(2)} s)` : ''),
      );
      graph.push(g);
    }
    return graph;
  } finally {
    await dispose();
  }
}

export interface RunStep {
  N: number;
  /** Stage processes this step's first run executed (all of them at the first N, only the new units after). */
  executed: number;
  firstRun: number;
  /** (First run − fully cached rerun) × parallel / executed: the slot time one executed task costs. */
  perTask: number;
  cached: Stat;
}

export interface RunResult {
  parallel: number;
  steps: RunStep[];
  /** At the last N: editing one entry, `nx sync`, then the run (2 stages execute, the rest is cached). */
  N: number;
  editSync: Stat;
  editRun: Stat;
  editTasks: number[];
  /** A fully cached rerun right after each edit run. */
  editCached: Stat;
  /** The sample and analysis stages the edit executed, as bare processes (`node --import tsx packages/stages/src/main.ts ...`). */
  sampleProcess: Stat;
  analysisProcess: Stat;
  /** Per repetition (edit run − cached rerun − both bare stages) / 2: what Nx adds to one executed task. */
  nxShare: Stat;
}

/**
 * `nx run-many -t analyze` at each N in turn (ascending) in one workspace: the first run at the
 * first N executes every stage, each later N only its new units (the sweep keeps its first
 * entries); then `reps` fully cached reruns at each N. At the last N: `editReps` edits of one
 * entry (sync + run: two stages execute, one after the other), and the same two stages as bare
 * processes, whose difference is Nx's share of an executed task.
 */
export async function benchRun(opts: { Ns: number[]; parallel: number; reps: number; editReps: number; log: (line: string) => void }): Promise<RunResult> {
  const { Ns, parallel, reps, editReps, log } = opts;
  const { ws, dispose } = await privateWorkspace(configText(stepSizes(Ns[0])));
  try {
    const runMany = ['run-many', '-t', 'analyze', `--parallel=${parallel}`];
    const steps: RunStep[] = [];
    for (const N of Ns) {
      await ws.writeConfig(configText(stepSizes(N)));
      await nx(ws, ['sync']);
      await ws.takeRunLog();
      const firstRun = (await nx(ws, runMany)).seconds;
      const executed = (await ws.takeRunLog()).length;
      const cached: number[] = [];
      for (let r = 0; r < reps; r++) {
        cached.push((await nx(ws, runMany)).seconds);
        const ran = await ws.takeRunLog();
        if (ran.length !== 0) throw new Error(`cached rerun executed ${ran.length} stages: ${ran.join(', ')}`);
      }
      const perTask = ((firstRun - stat(cached).median) * parallel) / Math.max(1, executed);
      const step: RunStep = { N, executed, firstRun, perTask, cached: stat(cached) };
      steps.push(step);
      log(
        `  N=${N} (--parallel=${parallel}): first run executed ${executed} stages in ${firstRun.toFixed(1)} s ` +
          `(${step.perTask.toFixed(2)} s of a slot per task); fully cached rerun ${step.cached.median.toFixed(2)} s`,
      );
    }
    const N = Ns[Ns.length - 1];
    // Each repetition: edit one entry, sync, run (its sample and analysis execute), a fully cached rerun, and the
    // two stages it executed as bare processes, back to back, so that a change in the machine's load hits all alike.
    const editSync: number[] = [];
    const editRun: number[] = [];
    const editTasks: number[] = [];
    const editCached: number[] = [];
    const sampleProcess: number[] = [];
    const analysisProcess: number[] = [];
    const nxShare: number[] = [];
    const stage = (kind: string, dir: string, id: string) => {
      const t0 = performance.now();
      const p = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'packages/stages/src/main.ts', kind, '--output', `tmp/bench-${kind}`, '--slice', `pipeline/${dir}/${id}/slice.json`],
        { cwd: ws.root, stdio: 'pipe', env: { ...process.env, LLC_RUN_LOG: '' } },
      );
      if (p.status !== 0) throw new Error(`${kind} stage failed (${p.status}): ${p.stderr.toString().slice(-2000)}`);
      return (performance.now() - t0) / 1000;
    };
    for (let r = 0; r < editReps; r++) {
      await ws.writeConfig(configText(stepSizes(N, r + 1)));
      editSync.push((await nx(ws, ['sync'])).seconds);
      const run = (await nx(ws, runMany)).seconds;
      editRun.push(run);
      const ran = await ws.takeRunLog();
      editTasks.push(ran.length);
      const id = ran.find((l) => l.startsWith('sample '))?.slice('sample '.length);
      if (!id) throw new Error(`editing one entry ran no sample stage: ${ran.join(', ')}`);
      const cached = (await nx(ws, runMany)).seconds;
      editCached.push(cached);
      const sample = stage('sample', 'samples', id);
      const analysis = stage('analysis', 'analysis', id);
      sampleProcess.push(sample);
      analysisProcess.push(analysis);
      nxShare.push((run - cached - sample - analysis) / 2);
    }
    log(`  N=${N}, edit one entry: sync ${stat(editSync).median.toFixed(2)} s + run ${stat(editRun).median.toFixed(2)} s (${editTasks.join('/')} stages ran)`);
    await ws.takeRunLog();
    const run: RunResult = {
      parallel,
      steps,
      N,
      editSync: stat(editSync),
      editRun: stat(editRun),
      editTasks,
      editCached: stat(editCached),
      sampleProcess: stat(sampleProcess),
      analysisProcess: stat(analysisProcess),
      nxShare: stat(nxShare),
    };
    log(
      `  bare stage processes: sample ${run.sampleProcess.median.toFixed(2)} s, analysis ${run.analysisProcess.median.toFixed(2)} s; ` +
        `Nx's share of an executed task ${run.nxShare.median.toFixed(2)} s`,
    );
    return run;
  } finally {
    await dispose();
  }
}

/** Least-squares line y = a + b·x through the points. */
export function fitLine(points: Array<[number, number]>): { a: number; b: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const b = sxx > 0 ? points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx : 0;
  return { a: my - b * mx, b };
}

export interface StartupResult {
  label: string;
  command: string;
  seconds: Stat;
  exit: number | null;
}

/**
 * A precompiled copy of the stage modules (esbuild, one ESM bundle per entry, packages
 * external) in a temporary folder that resolves this repository's node_modules: what
 * skipping tsx at run time would save. Null when esbuild (a dependency of tsx) is missing.
 */
async function precompiledStageModules(entries: Record<string, string>): Promise<{ dir: string; files: Record<string, string> } | null> {
  let build: typeof import('esbuild').build;
  try {
    ({ build } = await import('esbuild'));
  } catch {
    return null;
  }
  const dir = await mkdtemp(join(tmpdir(), 'llc-bench-bundle-'));
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  await symlink(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await mkdir(join(dir, 'out'));
  const files: Record<string, string> = {};
  for (const [name, entry] of Object.entries(entries)) {
    await build({ entryPoints: [join(REPO_ROOT, entry)], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: join(dir, 'out', `${name}.mjs`), logLevel: 'silent' });
    files[name] = join(dir, 'out', `${name}.mjs`);
  }
  return { dir, files };
}

/** Wall time of short processes in this repository, `reps` times each (interleaved). */
export async function benchStartup(reps: number): Promise<StartupResult[]> {
  const importOnly = (m: string) => `await import(${JSON.stringify(m)})`;
  const cases: Array<{ label: string; args: string[]; env?: Record<string, string> }> = [
    { label: 'bare node (`node -e 0`)', args: ['-e', '0'] },
    { label: 'stage entry, no work (`node --import tsx packages/stages/src/main.ts`, exits at argument check)', args: ['--import', 'tsx', 'packages/stages/src/main.ts'] },
    { label: 'import the sample stage (samplers/src/stage.ts: engine, samplers, target loading)', args: ['--import', 'tsx', '--input-type=module', '-e', importOnly('./samplers/src/stage.ts')] },
    {
      label: 'the same with tsx’s transform cache disabled (TSX_DISABLE_CACHE=1)',
      args: ['--import', 'tsx', '--input-type=module', '-e', importOnly('./samplers/src/stage.ts')],
      env: { TSX_DISABLE_CACHE: '1' },
    },
    { label: 'import the analysis stage (analysis/src/stage.ts: diagnostics, plots incl. d3-node/jsdom, resvg)', args: ['--import', 'tsx', '--input-type=module', '-e', importOnly('./analysis/src/stage.ts')] },
  ];
  const bundle = await precompiledStageModules({ sample: 'samplers/src/stage.ts', analysis: 'analysis/src/stage.ts' }).catch(() => null);
  if (bundle) {
    cases.push(
      { label: 'import the sample stage, precompiled (esbuild bundle, no tsx)', args: ['--input-type=module', '-e', importOnly(bundle.files.sample)] },
      { label: 'import the analysis stage, precompiled (esbuild bundle, no tsx)', args: ['--input-type=module', '-e', importOnly(bundle.files.analysis)] },
    );
  }
  const times = cases.map(() => [] as number[]);
  const exits = cases.map(() => null as number | null);
  try {
    for (let r = 0; r < reps; r++) {
      cases.forEach((c, i) => {
        const t0 = performance.now();
        const p = spawnSync(process.execPath, c.args, { cwd: REPO_ROOT, stdio: 'pipe', env: { ...process.env, ...c.env } });
        times[i].push((performance.now() - t0) / 1000);
        exits[i] = p.status;
      });
    }
  } finally {
    if (bundle) await rm(bundle.dir, { recursive: true, force: true });
  }
  return cases.map((c, i) => ({ label: c.label, command: `node ${c.args.join(' ')}`, seconds: stat(times[i]), exit: exits[i] }));
}

// ---------------------------------------------------------------------------------------
// Parallel scaling and cost per unit of accuracy: a reduced copy of the demo.

/** The demo pipeline (pipeline.config.ts) with every sampler's `steps` and `burnIn` scaled by `scale`. */
export async function reducedDemo(scale: number): Promise<{ text: string; config: Record<string, unknown> }> {
  const mod = (await import(join(REPO_ROOT, 'pipeline.config.ts'))) as { default: Record<string, unknown> };
  const config = structuredClone(mod.default);
  const samplers = config.samplers as Record<string, Record<string, unknown>>;
  for (const s of Object.values(samplers)) {
    for (const key of ['steps', 'burnIn'] as const) {
      if (typeof s[key] === 'number') s[key] = Math.max(key === 'steps' ? 50 : 0, Math.round((s[key] as number) * scale));
    }
  }
  const text = `import { definePipeline } from 'llc-pipeline';\n// The demo with sampler steps and burn-in ×${scale} (tools/src/bench/orchestration.ts).\nexport default definePipeline(${JSON.stringify(config, null, 2)});\n`;
  return { text, config };
}

export interface DemoRow {
  id: string;
  sampler: string;
  kind: string;
  target: string;
  llc: number | null;
  mcse: number | null;
  essBulk: number | null;
  fge: number | null;
  wallSeconds: number | null;
  essPerSecond: number | null;
  essPerFge: number | null;
  flags: string[];
}

export interface ScalingResult {
  scale: number;
  tasks: number;
  /** Uncached `llc run --parallel=P --skip-nx-cache` wall (sync + all tasks), by P. */
  wall: Array<{ parallel: number; seconds: Stat }>;
  /** runs.json of the --parallel=1 runs (no other task competes for the CPU): the cost table. */
  rows: DemoRow[];
}

export async function benchScaling(opts: { scale: number; parallels: number[]; reps: number; log: (line: string) => void }): Promise<ScalingResult> {
  const { scale, parallels, reps, log } = opts;
  const { text } = await reducedDemo(scale);
  const { ws, dispose } = await privateWorkspace(text);
  try {
    await nx(ws, ['sync']);
    const wall = parallels.map((p) => ({ parallel: p, times: [] as number[] }));
    let rows: DemoRow[] = [];
    let tasks = 0;
    // Interleaved (1, 2, 1, 2, ...) so that a change in the machine's load hits both alike.
    for (let r = 0; r < reps; r++) {
      for (const w of wall) {
        await ws.takeRunLog();
        const t0 = performance.now();
        const out = await ws.llc(['run', '--parallel', String(w.parallel), '--skip-nx-cache']);
        const s = (performance.now() - t0) / 1000;
        if (out.exitCode !== 0) throw new Error(`llc run --parallel ${w.parallel} failed:\n${out.output.slice(-3000)}`);
        tasks = (await ws.takeRunLog()).length;
        w.times.push(s);
        log(`  demo ×${scale}, --parallel=${w.parallel}: ${tasks} tasks in ${s.toFixed(1)} s`);
        if (w.parallel === Math.min(...parallels)) {
          const json = JSON.parse(await readFile(join(ws.root, 'artifacts/report/runs.json'), 'utf8')) as { runs: DemoRow[] };
          const latest = json.runs.map((x) => ({
            id: x.id,
            sampler: x.sampler,
            kind: x.kind,
            target: x.target,
            llc: x.llc,
            mcse: x.mcse,
            essBulk: x.essBulk,
            fge: x.fge,
            wallSeconds: x.wallSeconds,
            essPerSecond: x.essPerSecond,
            essPerFge: x.essPerFge,
            flags: x.flags,
          }));
          // Several repetitions: keep the run with the median wall time per row (the ESS is the same: same seeds).
          rows = rows.length === 0 ? latest.map((x) => ({ ...x, _walls: [x.wallSeconds] })) : mergeRows(rows, latest);
        }
      }
    }
    return { scale, tasks, wall: wall.map((w) => ({ parallel: w.parallel, seconds: stat(w.times) })), rows: finishRows(rows) };
  } finally {
    await dispose();
  }
}

type RowAcc = DemoRow & { _walls?: Array<number | null> };

function mergeRows(acc: RowAcc[], latest: DemoRow[]): RowAcc[] {
  return acc.map((a) => {
    const l = latest.find((x) => x.id === a.id);
    return l ? { ...a, _walls: [...(a._walls ?? []), l.wallSeconds] } : a;
  });
}

/** Wall seconds and ESS/s from the median wall of the repetitions (ESS and FGE do not change: same seeds). */
function finishRows(acc: RowAcc[]): DemoRow[] {
  return acc.map(({ _walls, ...row }) => {
    const walls = (_walls ?? []).filter((w): w is number => w !== null);
    if (walls.length === 0) return row;
    const wallSeconds = stat(walls).median;
    return { ...row, wallSeconds, essPerSecond: row.essBulk !== null && wallSeconds > 0 ? row.essBulk / wallSeconds : null };
  });
}
