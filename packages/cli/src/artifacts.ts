/**
 * `llc artifacts ls [--json]` and `llc artifacts gc [--dry-run]`.
 *
 * Layout scanned (see README "Artifacts"; pipeline.<name>.ts writes under artifacts/<name>/):
 *   artifacts/[<ns>/]{targets,samples,analysis}/<id>/   artifacts/[<ns>/]report/
 * plus the temp siblings replaceDirAtomic leaves when its process is killed:
 *   <folder>.tmp-<pid>-<hex>, <folder>.old-<pid>-<hex>
 *
 * A folder is an orphan when its pipeline file loads and none of its entries (targets, runs,
 * analyses, report) has that folder as outputDir. gc removes orphans and temp folders whose
 * writer is gone, and nothing else: a folder a current entry references is never removed, even
 * corrupt or incomplete (gc is not repair: rerun the task for that). When any pipeline file
 * fails to load, or there is none, gc removes nothing, since it cannot tell what is referenced.
 */
import { lstat, readFile, readdir, rm, rmdir } from 'node:fs/promises';
import { join, posix, resolve, sep } from 'node:path';
import { z } from 'zod';
import { FileEntrySchema, verifyFiles } from '@llc/core/artifacts/manifest';
import { ArtifactError } from '@llc/core/artifacts/errors';
import { listPipelineFiles, loadPipeline } from '@llc/config/load';
import { ARTIFACTS_DIR, pipelineLayout, type ExpandedPipeline } from '@llc/config/normalize';
import { SAMPLE_MANIFEST, SAMPLE_SCHEMA } from '@llc/samplers/trace';
import { ANALYSIS_MANIFEST } from '@llc/analysis/artifact';

