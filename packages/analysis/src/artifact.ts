/**
 * The analysis artifact folder: summary.json, timing.json, plots (SVG + PNG) and a
 * manifest.json listing every file's hash, verified on every load.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyFiles, type FileEntry } from '@llc/core/artifacts/manifest';
import { SUMMARY_FILE, SUMMARY_SCHEMA, TIMING_FILE, type Summary, type Timing } from './summary';

export const ANALYSIS_MANIFEST = 'manifest.json';

export interface AnalysisManifest {
  schema: 'llc.analysis/1';
  id: string;
  /** Plot basenames (each with .svg and .png) in display order. */
  plots: Array<{ name: string; caption: string }>;
  files: FileEntry[];
}

export interface LoadedAnalysis {
  dir: string;
  manifest: AnalysisManifest;
  summary: Summary;
  timing: Timing | null;
}

export async function readAnalysisArtifact(workspaceRoot: string, ref: { dir: string; project: string }): Promise<LoadedAnalysis> {
  const rel = ref.dir;
  const dir = join(workspaceRoot, rel);
  const rerun = `npx nx run ${ref.project}:analyze --skip-nx-cache`;
  let manifest: AnalysisManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, ANALYSIS_MANIFEST), 'utf8')) as AnalysisManifest;
  } catch (e) {
    throw new Error(`Cannot read ${rel}/${ANALYSIS_MANIFEST} (${(e as Error).message}); rerun: ${rerun}`, { cause: e });
  }
  await verifyFiles(dir, manifest.files, `${rel} (${ANALYSIS_MANIFEST})`, { rerun });
  const summary = JSON.parse(await readFile(join(dir, SUMMARY_FILE), 'utf8')) as Summary;
  if (summary.schema !== SUMMARY_SCHEMA) {
    throw new Error(`${rel}/${SUMMARY_FILE}: schema ${JSON.stringify(summary.schema)}, expected ${SUMMARY_SCHEMA}; rerun: ${rerun}`);
  }
  const timing = manifest.files.some((f) => f.path === TIMING_FILE)
    ? (JSON.parse(await readFile(join(dir, TIMING_FILE), 'utf8')) as Timing)
    : null;
  return { dir, manifest, summary, timing };
}
