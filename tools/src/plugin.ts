/**
 * The Nx plugin: infers one project per pipeline unit from `pipeline.config.ts`.
 * Each unit's config slice goes into its target options (hashed by Nx) and into a
 * committed `pipeline/<kind>/<id>/slice.json` (written by the sync generator) so that
 * both the cache and `nx affected` see exactly which units an edit touches.
 */
import type { CreateNodes } from '@nx/devkit';
import { loadPipeline } from './config/load';
import { PIPELINE_FILE_PATTERN } from './config/normalize';
import { buildProjects } from './nx/projects';

/** pipeline.config.ts, plus any pipeline.<name>.ts beside it (each its own namespace). */
export const PIPELINE_GLOB = 'pipeline.*.ts';

export const createNodes: CreateNodes = [
  PIPELINE_GLOB,
  async (files, _options, context) => {
    const results = [];
    for (const file of files) {
      if (!PIPELINE_FILE_PATTERN.test(file)) {
        throw new Error(`${file}: pipeline files are named pipeline.config.ts or pipeline.<name>.ts with a lowercase name (letters, digits, '-', '_'); rename it`);
      }
      const pipeline = await loadPipeline(context.workspaceRoot, file);
      results.push([file, { projects: buildProjects(pipeline) }] as const);
    }
    return results;
  },
];
