/**
 * Local versus SLURM backend on the running cluster (dev/slurm/local-cluster.sh on one
 * machine, or a real one): the demo pipeline's wall time each way, and the overhead a SLURM
 * job adds to one task (submission, scheduling, polling, log streaming), from a pipeline of
 * tiny tasks run one at a time. Both backends execute the same tasks (--skip-nx-cache), and
 * the runs alternate so that machine load drifts into both equally.
 *
 *   npm run bench -- --only=slurm          # as a section of docs/BENCHMARKS.md
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempWorkspace, REPO_ROOT, type TempWorkspace } from '../e2e/workspace';
import { fmt, fmtStat, mdTable, stat, type Stat } from './stats';

export interface SlurmBenchResult {
  available: boolean;
  why?: string;
  cluster?: string;
  demo?: { tasks: number; local: Stat; slurm: Stat; identical: boolean };
  tiny?: { tasks: number; local: Stat; slurm: Stat; perTask: Stat };
}

export function slurmAvailable(): { ok: true; cluster: string } | { ok: false; why: string } {
  const r = spawnSync('sinfo', ['-h', '-o', '%P %D %c %T'], { encoding: 'utf8' });
  if (r.error) return { ok: false, why: `sinfo not found (${r.error.message}); start a cluster with dev/slurm/local-cluster.sh start` };
  if (r.status !== 0 || !/idle|mixed|alloc/.test(r.stdout)) return { ok: false, why: `no SLURM node answers (${(r.stderr || r.stdout).trim()})` };
  return { ok: true, cluster: r.stdout.trim().split('\n').join('; ') };
}

const TINY = (tasks: number) => `import { definePipeline, sweep } from 'llc-pipeline';
export default definePipeline({
  targets: { q: { kind: 'potential', potential: { type: 'quadratic', h: [1] }, temperature: 10 } },
  samplers: { sgld: { kind: 'sgld', stepSize: sweep([${Array.from({ length: tasks }, (_, i) => `${i + 1}e-4`).join(', ')}]), batchSize: 1, chains: 1, steps: 100, evalEvery: 10 } },
});
`;

async function timed(ws: TempWorkspace, args: string[], backend: 'local' | 'slurm'): Promise<number> {
  const t0 = performance.now();
  const r = await ws.nx([...args, '--skip-nx-cache']);
  if (r.exitCode !== 0) throw new Error(`nx ${args.join(' ')} (${backend}) failed:\n${r.output.slice(-3000)}`);
  return (performance.now() - t0) / 1000;
}

async function summaries(ws: TempWorkspace): Promise<string[]> {
  const report = JSON.parse(await readFile(join(ws.root, 'artifacts/report/runs.json'), 'utf8')) as { runs: Array<{ id: string }> };
  const ids = report.runs.map((r) => r.id).sort();
  return Promise.all(ids.map((id) => readFile(join(ws.root, 'artifacts/analysis', id, 'summary.json'), 'utf8')));
}

/** Runs `args` alternately on each backend (a workspace each, LLC_BACKEND set), `reps` times each. */
async function alternate(config: string, args: string[], reps: number, log: (l: string) => void) {
  const local: number[] = [];
  const slurm: number[] = [];
  const wsLocal = await createTempWorkspace(config, {}, { LLC_BACKEND: 'local' });
  const wsSlurm = await createTempWorkspace(config, {}, { LLC_BACKEND: 'slurm' });
  try {
    for (const ws of [wsLocal, wsSlurm]) {
      const sync = await ws.nx(['sync']);
      if (sync.exitCode !== 0) throw new Error(sync.output);
    }
    for (let i = 0; i < reps; i++) {
      local.push(await timed(wsLocal, args, 'local'));
      slurm.push(await timed(wsSlurm, args, 'slurm'));
      log(`  rep ${i + 1}/${reps}: local ${fmt(local[i])} s, SLURM ${fmt(slurm[i])} s`);
    }
    const identical = JSON.stringify(await summaries(wsLocal)) === JSON.stringify(await summaries(wsSlurm));
    const tasks = (await wsSlurm.takeRunLog()).length / reps;
    return { local, slurm, identical, tasks };
  } finally {
    await wsLocal.dispose();
    await wsSlurm.dispose();
  }
}

export async function benchSlurm(opts: { demoReps: number; tinyTasks: number; tinyReps: number; log: (l: string) => void }): Promise<SlurmBenchResult> {
  const check = slurmAvailable();
  if (!check.ok) return { available: false, why: check.why };
  const { log } = opts;
  const demoConfig = await readFile(join(REPO_ROOT, 'pipeline.config.ts'), 'utf8');
  log(`SLURM: the demo pipeline, ${opts.demoReps}× each backend, --parallel=2`);
  const demo = await alternate(demoConfig, ['run-many', '-t', 'report', '--parallel=2'], opts.demoReps, log);
  log(`SLURM: ${opts.tinyTasks} tiny sampler runs (+ target, analyses, report), --parallel=1, ${opts.tinyReps}× each backend`);
  const tiny = await alternate(TINY(opts.tinyTasks), ['run-many', '-t', 'report', '--parallel=1'], opts.tinyReps, log);
  const perTask = tiny.slurm.map((s, i) => (s - tiny.local[i]) / tiny.tasks);
  return {
    available: true,
    cluster: check.cluster,
    demo: { tasks: demo.tasks, local: stat(demo.local), slurm: stat(demo.slurm), identical: demo.identical },
    tiny: { tasks: tiny.tasks, local: stat(tiny.local), slurm: stat(tiny.slurm), perTask: stat(perTask) },
  };
}

export function slurmMarkdown(r: SlurmBenchResult): string[] {
  const md = ['## SLURM backend', ''];
  if (!r.available || !r.demo || !r.tiny) return [...md, `Not measured: ${r.why ?? 'skipped'}.`, ''];
  md.push(
    `Cluster: \`sinfo\` → ${r.cluster} (dev/slurm/local-cluster.sh: slurmctld, slurmd and the jobs share this machine's cores). ` +
      'Each figure runs the same tasks with `--skip-nx-cache` in two fresh workspaces, one with `LLC_BACKEND=local`, one with `LLC_BACKEND=slurm`, alternating.',
    '',
    mdTable(
      ['workload', 'tasks', 'local (s)', 'SLURM (s)', 'SLURM / local'],
      [
        [`demo pipeline (pipeline.config.ts), --parallel=2`, String(r.demo.tasks), fmtStat(r.demo.local), fmtStat(r.demo.slurm), `${fmt(r.demo.slurm.median / r.demo.local.median)}×`],
        [`tiny sweep, --parallel=1`, String(r.tiny.tasks), fmtStat(r.tiny.local), fmtStat(r.tiny.slurm), `${fmt(r.tiny.slurm.median / r.tiny.local.median)}×`],
      ],
    ),
    '',
    `Overhead of a SLURM job per task (tiny sweep, (SLURM − local) / tasks, one task at a time): **${fmtStat(r.tiny.perTask)} s**. ` +
      `Demo summaries identical between the backends: ${r.demo.identical ? 'yes (every summary.json byte for byte)' : '**no**'}.`,
    '',
  );
  return md;
}
