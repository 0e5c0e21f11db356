/**
 * Finds and loads the user's pipeline file with cosmiconfig (TypeScript through
 * cosmiconfig-typescript-loader), then validates and expands it.
 */
import { cosmiconfig } from 'cosmiconfig';
import { TypeScriptLoader } from 'cosmiconfig-typescript-loader';
import { join, relative } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { globSync } from 'tinyglobby';
import { expandPipeline, PIPELINE_FILE_PATTERN, type ExpandedPipeline } from './normalize';
import { PipelineConfigError } from './errors';
import { loadImportedTarget, type DataCache } from '@llc/targets/imported/importedTarget';

export const PIPELINE_FILE = 'pipeline.config.ts';

/** Raw exported config object (default export or `pipeline` named export). */
export async function loadPipelineInput(workspaceRoot: string, file = PIPELINE_FILE): Promise<{ input: unknown; file: string }> {
  const path = join(workspaceRoot, file);
  if (!existsSync(path)) {
    throw new Error(`No pipeline config at ${path}: create ${file} (see README "Writing a pipeline") or pass --config <file>`);
  }
  const explorer = cosmiconfig('pipeline', {
    // Users may edit the file between two loads in one process (the Nx daemon, the sync
    // generator, tests): neither cosmiconfig nor jiti's module cache may serve a stale config.
    loaders: { '.ts': TypeScriptLoader({ moduleCache: false }) },
    cache: false,
  });
  const result = await explorer.load(path);
  const rel = relative(workspaceRoot, path) || file;
  if (!result || result.isEmpty) {
    throw new Error(`${rel} exports nothing: export default definePipeline({...})`);
  }
  let input = result.config as Record<string, unknown>;
  if (input && typeof input === 'object' && 'default' in input && Object.keys(input).length === 1) {
    input = input.default as Record<string, unknown>;
  }
  return { input, file: rel };
}

/** Every pipeline file at the workspace root: pipeline.config.ts first, then pipeline.<name>.ts sorted. */
export function listPipelineFiles(workspaceRoot: string): string[] {
  return readdirSync(workspaceRoot)
    .filter((f) => PIPELINE_FILE_PATTERN.test(f))
    .sort((a, b) => (a === PIPELINE_FILE ? -1 : b === PIPELINE_FILE ? 1 : a.localeCompare(b)));
}

/**
 * Reads every imported target's weights and data and checks them against its architecture and
 * loss (tensor names and shapes, dtypes, row counts and widths, labels, NaN/Inf) and each run's
 * batch size against the rows: one PipelineConfigError listing every problem, before any task.
 */
export function checkImportedFiles(workspaceRoot: string, pipeline: ExpandedPipeline, file: string): void {
  const problems: string[] = [];
  const rows = new Map<string, number>();
  const data: DataCache = new Map();
  for (const { slice } of pipeline.targets) {
    const config = slice.config;
    if (config.kind !== 'imported' || config.weights === undefined) continue;
    const spec = { weights: config.weights, architecture: config.architecture, loss: config.loss, data: config.data };
    const loaded = loadImportedTarget(workspaceRoot, spec, `targets.${slice.name}`, data);
    if (loaded.target === null) problems.push(...loaded.problems);
    else rows.set(slice.name, loaded.target.train.X.rows);
  }
  for (const { slice } of pipeline.samples) {
    const n = rows.get(slice.target);
    const batch = 'batchSize' in slice.config ? slice.config.batchSize : undefined;
    if (n !== undefined && typeof batch === 'number' && batch > n) {
      problems.push(`run '${slice.id}': batchSize ${batch} exceeds the ${n} training rows of target '${slice.target}'; use at most ${n}`);
    }
  }
  if (problems.length > 0) throw new PipelineConfigError(file, [...new Set(problems)]);
}

export async function loadPipeline(workspaceRoot: string, file = PIPELINE_FILE): Promise<ExpandedPipeline> {
  const { input, file: rel } = await loadPipelineInput(workspaceRoot, file);
  const glob = (pattern: string) => globSync(pattern, { cwd: workspaceRoot, onlyFiles: true }).sort();
  const pipeline = expandPipeline(input, rel, { glob });
  checkImportedFiles(workspaceRoot, pipeline, rel);
  return pipeline;
}
