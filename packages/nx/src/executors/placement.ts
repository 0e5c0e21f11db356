/**
 * Where a task's stage runs, read at run time from the generated backends.json (see
 * config/normalize.ts placementFileContent) so that the backend is never part of a
 * cache key. LLC_BACKEND=local|slurm overrides it for every task (debugging, CI).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Placement, PlacementFile } from '@llc/config/normalize';

const LOCAL: Placement = { backend: 'local', slurm: {} };

export function resolvePlacement(workspaceRoot: string, file: string | undefined, project: string, env = process.env): Placement {
  let placement = LOCAL;
  const path = file ? join(workspaceRoot, file) : null;
  if (path && existsSync(path)) {
    let parsed: PlacementFile;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8')) as PlacementFile;
    } catch (error) {
      throw new Error(`${file} is not valid JSON (${(error as Error).message}); regenerate it with 'npx nx sync'`, { cause: error });
    }
    placement = parsed.projects?.[project] ?? parsed.pipeline ?? LOCAL;
  }
  const override = env.LLC_BACKEND;
  if (override !== undefined && override !== '') {
    if (override !== 'local' && override !== 'slurm') {
      throw new Error(`LLC_BACKEND=${JSON.stringify(override)} is not a backend; use 'local' or 'slurm' (or unset it)`);
    }
    placement = { ...placement, backend: override };
  }
  return placement;
}
