/**
 * The Nx plugin: infers one project per pipeline unit from `pipeline.config.ts`.
 * Each unit's config slice goes into its target options (hashed by Nx) and into a
 * committed `pipeline/<kind>/<id>/slice.json` (written by the sync generator) so that
 * both the cache and `nx affected` see exactly which units an edit touches.
 */
import type { CreateNodes } from '@nx/devkit';
import { loadPipeline } from './config/load';
import { buildProjects } from './nx/projects';

/** pipeline.config.ts, plus any pipeline.<name>.ts beside it (each its own namespace). */
export const PIPELINE_GLOB = 'pipeline.*.ts';

export const createNodes: CreateNodes = [
  PIPELINE_GLOB,
  async (files, _options, context) => {
    const results = [];
    for (const file of files) {
      const pipeline = await loadPipeline(context.workspaceRoot, file);
      results.push([file, { projects: buildProjects(pipeline) }] as const);
    }
    return results;
  },
];