export const ARTIFACT_KINDS = ['targets', 'samples', 'analysis', 'report'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/**
 * The manifest each kind of folder carries. Target and report names are repeated here because
 * their modules load the tensor engine and the plotting stack; a test pins them to the originals.
 */
export const MANIFESTS: Record<ArtifactKind, { file: string; schema: string }> = {
  targets: { file: 'meta.json', schema: 'llc.target/1' },
  samples: { file: SAMPLE_MANIFEST, schema: SAMPLE_SCHEMA },
  analysis: { file: ANALYSIS_MANIFEST, schema: 'llc.analysis/1' },
  report: { file: 'manifest.json', schema: 'llc.report/1' },
};

/** `<base>.tmp-<pid>-<tag>` or `<base>.old-<pid>-<tag>` (replaceDirAtomic, writeFileAtomic). */
export const TEMP_NAME = /^(.+)\.(tmp|old)-(\d+)-([^/]+)$/;

/** Display name of the main pipeline (pipeline.config.ts), as in the `llc:pipeline:main` tag. */
export const MAIN_PIPELINE = 'main';

export type ArtifactState = 'ok' | 'incomplete' | 'corrupt' | 'missing manifest' | 'temp' | 'unknown';

export interface ArtifactEntry {
  /** 'unknown': something under artifacts/ that is not an artifact folder (never removed). */
  kind: ArtifactKind | 'unknown';
  /** Folder name: target name, run id, 'report', or the temp folder's full name. */
  id: string;
  /** 'main' for pipeline.config.ts, else the <name> of pipeline.<name>.ts. */
  pipeline: string;
  /** The pipeline's namespace: '' for pipeline.config.ts, else <name>. */
  namespace: string;
  /** Workspace-relative, '/'-separated. */
  path: string;
  /** What `ls` prints: e.g. 'ok', 'ok, orphan', 'incomplete', 'corrupt: <first problem>', 'temp'. */
  status: string;
  state: ArtifactState;
  /** First problem found (corrupt), or the incomplete detail; null otherwise. */
  problem: string | null;
  /** No current pipeline entry references it (false where that cannot be known). */
  orphan: boolean;
  /** Temp folders only: the writer's pid and whether it is still running. */
  temp: { pid: number; alive: boolean } | null;
  /** Total size of the files inside, bytes. */
  bytes: number;
  /** Newest modification time of the folder or anything in it. */
  mtime: Date;
}

export interface References {
  /** Workspace-relative folders some current pipeline entry writes (targets, runs, analyses, reports). */
  referenced: Set<string>;
  /** Namespaces ('' = main) whose pipeline file loaded. */
  loaded: Set<string>;
  /** Pipeline files that did not load: their namespaces' folders are never called orphans. */
  failures: Array<{ file: string; namespace: string | null; error: string }>;
}

/** The references of already-expanded pipelines (one per pipeline file). */
export function referencesOf(pipelines: readonly ExpandedPipeline[]): References {
  const referenced = new Set<string>();
  const loaded = new Set<string>();
  for (const p of pipelines) {
    loaded.add(p.layout.namespace);
    for (const u of [...p.targets, ...p.samples, ...p.analyses, p.report]) referenced.add(posix.normalize(u.outputDir));
  }
  return { referenced, loaded, failures: [] };
}

/** Loads every pipeline file at the workspace root; a file that fails is recorded, not thrown. */
export async function loadReferences(workspaceRoot: string): Promise<References> {
  const pipelines: ExpandedPipeline[] = [];
  const failures: References['failures'] = [];
  for (const file of listPipelineFiles(workspaceRoot)) {
    let namespace: string | null = null;
    try {
      namespace = pipelineLayout(file).namespace;
      pipelines.push(await loadPipeline(workspaceRoot, file));
    } catch (e) {
      failures.push({ file, namespace, error: (e instanceof Error ? e.message : String(e)).split('\n')[0] });
    }
  }
  return { ...referencesOf(pipelines), failures };
}

/** True if a process with this id exists (EPERM: it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function sizeAndMtime(abs: string): Promise<{ bytes: number; mtimeMs: number }> {
  const info = await lstat(abs);
  let bytes = info.isFile() ? info.size : 0;
  let mtimeMs = info.mtimeMs;
  if (info.isDirectory()) {
    for (const name of await readdir(abs)) {
      const sub = await sizeAndMtime(join(abs, name));
      bytes += sub.bytes;
      mtimeMs = Math.max(mtimeMs, sub.mtimeMs);
    }
  }
  return { bytes, mtimeMs };
}

const FilesSchema = z.array(FileEntrySchema);

/** Health of one artifact folder: its manifest is readable, of its kind, and every file it lists verifies. */
export async function checkArtifactFolder(
  dir: string,
  kind: ArtifactKind,
  label = dir,
): Promise<{ state: 'ok' | 'incomplete' | 'corrupt' | 'missing manifest'; problem: string | null }> {
  const { file, schema } = MANIFESTS[kind];
  const corrupt = (problem: string) => ({ state: 'corrupt' as const, problem });
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing manifest', problem: null };
    return corrupt(`${file}: ${(e as Error).message}`);
  }
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    return corrupt(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) return corrupt(`${file}: not a JSON object`);
  if (manifest.schema !== schema) {
    return corrupt(`${file}: schema is ${JSON.stringify(manifest.schema)}, expected ${schema}`);
  }
  const files = FilesSchema.safeParse(manifest.files);
  if (!files.success) {
    const issue = files.error.issues[0];
    return corrupt(`${file}: files${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`);
  }
  try {
    await verifyFiles(dir, files.data, `${label} (${file})`);
  } catch (e) {
    return corrupt(e instanceof ArtifactError ? e.problems[0] : (e as Error).message);
  }
  if (kind === 'samples' && manifest.complete === false) {
    const chains = Array.isArray(manifest.chains) ? (manifest.chains as Array<{ status?: { status?: string } }>) : [];
    const interrupted = chains.filter((c) => c?.status?.status === 'interrupted').length;
    return { state: 'incomplete', problem: interrupted > 0 ? `${interrupted} of ${chains.length} chains interrupted` : null };
  }
  return { state: 'ok', problem: null };
}

function statusOf(e: Pick<ArtifactEntry, 'state' | 'problem' | 'orphan' | 'temp'>): string {
  let s: string;
  if (e.state === 'corrupt') s = `corrupt: ${e.problem}`;
  else if (e.state === 'incomplete') s = e.problem ? `incomplete (${e.problem})` : 'incomplete';
  else if (e.state === 'temp') s = e.temp?.alive ? `temp (writer pid ${e.temp.pid} running)` : 'temp';
  else if (e.state === 'unknown') s = 'unknown (not an artifact folder)';
  else s = e.state;
  return e.orphan ? `${s}, orphan` : s;
}

