/**
 * The Nx plugin: infers one project per pipeline unit from `pipeline.config.ts`.
 * Each unit's config slice goes into its target options (hashed by Nx) and into a
 * committed `pipeline/<kind>/<id>/slice.json` (written by the sync generator) so that
 * both the cache and `nx affected` see exactly which units an edit touches.
 */
import type { CreateNodes } from '@nx/devkit';
import { loadPipeline, PIPELINE_FILE } from './config/load';
import { buildProjects } from './nx/projects';

export const createNodes: CreateNodes = [
  PIPELINE_FILE,
  async (files, _options, context) => {
    const results = [];
    for (const file of files) {
      const pipeline = await loadPipeline(context.workspaceRoot, file);
      results.push([file, { projects: buildProjects(pipeline) }] as const);
    }
    return results;
  },
];
