/**
 * The generic part of every artifact manifest: one entry per file with its size,
 * sha256 and (for safetensors) each tensor's dtype and shape.
 *
 * Stages embed `FileEntry[]` in their own manifest (meta.json, manifest.json,
 * summary.json) and call `verifyFiles` before trusting a folder, so a file edited,
 * truncated or swapped after it was produced — by hand or by a stale Nx cache —
 * is caught with one message listing everything that differs.
 */
import { hashFile as hashaFile, hashSync } from 'hasha';
import { stat } from 'node:fs/promises';
import { isAbsolute, posix, resolve } from 'node:path';
import { z } from 'zod';
import { ArtifactError } from './errors';
import { DTYPES, readSafetensorsHeader, type Dtype } from './safetensors';

export const TensorDescSchema = z.object({
  dtype: z.enum(DTYPES),
  shape: z.array(z.number().int().nonnegative()),
});
export type TensorDesc = { dtype: Dtype; shape: number[] };

/** Zod schema for one file entry, for stages to embed in their manifest schemas. */
export const FileEntrySchema = z.object({
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  bytes: z.number().int().nonnegative(),
  tensors: z.record(z.string(), TensorDescSchema).optional(),
});
export type FileEntry = {
  /** Relative to the artifact folder, '/'-separated. */
  path: string;
  sha256: string;
  bytes: number;
  /** Present for .safetensors files: each tensor's dtype and shape. */
  tensors?: Record<string, TensorDesc>;
};
// Compile-time guard that the schema and the type describe the same shape.
const _schemaMatchesType: z.ZodType<FileEntry> = FileEntrySchema;
void _schemaMatchesType;

/** sha256 of a file as lowercase hex (hashed off the main thread by hasha). */
export async function hashFile(path: string): Promise<string> {
  return hashaFile(path, { algorithm: 'sha256' });
}

/** sha256 of in-memory bytes as lowercase hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return hashSync(bytes, { algorithm: 'sha256' });
}

export function isSafetensorsPath(path: string): boolean {
  return path.endsWith('.safetensors');
}

/**
 * Resolves a manifest path inside `dir`, or explains why it can't be: manifests
 * must stay relocatable (Nx restores outputs elsewhere) and must not point outside
 * their own folder.
 */
export function resolveEntryPath(dir: string, rel: string): { abs: string } | { problem: string } {
  if (rel.length === 0) return { problem: 'empty path' };
  if (rel.includes('\\') || isAbsolute(rel) || posix.isAbsolute(rel)) {
    return { problem: `${rel}: not a relative '/'-separated path` };
  }
  const norm = posix.normalize(rel);
  if (norm !== rel || norm === '.' || norm.split('/').includes('..')) {
    return { problem: `${rel}: path must be normalised and stay inside the artifact folder` };
  }
  const root = resolve(dir);
  return { abs: resolve(root, ...norm.split('/')) };
}