export interface ScanOptions {
  /** Whether a temp folder's writer still runs (default: signal 0 to the pid). */
  pidAlive?: (pid: number) => boolean;
}

/** Every artifact folder, temp folder and stray entry under artifacts/, with its health and orphan status. */
export async function scanArtifacts(workspaceRoot: string, refs: References, opts: ScanOptions = {}): Promise<ArtifactEntry[]> {
  const alive = opts.pidAlive ?? pidAlive;
  const entries: ArtifactEntry[] = [];
  const failed = new Set(refs.failures.map((f) => f.namespace));

  const add = async (
    relPath: string,
    kind: ArtifactEntry['kind'],
    id: string,
    namespace: string,
    how: 'artifact' | 'temp' | 'unknown',
  ): Promise<void> => {
    const abs = join(workspaceRoot, ...relPath.split('/'));
    const { bytes, mtimeMs } = await sizeAndMtime(abs);
    const pipeline = namespace || MAIN_PIPELINE;
    let state: ArtifactState;
    let problem: string | null = null;
    let temp: ArtifactEntry['temp'] = null;
    let orphan = false;
    if (how === 'temp') {
      const pid = Number(TEMP_NAME.exec(id)![3]);
      temp = { pid, alive: alive(pid) };
      state = 'temp';
    } else if (how === 'unknown' || kind === 'unknown') {
      state = 'unknown';
    } else {
      ({ state, problem } = await checkArtifactFolder(abs, kind, relPath));
      orphan = !failed.has(namespace) && !refs.referenced.has(relPath);
    }
    const entry = { kind, id, pipeline, namespace, path: relPath, state, problem, orphan, temp, bytes, mtime: new Date(mtimeMs) };
    entries.push({ ...entry, status: statusOf(entry) });
  };

  const visible = async (abs: string) => {
    try {
      return (await readdir(abs)).filter((n) => !n.startsWith('.')).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw e;
    }
  };
  const isDir = async (abs: string) => (await lstat(abs)).isDirectory();

  /** artifacts/[<ns>/]: the kinds' folders, the report, temp siblings of the report. */
  const scanNamespace = async (namespace: string, rel: string, names: string[]) => {
    for (const name of names) {
      const path = `${rel}/${name}`;
      const abs = join(workspaceRoot, ...path.split('/'));
      const temp = TEMP_NAME.exec(name);
      if (temp) {
        await add(path, temp[1] === 'report' ? 'report' : 'unknown', name, namespace, 'temp');
      } else if (name === 'report' && (await isDir(abs))) {
        await add(path, 'report', 'report', namespace, 'artifact');
      } else if ((ARTIFACT_KINDS as readonly string[]).includes(name) && (await isDir(abs))) {
        const kind = name as ArtifactKind;
        for (const id of await visible(abs)) {
          const how = TEMP_NAME.test(id) ? 'temp' : (await isDir(join(abs, id))) ? 'artifact' : 'unknown';
          await add(`${path}/${id}`, how === 'unknown' ? 'unknown' : kind, id, namespace, how);
        }
      } else if (namespace === '' && (await isDir(abs))) {
        await scanNamespace(name, path, await visible(abs));
      } else {
        await add(path, 'unknown', name, namespace, 'unknown');
      }
    }
  };
  await scanNamespace('', ARTIFACTS_DIR, await visible(join(workspaceRoot, ARTIFACTS_DIR)));

  const kindOrder = (k: ArtifactEntry['kind']) => (k === 'unknown' ? ARTIFACT_KINDS.length : ARTIFACT_KINDS.indexOf(k));
  return entries.sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || kindOrder(a.kind) - kindOrder(b.kind) || a.id.localeCompare(b.id),
  );
}

export interface ArtifactListing {
  entries: ArtifactEntry[];
  /** Pipeline files that did not load (their folders are not checked for orphans). */
  warnings: string[];
}

