/**
 * Crash-safe writes for artifact files and folders.
 *
 * Nx caches whatever a task leaves in its output folder, so a process killed
 * mid-write must never leave a half-written file or folder at the final path: a
 * later run (or the cache) would treat it as a finished artifact. Everything is
 * first written under a temporary name next to the target (same folder, hence same
 * filesystem, so rename is atomic) and renamed into place only when complete.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** `<pid>-<random>`: unique across concurrent processes and repeated calls in one process. */
function tempTag(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * fsyncs a directory so a rename inside it survives a power loss. Best effort:
 * some filesystems refuse to fsync directories, and the rename itself is already
 * atomic for crashes of the process, which is the case that matters most here.
 */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Ignored on purpose, see above.
  }
}

/**
 * Writes `data` to `path` atomically: readers see either the old content or the
 * complete new content, never a prefix. Parent folders are created as needed.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${basename(target)}.tmp-${tempTag()}`);
  try {
    // 'wx' fails instead of clobbering if the temp name somehow exists already.
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      // Flush the data before the rename publishes it; otherwise a crash could
      // leave the new name pointing at an empty or partial file.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

/** Object path of the first value JSON would silently alter (NaN → null etc.), or null. */
function findNonJsonValue(value: unknown, at: string): string | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? null : `${at} is ${String(value)} (JSON would store null; write null explicitly)`;
  }
  if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
    return `${at} is a ${typeof value}, which JSON cannot store`;
  }
  if (value === null || typeof value !== 'object') return null;
  if (ArrayBuffer.isView(value)) {
    return `${at} is a typed array (JSON would store it as an object); convert it with Array.from`;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined) return `${at}[${i}] is undefined (JSON would store null)`;
      const bad = findNonJsonValue(value[i], `${at}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  // Objects with toJSON (e.g. Date) define their own serialisation.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return null;
  for (const [key, v] of Object.entries(value)) {
    // Undefined properties are dropped by JSON, which is how optional fields are omitted.
    if (v === undefined) continue;
    const bad = findNonJsonValue(v, `${at}.${key}`);
    if (bad) return bad;
  }
  return null;
}

/**
 * Serialises `value` the one way every artifact JSON is written (2-space indent,
 * trailing newline, keys in insertion order), so identical values give identical
 * bytes and hashes. Values JSON would silently change are rejected instead.
 */
export function stableJson(value: unknown, label = 'value'): string {
  if (value === undefined) throw new Error(`Cannot write ${label} as JSON: the value is undefined`);
  const bad = findNonJsonValue(value, '$');
  if (bad) throw new Error(`Cannot write ${label} as JSON: ${bad}`);
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Atomically writes `value` as stable, pretty JSON (see `stableJson`). */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, stableJson(value, path));
}

/** True if a process with this id is running (EPERM means it exists but isn't ours). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes `<finalDir>.tmp-<pid>-*` / `.old-<pid>-*` siblings left by killed
 * processes, so aborted runs don't accumulate full-size copies of an artifact.
 * Only folders whose writer is gone are touched.
 */
async function removeStaleSiblings(target: string): Promise<void> {
  const base = basename(target);
  let names: string[];
  try {
    names = await readdir(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const m = /^\.(?:tmp|old)-(\d+)-[0-9a-f]+$/.exec(name.slice(base.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || pidAlive(pid)) continue;
    await rm(join(dirname(target), name), { recursive: true, force: true });
  }
}

/**
 * Builds a whole artifact folder in a sibling temp folder and swaps it into place.
 *
 * `build` receives the (empty, existing) temp folder and must write everything
 * there. If it throws, the temp folder is removed and `finalDir` is untouched. A
 * process killed at any point leaves either the old folder, the new folder, or (in
 * the instant between the two renames) no folder at `finalDir` — never a mixture.
 */
export async function replaceDirAtomic(
  finalDir: string,
  build: (tmpDir: string) => Promise<void>,
): Promise<void> {
  const target = resolve(finalDir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  await removeStaleSiblings(target);

  const tmp = `${target}.tmp-${tempTag()}`;
  await mkdir(tmp);
  try {
    await build(tmp);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }

  // A directory can't be renamed over a non-empty one, so the old folder moves
  // aside first and is deleted only after the new one is in place.
  const old = `${target}.old-${tempTag()}`;
  let movedOld = false;
  try {
    await rename(target, old);
    movedOld = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }
  try {
    await rename(tmp, target);
  } catch (err) {
    if (movedOld) await rename(old, target).catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  await syncDir(parent);
  if (movedOld) await rm(old, { recursive: true, force: true });
}