/** First 12 hex digits: enough to tell hashes apart in a message. */
function short(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Problems between the tensors a manifest records and those a file holds, one
 * line per tensor, each naming the file and tensor.
 */
export function compareTensors(
  file: string,
  expected: Record<string, TensorDesc>,
  found: Record<string, TensorDesc>,
): string[] {
  const problems: string[] = [];
  for (const [name, want] of Object.entries(expected)) {
    const got = found[name];
    if (!got) {
      problems.push(`${file}: tensor "${name}" is missing from the file`);
      continue;
    }
    if (got.dtype !== want.dtype) {
      problems.push(`${file}: tensor "${name}" dtype differs (expected ${want.dtype}, found ${got.dtype})`);
    }
    if (fmtShape(got.shape) !== fmtShape(want.shape)) {
      problems.push(`${file}: tensor "${name}" shape differs (expected ${fmtShape(want.shape)}, found ${fmtShape(got.shape)})`);
    }
  }
  for (const name of Object.keys(found)) {
    if (!(name in expected)) problems.push(`${file}: tensor "${name}" is in the file but not in the manifest`);
  }
  return problems;
}

/** Size and hash problems for one entry, given what is actually on disk. */
export function compareContent(entry: FileEntry, found: { bytes: number; sha256?: string }): string[] {
  if (found.bytes !== entry.bytes) {
    return [`${entry.path}: size differs (expected ${entry.bytes} bytes, found ${found.bytes}) — the file was truncated or replaced`];
  }
  if (found.sha256 !== undefined && found.sha256 !== entry.sha256) {
    return [`${entry.path}: sha256 differs (expected ${short(entry.sha256)}, found ${short(found.sha256)}) — the file was edited or corrupted`];
  }
  return [];
}

function tensorDescs(tensors: Record<string, { dtype: Dtype; shape: number[] }>): Record<string, TensorDesc> {
  const out: Record<string, TensorDesc> = {};
  for (const name of Object.keys(tensors).sort()) {
    out[name] = { dtype: tensors[name].dtype, shape: [...tensors[name].shape] };
  }
  return out;
}

/**
 * Describes files of an artifact folder for its manifest. Entries come back
 * sorted by path so the manifest doesn't depend on the order files were listed.
 */
export async function describeFiles(dir: string, relPaths: readonly string[]): Promise<FileEntry[]> {
  const seen = new Set<string>();
  const entries: FileEntry[] = [];
  for (const rel of [...relPaths].sort()) {
    const where = resolveEntryPath(dir, rel);
    if ('problem' in where) throw new Error(`describeFiles(${dir}): ${where.problem}`);
    if (seen.has(rel)) throw new Error(`describeFiles(${dir}): ${rel} is listed twice`);
    seen.add(rel);
    const info = await stat(where.abs);
    if (!info.isFile()) throw new Error(`describeFiles(${dir}): ${rel} is not a regular file`);
    const entry: FileEntry = { path: rel, sha256: await hashFile(where.abs), bytes: info.size };
    if (isSafetensorsPath(rel)) {
      const header = await readSafetensorsHeader(where.abs, `${dir}/${rel}`);
      entry.tensors = tensorDescs(header.tensors);
    }
    entries.push(entry);
  }
  return entries;
}

/**
 * Checks every entry against the folder: the file exists, has the recorded size
 * and sha256 and, for safetensors, the recorded tensor dtypes and shapes. Throws
 * one ArtifactError listing every mismatch. `label` names the artifact and its
 * manifest, e.g. "artifacts/targets/mlp-small (meta.json)"; `rerun` is the command
 * that rebuilds it.
 */
export async function verifyFiles(
  dir: string,
  entries: readonly FileEntry[],
  label: string,
  opts: { rerun?: string } = {},
): Promise<void> {
  const problems: string[] = [];
  for (const entry of entries) {
    const where = resolveEntryPath(dir, entry.path);
    if ('problem' in where) {
      problems.push(where.problem);
      continue;
    }
    let size: number;
    try {
      const info = await stat(where.abs);
      if (!info.isFile()) {
        problems.push(`${entry.path}: not a regular file`);
        continue;
      }
      size = info.size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      problems.push(`${entry.path}: missing (expected ${entry.bytes} bytes)`);
      continue;
    }
    // A size mismatch already proves the content differs; skip hashing it.
    const sizeProblems = compareContent(entry, { bytes: size });
    if (sizeProblems.length > 0) {
      problems.push(...sizeProblems);
      continue;
    }
    const hashProblems = compareContent(entry, { bytes: size, sha256: await hashFile(where.abs) });
    if (hashProblems.length > 0) {
      problems.push(...hashProblems);
      continue;
    }
    // The bytes are exactly what was described, so a tensor mismatch here means the
    // manifest itself was edited or written by a different stage version.
    if (entry.tensors) {
      try {
        const header = await readSafetensorsHeader(where.abs, entry.path);
        problems.push(...compareTensors(entry.path, entry.tensors, header.tensors));
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
  }
  if (problems.length > 0) throw new ArtifactError(label, problems, opts.rerun);
}