function failureWarnings(refs: References): string[] {
  return refs.failures.map(
    (f) =>
      `${f.file} does not load (${f.error}); ` +
      (f.namespace === null ? 'its folders cannot be told apart' : `folders under ${pipelineLayout(f.file).artifactsDir}/ are not checked for orphans`),
  );
}

export async function listArtifacts(workspaceRoot: string, opts: ScanOptions & { references?: References } = {}): Promise<ArtifactListing> {
  const refs = opts.references ?? (await loadReferences(workspaceRoot));
  return { entries: await scanArtifacts(workspaceRoot, refs, opts), warnings: failureWarnings(refs) };
}

/** What gc removes: orphans, and temp folders whose writer is gone. Never 'unknown' entries. */
export function isCollectable(e: ArtifactEntry): boolean {
  if (e.state === 'temp') return e.temp !== null && !e.temp.alive;
  return e.kind !== 'unknown' && e.orphan;
}

export interface GcResult {
  dryRun: boolean;
  /** Removed (or, with dryRun, to be removed). */
  removed: ArtifactEntry[];
  bytesFreed: number;
  /** Temp folders kept because their writer still runs. */
  keptTemp: ArtifactEntry[];
}

export class GcRefusedError extends Error {}

/**
 * Removes orphaned artifact folders and stray temp folders of dead writers. Throws GcRefusedError
 * (removing nothing) when no pipeline file exists or one does not load.
 */
export async function gcArtifacts(
  workspaceRoot: string,
  opts: ScanOptions & { dryRun?: boolean; references?: References } = {},
): Promise<GcResult> {
  const refs = opts.references ?? (await loadReferences(workspaceRoot));
  if (refs.failures.length > 0) {
    throw new GcRefusedError(
      `gc removed nothing: ${failureWarnings(refs).join('; ')}. gc removes only what no current pipeline entry references, which it cannot tell until every pipeline file loads; fix it (npx llc validate --pipeline <name>) and rerun`,
    );
  }
  if (refs.loaded.size === 0) {
    throw new GcRefusedError('gc removed nothing: no pipeline.config.ts or pipeline.<name>.ts here, so every artifact would count as an orphan; run gc from the workspace root');
  }
  const entries = await scanArtifacts(workspaceRoot, refs, opts);
  const removed = entries.filter(isCollectable);
  const keptTemp = entries.filter((e) => e.state === 'temp' && !isCollectable(e));
  const artifactsRoot = resolve(workspaceRoot, ARTIFACTS_DIR);
  if (!opts.dryRun) {
    const parents = new Set<string>();
    for (const e of removed) {
      const abs = resolve(workspaceRoot, ...e.path.split('/'));
      // Belt and braces: inside artifacts/, below it, and not referenced.
      if (!abs.startsWith(artifactsRoot + sep) || refs.referenced.has(e.path)) {
        throw new Error(`bug: gc was about to remove ${e.path}, which it must not`);
      }
      await rm(abs, { recursive: true, force: true });
      if (e.namespace !== '' && !refs.loaded.has(e.namespace)) {
        for (let p = posix.dirname(e.path); p !== ARTIFACTS_DIR && p !== '.'; p = posix.dirname(p)) parents.add(p);
      }
    }
    // Folders gc emptied of a pipeline that no longer exists (artifacts/<ns>/samples/, then artifacts/<ns>/);
    // rmdir leaves non-empty ones alone.
    for (const p of [...parents].sort((a, b) => b.split('/').length - a.split('/').length)) {
      await rmdir(resolve(workspaceRoot, ...p.split('/'))).catch(() => undefined);
    }
  }
  return { dryRun: opts.dryRun === true, removed, bytesFreed: removed.reduce((s, e) => s + e.bytes, 0), keptTemp };
}

// ---------------------------------------------------------------- formatting

