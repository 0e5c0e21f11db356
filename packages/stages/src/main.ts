/**
 * Entry point of a stage process: `node --import tsx packages/stages/src/main.ts <stage>
 * --output <dir> [--slice <file>]`. The slice comes on stdin (from the executor) or
 * from a file (by hand: `--slice pipeline/samples/<id>/slice.json`).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createStageContext } from '@llc/core/stage/context';
import type { Slice } from '@llc/config/normalize';

const STAGES = ['target', 'sample', 'analysis', 'report'] as const;
type StageName = (typeof STAGES)[number];

function parseArgs(argv: string[]): { stage: StageName; output: string; sliceFile?: string } {
  const [stage, ...rest] = argv;
  if (!STAGES.includes(stage as StageName)) {
    throw new Error(`Unknown stage ${JSON.stringify(stage)}; expected one of: ${STAGES.join(', ')}`);
  }
  let output: string | undefined;
  let sliceFile: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--output') output = rest[++i];
    else if (rest[i] === '--slice') sliceFile = rest[++i];
    else throw new Error(`Unknown argument ${JSON.stringify(rest[i])}; expected --output <dir> [--slice <file>]`);
  }
  if (!output) throw new Error('Missing --output <dir> (the artifact folder this stage writes)');
  return { stage: stage as StageName, output, sliceFile };
}

async function runStage(stage: StageName, slice: Slice, ctx: ReturnType<typeof createStageContext>): Promise<void> {
  if (slice.stage !== stage) throw new Error(`Slice is for stage '${slice.stage}' but stage '${stage}' was asked for`);
  switch (slice.stage) {
    case 'target':
      return (await import('./target/stage')).runTargetStage(slice, ctx);
    case 'sample':
      return (await import('./sample/stage')).runSampleStage(slice, ctx);
    case 'analysis':
      return (await import('./analysis/stage')).runAnalysisStage(slice, ctx);
    case 'report':
      return (await import('./report/stage')).runReportStage(slice, ctx);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const text = args.sliceFile ? readFileSync(args.sliceFile, 'utf8') : readFileSync(0, 'utf8');
  const slice = JSON.parse(text) as Slice;
  const id = 'id' in slice ? slice.id : 'name' in slice ? slice.name : slice.stage;
  const label = `${args.stage} ${id}`;
  const controller = new AbortController();
  // The first SIGINT/SIGTERM asks the stage to stop and keep a partial result. Nx answers a
  // terminal Ctrl-C by sending SIGTERM to its tasks right after the SIGINT, so a second,
  // different signal is not "press again": only the same signal again, a second later, quits at once.
  let first: { signal: string; at: number } | null = null;
  const abort = (signal: string) => {
    if (first) {
      if (signal === first.signal && performance.now() - first.at > 1000) process.exit(130);
      return;
    }
    first = { signal, at: performance.now() };
    process.stderr.write(`[${label}] ${signal}: stopping; a partial result is kept and marked incomplete (press Ctrl-C again to quit now)\n`);
    controller.abort();
  };
  process.on('SIGINT', () => abort('SIGINT'));
  process.on('SIGTERM', () => abort('SIGTERM'));
  const ctx = createStageContext(process.cwd(), resolve(process.cwd(), args.output), label, controller.signal);
  await runStage(args.stage, slice, ctx);
  // An audit trail of which stages really executed (not restored from cache).
  if (process.env.LLC_RUN_LOG) {
    const where = process.env.LLC_SLURM_JOB_ID ? ` slurm-job ${process.env.LLC_SLURM_JOB_ID}` : '';
    appendFileSync(process.env.LLC_RUN_LOG, `${args.stage} ${id}${where}\n`);
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`\n✖ ${message}\n`);
  if (process.env.LLC_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
