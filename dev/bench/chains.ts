/**
 * Chain execution benchmark: the same sampler run (4 chains) with its chains inline
 * (one after another in this process), on a pool of worker threads, and one child process
 * per chain (samplers/src/chains.ts). Wall time of the whole run, worker/process start-up
 * included; the three modes are interleaved rep by rep, and their traces are checked to
 * be bit-identical.
 */
import { availableParallelism } from 'node:os';
import { CHAIN_EXECUTIONS, DEFAULT_CHAIN_EXECUTION, executeChains, type ChainExecution } from '@llc/samplers/chains';
import { createChainFixture } from '@llc/stages/testing/chainsFixture';
import type { RunResult } from '@llc/samplers/run';
import { fmt, fmtStat, mdTable, stat, type Stat } from './stats';

export interface ChainsBenchResult {
  lines: string[];
  markdown: string[];
  rows: Array<{ run: string; d: number; seconds: Record<ChainExecution, Stat>; fastest: ChainExecution; identical: boolean }>;
}

const TARGETS = {
  'mlp-4-8-1': { widths: [4, 8, 1], inputDim: 4 },
  'mlp-8-32-32-1': { widths: [8, 32, 32, 1], inputDim: 8 },
} as const;

function sameBits(a: RunResult, b: RunResult): boolean {
  const key = (r: RunResult) =>
    JSON.stringify(
      r.chains.map((c) => [Array.from(c.llc), Array.from(c.loss), Array.from(c.fge), Array.from(c.acceptance), Array.from(c.finalPosition), c.status, c.tuned]),
    );
  return key(a) === key(b);
}

export async function benchChains(opts: { reps: number; quick: boolean; log?: (line: string) => void }): Promise<ChainsBenchResult> {
  const log = opts.log ?? (() => {});
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    log(line);
  };
  const sgldSteps = opts.quick ? 400 : 600;
  const hmcSteps = opts.quick ? 20 : 30;
  const chains = 4;
  const targets = Object.fromEntries(
    Object.entries(TARGETS).map(([name, t]) => [
      name,
      {
        kind: 'teacher-student' as const,
        n: 2000,
        nTest: 200,
        inputDim: t.inputDim,
        noiseStd: 0.1,
        teacher: { widths: [...t.widths], activation: 'relu' as const },
        student: { widths: [...t.widths], activation: 'relu' as const },
        train: { lr: 0.01, maxSteps: 2000, patience: 200 },
      },
    ]),
  );
  const fixture = await createChainFixture({
    seed: 1,
    posterior: { beta0: 1, gamma: 1 },
    targets,
    samplers: {
      sgld: { kind: 'sgld', stepSize: 3e-4, batchSize: 256, chains, burnIn: sgldSteps / 4, steps: sgldSteps, evalEvery: 20 },
      hmc: { kind: 'hmc', chains, burnIn: hmcSteps / 2, steps: hmcSteps },
    },
  });
  const parallel = Math.min(chains, availableParallelism());
  say(`  ${chains} chains; workers: ${parallel} threads (os.availableParallelism() = ${availableParallelism()}); process: one child per chain, ${parallel} at a time; ${opts.reps} reps, modes interleaved`);
  const rows: ChainsBenchResult['rows'] = [];
  try {
    for (const run of fixture.runs) {
      const samples: Record<ChainExecution, number[]> = { inline: [], workers: [], process: [] };
      let reference: RunResult | null = null;
      let identical = true;
      for (let rep = 0; rep < opts.reps; rep++) {
        for (const execution of CHAIN_EXECUTIONS) {
          const t0 = performance.now();
          const result = await executeChains(run.local, { ...run.options, execution, remote: run.remote });
          samples[execution].push((performance.now() - t0) / 1000);
          if (reference === null) reference = result;
          else if (!sameBits(reference, result)) identical = false;
        }
      }
      const seconds = Object.fromEntries(CHAIN_EXECUTIONS.map((e) => [e, stat(samples[e])])) as Record<ChainExecution, Stat>;
      const fastest = [...CHAIN_EXECUTIONS].sort((a, b) => seconds[a].median - seconds[b].median)[0];
      const cfg = run.slice.config;
      const label = `${run.slice.target} ${cfg.kind} (${run.options.burnIn}+${run.options.steps} steps × ${chains})`;
      rows.push({ run: label, d: run.local.model.dim, seconds, fastest, identical });
      say(
        `  ${label.padEnd(44)} d=${String(run.local.model.dim).padEnd(5)} ` +
          CHAIN_EXECUTIONS.map((e) => `${e} ${fmt(seconds[e].median)} s`).join('  ') +
          `  fastest: ${fastest}; traces ${identical ? 'bit-identical' : 'DIFFER'}`,
      );
    }
  } finally {
    await fixture.dispose();
  }
  const markdown = [
    '## Chains',
    '',
    `Wall time of one sampler run of ${chains} chains, start to last trace, with the chains inline (one after another in the stage process), ` +
      `on a pool of ${parallel} worker threads (\`os.availableParallelism()\` capped by the chains; each thread loads the target artifact and builds its own model), ` +
      `and in one child process per chain (${parallel} at a time). Start-up of threads and processes is included. ` +
      `Targets: teacher–student relu MLPs, n = 2000, trained by the target stage (2000 Adam steps at most); SGLD batch 256; HMC with window adaptation, 10 leapfrog steps. ` +
      `${opts.reps} repetitions, the three modes interleaved rep by rep; every repetition's traces were compared with the first (wall-clock fields excluded). ` +
      `The default (\`chainExecution\` unset) is '${DEFAULT_CHAIN_EXECUTION}' (samplers/src/chains.ts).`,
    '',
    mdTable(
      ['run', 'd', ...CHAIN_EXECUTIONS.map((e) => `${e} (s)`), 'fastest', 'inline / workers', 'traces'],
      rows.map((r) => [
        r.run,
        String(r.d),
        ...CHAIN_EXECUTIONS.map((e) => fmtStat(r.seconds[e])),
        r.fastest,
        `${fmt(r.seconds.inline.median / r.seconds.workers.median)}×`,
        r.identical ? 'bit-identical' : '**differ**',
      ]),
    ),
    '',
  ];
  return { lines, markdown, rows };
}
