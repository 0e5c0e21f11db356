/**
 * Sync generator: writes each unit's config slice to `pipeline/<kind>/<id>/slice.json`
 * (committed), so an edit to one entry of pipeline.config.ts shows up in
 * `nx affected` as an edit to exactly that unit's project, and where each unit runs to
 * `pipeline/backends.json` (owned by no project: moving a run to SLURM affects nothing).
 * Writes only on change; removes the folders of units that no longer exist.
 */
import type { Tree } from '@nx/devkit';
import { listPipelineFiles, loadPipeline } from '@llc/config/load';
import { PIPELINE_DIR, placementFile, placementFileContent, type Unit } from '@llc/config/normalize';

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
  const changed: string[] = [];
  const writeIfChanged = (file: string, content: string) => {
    if (tree.read(file, 'utf-8') === content) return;
    tree.write(file, content);
    changed.push(file);
  };
  const placementFiles = new Set<string>();
  for (const file of listPipelineFiles(tree.root)) {
    const pipeline = await loadPipeline(tree.root, file);
    units.push(...pipeline.targets, ...pipeline.samples, ...pipeline.analyses, pipeline.report);
    placementFiles.add(placementFile(pipeline.layout));
    writeIfChanged(placementFile(pipeline.layout), `${JSON.stringify(placementFileContent(pipeline), null, 2)}\n`);
  }
  // backends.json of a pipeline file that is gone (pipeline/<name>/backends.json).
  for (const dir of [PIPELINE_DIR, ...tree.children(PIPELINE_DIR).map((c) => `${PIPELINE_DIR}/${c}`)]) {
    const file = `${dir}/backends.json`;
    if (tree.exists(file) && !placementFiles.has(file)) {
      tree.delete(file);
      changed.push(`${file} (removed: no longer in any pipeline file)`);
    }
  }
  const wanted = new Set(units.map((u) => u.root));
  for (const unit of units) writeIfChanged(`${unit.root}/slice.json`, sliceFileContent(unit));
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
