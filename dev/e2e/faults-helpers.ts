/**
 * Test helpers for fault injection (faults.test.ts): spawning Nx and stage processes
 * that can be signalled while they run, finding a workspace's stage processes in
 * /proc, and checking artifact folders the way a stage checks them before use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, watch } from 'node:fs';
import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { verifyFiles, type FileEntry } from '@llc/core/artifacts/manifest';
import { nxBin } from 'llc-pipeline/nx';
import type { TempWorkspace } from './workspace';

export const STAGE_ENTRY = 'packages/stages/src/main.ts';
export type StageName = 'target' | 'sample' | 'analysis' | 'report';

/** The same environment TempWorkspace.nx uses (no daemon, no cloud, no TUI, the run log). */
export function nxEnv(ws: TempWorkspace): NodeJS.ProcessEnv {
  return { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', LLC_RUN_LOG: ws.runLog, CI: 'false' };
}

export interface Running {
  child: ChildProcess;
  pid: number;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves when the process has exited (code, or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when the output matches `re`; rejects after `ms` or when the process exits first. */
  waitFor(re: RegExp, ms: number): Promise<void>;
}

/** Spawns a process in its own process group (so the whole tree can be signalled), collecting its output. */
export function start(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Running {
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    out += b.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close' fires after the pipes are drained, so output() is complete afterwards.
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  let done = false;
  void exited.then(() => {
    done = true;
    for (const l of listeners) l();
  });
  return {
    child,
    pid: child.pid!,
    output: () => out,
    exited,
    waitFor(re, ms) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (re.test(out)) finish();
          else if (done) finish(new Error(`process exited before its output matched ${re}:\n${out.slice(-3000)}`));
        };
        const timer = setTimeout(() => finish(new Error(`no output matching ${re} within ${ms} ms:\n${out.slice(-3000)}`)), ms);
        const finish = (err?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

export function startNx(ws: TempWorkspace, args: string[]): Running {
  return start(process.execPath, [nxBin(ws.root), ...args], ws.root, nxEnv(ws));
}

/** A stage process started by hand, exactly as the executor starts it but with the committed slice file. */
export function startStage(ws: TempWorkspace, stage: StageName, sliceFile: string, outputDir: string): Running {
  return start(process.execPath, ['--import', 'tsx', join(ws.root, STAGE_ENTRY), stage, '--output', outputDir, '--slice', sliceFile], ws.root, nxEnv(ws));
}

/** Pids of the running stage processes of workspace `root` (any stage, or only `stage`). */
export async function stagePids(root: string, stage?: StageName): Promise<number[]> {
  const realRoot = await realpath(root);
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0');
      const i = args.findIndex((a) => a.endsWith(STAGE_ENTRY));
      if (i < 0 || (stage && args[i + 1] !== stage)) continue;
      const entryRoot = args[i].slice(0, -STAGE_ENTRY.length - 1);
      const cwd = await readlink(`/proc/${name}/cwd`);
      if (entryRoot === root || entryRoot === realRoot || cwd === realRoot) pids.push(Number(name));
    } catch {
      // The process exited while we looked.
    }
  }
  return pids;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits (polling /proc) until a stage process of this workspace appears; returns its pid. */
export async function waitForStagePid(root: string, stage: StageName, ms: number, alsoStopWhen?: Promise<unknown>): Promise<number> {
  let stopped = false;
  void alsoStopWhen?.then(() => (stopped = true));
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    const pids = await stagePids(root, stage);
    if (pids.length > 0) return pids[0];
    if (stopped) throw new Error(`the command ended before a '${stage}' stage process started`);
    await sleep(15);
  }
  throw new Error(`no '${stage}' stage process appeared within ${ms} ms`);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // kill(pid, 0) also succeeds on a process that has exited but is not reaped yet (a zombie:
  // our own child, until Node handles its SIGCHLD); such a process is not running.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Temp/old siblings replaceDirAtomic leaves next to `finalDir` (`<dir>.tmp-<pid>-<hex>`, `<dir>.old-…`). */
export async function siblings(finalDir: string): Promise<string[]> {
  const base = basename(finalDir);
  try {
    return (await readdir(dirname(finalDir))).filter((n) => n.startsWith(`${base}.`) && /\.(tmp|old)-\d+-/.test(n.slice(base.length))).sort();
  } catch {
    return [];
  }
}

/**
 * Resolves with `check()`'s first non-undefined value, re-checking on every change in
 * `dir` (inotify, for promptness) and every 5 ms (fallback). Rejects when `signal` aborts.
 */
export function watchFor<T>(dir: string, check: () => Promise<T | undefined>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let busy = false;
    const stop = () => {
      settled = true;
      watcher?.close();
      clearInterval(poll);
    };
    const run = async () => {
      if (settled || busy) return;
      busy = true;
      try {
        const v = await check();
        if (v !== undefined && !settled) {
          stop();
          resolve(v);
        }
      } finally {
        busy = false;
      }
    };
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      watcher = watch(dir, () => void run());
    } catch {
      // dir does not exist yet: polling only
    }
    const poll = setInterval(() => void run(), 5);
    signal.addEventListener('abort', () => {
      if (settled) return;
      stop();
      reject(new Error('stopped waiting'));
    });
    void run();
  });
}

/** Resolves when process `pid` has begun writing the artifact: a `<finalDir>.tmp-<pid>-*` sibling exists. */
export function whenWriting(finalDir: string, pid: number, signal: AbortSignal): Promise<string> {
  const prefix = `${basename(finalDir)}.tmp-${pid}-`;
  return watchFor(dirname(finalDir), async () => (await readdir(dirname(finalDir)).catch(() => [] as string[])).find((n) => n.startsWith(prefix)), signal);
}

/** Resolves when a folder other than `beforeIno` (the inode there now, or null) is published at `finalDir`. */
export function whenPublished(finalDir: string, beforeIno: number | null, signal: AbortSignal): Promise<number> {
  return watchFor(
    dirname(finalDir),
    async () => {
      const ino = await stat(finalDir).then((s) => s.ino, () => null);
      return ino !== null && ino !== beforeIno ? ino : undefined;
    },
    signal,
  );
}

/** Which JSON file of an artifact folder lists its files. */
export const MANIFEST_OF: Record<StageName, string> = {
  target: 'meta.json',
  sample: 'manifest.json',
  analysis: 'manifest.json',
  report: 'manifest.json',
};

/**
 * Checks an artifact folder the way a consumer would: its manifest parses, every file
 * it lists has the recorded size, sha256, dtypes and shapes, and the folder holds
 * nothing else. Returns false when the folder does not exist; throws when it is broken.
 */
export async function checkArtifact(dir: string, stage: StageName): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const manifestName = MANIFEST_OF[stage];
  let manifest: { files: FileEntry[]; complete?: boolean };
  try {
    manifest = JSON.parse(await readFile(join(dir, manifestName), 'utf8'));
  } catch (err) {
    throw new Error(`${dir}: half-written artifact at the final path: ${manifestName} unreadable (${(err as Error).message}); folder holds ${JSON.stringify(names)}`, { cause: err });
  }
  await verifyFiles(dir, manifest.files, `${dir} (${manifestName})`);
  const files = new Set([manifestName, ...manifest.files.map((f) => f.path)]);
  const dirs = new Set(manifest.files.flatMap((f) => f.path.split('/').slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join('/'))));
  const extra = names.filter((n) => !files.has(n) && !dirs.has(n));
  if (extra.length > 0) throw new Error(`${dir}: files not in ${manifestName}: ${extra.join(', ')}`);
  return true;
}

/** Every summary.json under artifacts/analysis of a workspace, by run id. */
export async function readSummaries(root: string, ids: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of ids) out[id] = await readFile(join(root, 'artifacts/analysis', id, 'summary.json'), 'utf8');
  return out;
}
