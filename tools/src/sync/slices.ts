/**
 * Sync generator: writes each unit's config slice to `pipeline/<kind>/<id>/slice.json`
 * (committed), so an edit to one entry of pipeline.config.ts shows up in
 * `nx affected` as an edit to exactly that unit's project. Writes only on change;
 * removes the folders of units that no longer exist.
 */
import type { Tree } from '@nx/devkit';
import { listPipelineFiles, loadPipeline } from '../config/load';
import { PIPELINE_DIR, type Unit } from '../config/normalize';

export function sliceFileContent(unit: Unit): string {
  return `${JSON.stringify(unit.slice, null, 2)}\n`;
}

/** Folders under pipeline/ that hold a slice.json. */
function sliceDirs(tree: Tree, dir: string, out: string[] = []): string[] {
  if (tree.exists(`${dir}/slice.json`)) out.push(dir);
  for (const child of tree.children(dir)) {
    const path = `${dir}/${child}`;
    if (!tree.isFile(path)) sliceDirs(tree, path, out);
  }
  return out;
}

export default async function syncSlices(tree: Tree) {
  const units: Unit[] = [];
  for (const file of listPipelineFiles(tree.root)) {
    const pipeline = await loadPipeline(tree.root, file);
    units.push(...pipeline.targets, ...pipeline.samples, ...pipeline.analyses, pipeline.report);
  }
  const changed: string[] = [];
  const wanted = new Set(units.map((u) => u.root));
  for (const unit of units) {
    const file = `${unit.root}/slice.json`;
    const content = sliceFileContent(unit);
    if (tree.read(file, 'utf-8') !== content) {
      tree.write(file, content);
      changed.push(file);
    }
  }
  for (const root of sliceDirs(tree, PIPELINE_DIR)) {
    if (!wanted.has(root)) {
      tree.delete(root);
      changed.push(`${root} (removed: no longer in any pipeline file)`);
    }
  }
  if (changed.length === 0) return;
  return {
    outOfSyncMessage: `Pipeline slice files are out of date with pipeline.config.ts (${changed.length} change${changed.length === 1 ? '' : 's'}). Run 'npx nx sync' and commit pipeline/.`,
    outOfSyncDetails: changed,
  };
}
