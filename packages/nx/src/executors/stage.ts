/**
 * The one executor: runs a pipeline stage as its own OS process with the unit's slice,
 * streams its progress, and maps failure to a titled message. The process runs here
 * (execa, slice on stdin) or as a SLURM job (slurm.ts), as backends.json says; either
 * way it writes the same output folder, so caching and `nx affected` cannot tell them apart.
 * No numerics run inside the Nx process.
 */
import type { ExecutorContext } from '@nx/devkit';
import { join } from 'node:path';
import type { SlurmSettings } from '@llc/config/schema';
import { resolvePlacement } from './placement';
// Static, not dynamic: Nx registers its TypeScript transpiler only while it loads this module.
import { runStageOnSlurm } from './slurm';
import { ENGINE_FINGERPRINT_ENV, engineFingerprint, machineEngines } from '@llc/targets/engine/fingerprint';
import type { EnginePreference } from '@llc/targets/engine/backend';

export interface StageExecutorOptions {
  slice: { stage: string } & Record<string, unknown>;
  outputDir: string;
  /** backends.json of the unit's pipeline (where each unit runs); absent: local. */
  placements?: string;
}

export const STAGE_ENTRY = 'packages/stages/src/main.ts';

/**
 * The engine fingerprint the cache key was computed with on this machine (the plugin's runtime
 * input runs the same function), for the stage to compare with its own, locally or on a SLURM node.
 */
export function engineEnv(slice: StageExecutorOptions['slice']): Record<string, string> {
  if (slice.stage !== 'target' && slice.stage !== 'sample') return {};
  return { [ENGINE_FINGERPRINT_ENV]: engineFingerprint(slice.engine as EnginePreference, machineEngines()) };
}

export default async function runStage(
  options: StageExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const label = `${context.projectName}:${context.targetName}`;
  const project = context.projectName ?? 'unknown';
  const placement = resolvePlacement(context.root, options.placements, project);
  if (placement.backend === 'slurm') return runSlurm(options, context, label, placement.slurm);
  const env = engineEnv(options.slice);
  const { execa } = await import('execa');
  const entry = join(context.root, STAGE_ENTRY);
  const args = ['--import', 'tsx', entry, options.slice.stage, '--output', options.outputDir];
  try {
    await execa(process.execPath, args, {
      cwd: context.root,
      input: JSON.stringify(options.slice),
      env,
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

async function runSlurm(
  options: StageExecutorOptions,
  context: ExecutorContext,
  label: string,
  settings: SlurmSettings,
): Promise<{ success: boolean }> {
  try {
    const result = await runStageOnSlurm({
      workspaceRoot: context.root,
      project: context.projectName ?? 'unknown',
      target: context.targetName ?? 'unknown',
      settings,
      stage: options.slice.stage,
      outputDir: options.outputDir,
      slice: options.slice,
      env: engineEnv(options.slice),
    });
    if (result.failure === null) return { success: true };
    console.error(`\n✖ ${label} failed: ${result.failure}`);
    return { success: false };
  } catch (error) {
    console.error(`\n✖ ${label} failed: ${(error as Error).message}`);
    return { success: false };
  }
}
