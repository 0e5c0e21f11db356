/**
 * The one executor: runs a pipeline stage as its own OS process (execa) with the
 * unit's slice on stdin, streams its progress, and maps failure to a titled message.
 * No numerics run inside the Nx process.
 */
import type { ExecutorContext } from '@nx/devkit';
import { join } from 'node:path';

export interface StageExecutorOptions {
  slice: { stage: string } & Record<string, unknown>;
  outputDir: string;
}

export const STAGE_ENTRY = 'tools/src/stage/main.ts';

export default async function runStage(
  options: StageExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const { execa } = await import('execa');
  const entry = join(context.root, STAGE_ENTRY);
  const args = ['--import', 'tsx', entry, options.slice.stage, '--output', options.outputDir];
  const label = `${context.projectName}:${context.targetName}`;
  try {
    await execa(process.execPath, args, {
      cwd: context.root,
      input: JSON.stringify(options.slice),
      stdout: 'inherit',
      stderr: 'inherit',
      // Ctrl-C reaches the child through the process group; let it save a partial trace.
      forceKillAfterDelay: 10_000,
    });
    return { success: true };
  } catch (error) {
    const e = error as { exitCode?: number; signal?: string; isTerminated?: boolean; shortMessage?: string };
    const cause = e.signal ? `killed by ${e.signal}` : `exit code ${e.exitCode ?? 'unknown'}`;
    console.error(`\n✖ ${label} failed (${cause}). The stage's own error is printed above.\n  Command: node ${args.join(' ')}`);
    return { success: false };
  }
}
