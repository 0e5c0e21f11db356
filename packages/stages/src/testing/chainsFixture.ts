/**
 * Test and benchmark helper for chain execution: builds a pipeline's targets into a
 * folder (the real target stage, in this process) and prepares its sample runs the way
 * the sample stage does, so 'inline', 'workers' and 'process' run exactly the stage's code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandPipeline, type SampleSlice } from '@llc/config/normalize';
import type { PipelineInput } from '@llc/config/schema';
import type { StageContext } from '@llc/core/stage/context';
import { runTargetStage } from '../target/stage';
import type { ChainSetup, ExecuteOptions, RemoteSetup } from '@llc/samplers/chains';
import { chainRunOptions, chainSetup } from '../sample/stage';

export interface FixtureRun {
  slice: SampleSlice;
  local: ChainSetup;
  remote: RemoteSetup;
  /** executeChains options for this run, less `execution` (and signal/progress). */
  options: Omit<ExecuteOptions, 'execution'>;
}

export interface Fixture {
  root: string;
  runs: FixtureRun[];
  dispose(): Promise<void>;
}

function quietContext(workspaceRoot: string, outputDir: string): StageContext {
  return {
    workspaceRoot,
    outputDir,
    log: () => {},
    progress: () => ({ update: () => {}, finish: () => {} }),
    signal: new AbortController().signal,
  };
}

/** Builds every target of `input` under a temp folder and sets up every sample run. */
export async function createChainFixture(input: PipelineInput): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), 'llc-chains-'));
  const expanded = expandPipeline(input);
  for (const t of expanded.targets) await runTargetStage(t.slice, quietContext(root, join(root, t.outputDir)));
  const runs: FixtureRun[] = [];
  for (const { slice } of expanded.samples) {
    const config = slice.config;
    if (config.kind === 'vi') continue;
    const local = await chainSetup({ slice, workspaceRoot: root });
    runs.push({
      slice,
      local,
      remote: { module: new URL('../sample/stage.ts', import.meta.url).href, name: 'chainSetup', args: { slice, workspaceRoot: root, backend: local.backend } },
      options: chainRunOptions(slice, config),
    });
  }
  return {
    root,
    runs,
    async dispose() {
      for (const r of runs) r.local.dispose?.();
      await rm(root, { recursive: true, force: true });
    },
  };
}
