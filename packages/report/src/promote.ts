/**
 * `llc promote --to docs/results`: copies the report's table (CSV, JSON, the HTML page)
 * and the chosen plots into a folder the user names, for publication. The report is
 * verified against its manifest first, so nothing stale or edited is published.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { verifyFiles, type FileEntry } from '@llc/core/artifacts/manifest';
import { REPORT_FILES } from './files';

export interface PromoteOptions {
  /** Absolute report folder (artifacts/report or artifacts/<pipeline>/report). */
  reportDir: string;
  /** Absolute destination folder; created if missing. */
  to: string;
  /** Plot names to copy for every run (e.g. trace, running-llc); default: all. */
  plots?: string[];
  /** Run ids whose plots to copy; default: all. */
  runs?: string[];
}

export async function promoteReport(opts: PromoteOptions): Promise<string[]> {
  const manifestPath = join(opts.reportDir, REPORT_FILES.manifest);
  let files: FileEntry[];
  try {
    files = (JSON.parse(await readFile(manifestPath, 'utf8')) as { files: FileEntry[] }).files;
  } catch (e) {
    throw new Error(`No report to promote at ${opts.reportDir} (${(e as Error).message}); run the pipeline first (npx llc run)`, { cause: e });
  }
  await verifyFiles(opts.reportDir, files, `${opts.reportDir} (${REPORT_FILES.manifest})`, { rerun: 'npx nx run report:report --skip-nx-cache' });

  const runOf = (path: string) => path.split('/')[1];
  const nameOf = (path: string) => path.split('/').pop()!.replace(/\.(svg|png)$/, '');
  const knownRuns = new Set(files.filter((f) => /^plots\/[^/]+\/[^/]+$/.test(f.path)).map((f) => runOf(f.path)));
  const knownPlots = new Set(files.filter((f) => /^plots\/[^/]+\/[^/]+$/.test(f.path)).map((f) => nameOf(f.path)));
  for (const r of opts.runs ?? []) {
    if (!knownRuns.has(r)) throw new Error(`--runs: no run '${r}' in the report; runs: ${[...knownRuns].join(', ')}`);
  }
  for (const p of opts.plots ?? []) {
    if (!knownPlots.has(p)) throw new Error(`--plots: no plot named '${p}'; plots: ${[...knownPlots].sort().join(', ')}`);
  }

  const chosen = files
    .map((f) => f.path)
    .filter((path) => {
      if ([REPORT_FILES.html, REPORT_FILES.csv, REPORT_FILES.json].includes(path)) return true;
      if (/^plots\/compare-[^/]+$/.test(path)) return true;
      if (!/^plots\/[^/]+\/[^/]+$/.test(path)) return false;
      return (!opts.runs || opts.runs.includes(runOf(path))) && (!opts.plots || opts.plots.includes(nameOf(path)));
    });
  for (const path of chosen) {
    const dest = join(opts.to, path);
    await mkdir(dirname(dest), { recursive: true });
    await copyFile(join(opts.reportDir, path), dest);
  }
  return chosen.map((path) => relative(process.cwd(), join(opts.to, path)));
}