/** 1023 B, 1.5 KiB, 12.3 MiB, 1.02 GiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[u]}`;
}

/** Local time, minutes: 2025-11-29 18:39. */
export function formatTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function formatListing(entries: readonly ArtifactEntry[]): string {
  const header = ['KIND', 'ID', 'PIPELINE', 'SIZE', 'MODIFIED', 'STATUS'];
  const rows = entries.map((e) => [e.kind, e.id, e.pipeline, formatBytes(e.bytes), formatTime(e.mtime), e.status]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const total = entries.reduce((s, e) => s + e.bytes, 0);
  const orphans = entries.filter((e) => e.orphan).length;
  const temps = entries.filter((e) => e.state === 'temp').length;
  const broken = entries.filter((e) => e.state === 'corrupt' || e.state === 'incomplete' || e.state === 'missing manifest').length;
  const reclaimable = entries.filter(isCollectable).reduce((s, e) => s + e.bytes, 0);
  const summary =
    `total: ${plural(entries.length, 'folder')}, ${formatBytes(total)} (${total} bytes); ` +
    `${orphans} orphan, ${temps} temp, ${broken} corrupt/incomplete/missing manifest; ` +
    `llc artifacts gc would free ${formatBytes(reclaimable)}`;
  return [line(header), ...rows.map(line), summary].join('\n');
}

export function listingJson(listing: ArtifactListing): string {
  const entries = listing.entries.map((e) => ({ ...e, mtime: e.mtime.toISOString() }));
  const totalBytes = listing.entries.reduce((s, e) => s + e.bytes, 0);
  return JSON.stringify({ entries, totalBytes, warnings: listing.warnings }, null, 2);
}

export function formatGc(r: GcResult): string {
  const lines: string[] = [];
  const freed = `${formatBytes(r.bytesFreed)} (${r.bytesFreed} bytes)`;
  if (r.removed.length === 0) {
    lines.push(`Nothing to remove: no orphaned artifact folders and no stray temp folders. 0 bytes freed.`);
  } else {
    lines.push(
      r.dryRun
        ? `Would remove ${plural(r.removed.length, 'folder')}, freeing ${freed} (dry run: nothing was removed):`
        : `Removed ${plural(r.removed.length, 'folder')}, freed ${freed}:`,
    );
    const width = Math.max(...r.removed.map((e) => e.path.length));
    for (const e of r.removed) lines.push(`  ${e.path.padEnd(width)}  ${formatBytes(e.bytes).padStart(9)}  ${e.status}`);
  }
  for (const e of r.keptTemp) lines.push(`Kept ${e.path}: its writer (pid ${e.temp?.pid}) is still running.`);
  return lines.join('\n');
}

// ---------------------------------------------------------------- command

export const ARTIFACTS_USAGE = `Usage: llc artifacts <ls|gc>
  ls [--json]     every artifact folder under artifacts/ (all pipelines): kind, id, pipeline, size, time, status
                  (ok | incomplete | corrupt: <problem> | missing manifest | temp, and ', orphan' when no
                  current pipeline entry references it)
  gc [--dry-run]  remove orphaned folders and temp folders of dead writers; never a referenced folder`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const consoleIo: Io = { out: (t) => console.log(t), err: (t) => console.error(t) };

/** `llc artifacts ...`; returns the exit code. */
export async function runArtifactsCommand(workspaceRoot: string, args: readonly string[], io: Io = consoleIo): Promise<number> {
  const [sub, ...rest] = args;
  const allowed: Record<string, string[]> = { ls: ['--json'], gc: ['--dry-run'] };
  if (!sub || !(sub in allowed)) {
    io.err(sub ? `Unknown artifacts command '${sub}'.\n${ARTIFACTS_USAGE}` : ARTIFACTS_USAGE);
    return 2;
  }
  const unknown = rest.filter((a) => !allowed[sub].includes(a));
  if (unknown.length > 0) {
    io.err(`llc artifacts ${sub}: unknown argument ${unknown.map((a) => `'${a}'`).join(', ')}.\n${ARTIFACTS_USAGE}`);
    return 2;
  }
  if (sub === 'ls') {
    const listing = await listArtifacts(workspaceRoot);
    for (const w of listing.warnings) io.err(`warning: ${w}`);
    io.out(rest.includes('--json') ? listingJson(listing) : formatListing(listing.entries));
    return 0;
  }
  try {
    io.out(formatGc(await gcArtifacts(workspaceRoot, { dryRun: rest.includes('--dry-run') })));
    return 0;
  } catch (e) {
    if (!(e instanceof GcRefusedError)) throw e;
    io.err(`✖ ${e.message}`);
    return 1;
  }
}
