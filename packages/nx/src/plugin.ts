/**
 * The Nx plugin: infers one project per pipeline unit from each `pipeline.<name>.ts`.
 * Each unit's config slice goes into its target options (hashed by Nx) and into a
 * committed `pipeline/<kind>/<id>/slice.json` (written by the sync generator) so that
 * both the cache and `nx affected` see exactly which units an edit touches.
 *
 * Options (nx.json `plugins: [{ "plugin": "@llc/nx", "options": { ... } }]`), as Nx's own
 * plugins name them: buildTargetName, sampleTargetName, analyzeTargetName, reportTargetName.
 * A broken pipeline file is reported with its own error while the others stay in the graph.
 */
import { createNodesFromFiles, type CreateNodes } from '@nx/devkit';
import { loadPipeline } from '@llc/config/load';
import { PIPELINE_FILE_PATTERN } from '@llc/config/normalize';
import { buildProjects, DEFAULT_TARGET_NAMES, type SourcesOf, type TargetNames } from './projects';
import { stageSources } from './stageSources';

/** pipeline.config.ts, plus any pipeline.<name>.ts beside it (each its own namespace). */
export const PIPELINE_GLOB = 'pipeline.*.ts';

export interface LlcPluginOptions {
  buildTargetName?: string;
  sampleTargetName?: string;
  analyzeTargetName?: string;
  reportTargetName?: string;
}

const OPTION_KEYS: Array<[keyof LlcPluginOptions, keyof TargetNames]> = [
  ['buildTargetName', 'build'],
  ['sampleTargetName', 'sample'],
  ['analyzeTargetName', 'analyze'],
  ['reportTargetName', 'report'],
];

/** Defaults filled in and every option checked, so a typo in nx.json is an error rather than silently ignored. */
export function normalizeOptions(options: unknown): TargetNames {
  if (options === undefined || options === null) return { ...DEFAULT_TARGET_NAMES };
  if (typeof options !== 'object' || Array.isArray(options)) throw new Error('@llc/nx options must be an object');
  const known = new Set<string>(OPTION_KEYS.map(([k]) => k));
  const unknown = Object.keys(options).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new Error(`@llc/nx options: unknown ${unknown.map((k) => `'${k}'`).join(', ')}; allowed: ${[...known].join(', ')}`);
  }
  const names = { ...DEFAULT_TARGET_NAMES };
  for (const [option, target] of OPTION_KEYS) {
    const value = (options as LlcPluginOptions)[option];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !/^[a-zA-Z][\w-]*$/.test(value)) {
      throw new Error(`@llc/nx options: ${option} must be a target name (letters, digits, '-', '_'), got ${JSON.stringify(value)}`);
    }
    names[target] = value;
  }
  const taken = new Set(Object.values(names));
  if (taken.size !== OPTION_KEYS.length) throw new Error(`@llc/nx options: the four target names must differ, got ${Object.values(names).join(', ')}`);
  return names;
}

/** One import-graph walk per stage (and sampler kind) per graph computation. */
function memoizedSources(workspaceRoot: string): SourcesOf {
  const cache = new Map<string, ReturnType<SourcesOf>>();
  return (stage, kind) => {
    const key = `${stage}:${kind ?? ''}`;
    let sources = cache.get(key);
    if (!sources) {
      sources = stageSources(workspaceRoot, stage, kind);
      cache.set(key, sources);
    }
    return sources;
  };
}

export const createNodes: CreateNodes<LlcPluginOptions> = [
  PIPELINE_GLOB,
  async (files, options, context) => {
    const names = normalizeOptions(options);
    const sourcesOf = memoizedSources(context.workspaceRoot);
    return createNodesFromFiles(
      async (file) => {
        if (!PIPELINE_FILE_PATTERN.test(file)) {
          throw new Error(`${file}: pipeline files are named pipeline.config.ts or pipeline.<name>.ts with a lowercase name (letters, digits, '-', '_'); rename it`);
        }
        const pipeline = await loadPipeline(context.workspaceRoot, file);
        return { projects: buildProjects(pipeline, sourcesOf, names) };
      },
      files,
      options ?? {},
      context,
    );
  },
];
