/**
 * Test helper: a throwaway copy of this workspace (sources, configs, node_modules linked
 * from the repo's) with its own pipeline.config.ts, git history and Nx cache.
 */
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile, readFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { nxBin } from 'llc-pipeline/nx';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', '.nx', 'artifacts', 'pipeline', '.git', 'tmp', 'dist']);

/** Our own packages, which must resolve to the temp copy so that editing one there changes what runs. */
const OWN_SCOPE = '@llc';
const OWN_PACKAGES = ['llc-pipeline'];

/**
 * node_modules of the temp workspace: every third-party entry links to the repo's; our workspace
 * packages link to the copies under <root>/packages, as npm's own workspace links would.
 */
async function linkNodeModules(root: string): Promise<void> {
  const from = join(REPO_ROOT, 'node_modules');
  const to = join(root, 'node_modules');
  await mkdir(join(to, OWN_SCOPE), { recursive: true });
  for (const entry of await readdir(from)) {
    if (entry === OWN_SCOPE || OWN_PACKAGES.includes(entry)) continue;
    await symlink(join(from, entry), join(to, entry));
  }
  for (const dir of await readdir(join(root, 'packages'))) {
    const name = (JSON.parse(await readFile(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string }).name;
    await symlink(join(root, 'packages', dir), join(to, name), 'dir');
  }
}

export interface TempWorkspace {
  root: string;
  runLog: string;
  nx(args: string[]): Promise<{ exitCode: number; output: string }>;
  /** nx with more environment variables (e.g. another LLC_NATIVE_ISA cap). */
  nxWithEnv(args: string[], more: Record<string, string>): Promise<{ exitCode: number; output: string }>;
  /** The user-facing CLI (`npx llc ...`), run in the temp workspace. */
  llc(args: string[]): Promise<{ exitCode: number; output: string }>;
  git(args: string[]): Promise<string>;
  /** Stages that really executed since the last call (restored-from-cache tasks do not appear). */
  takeRunLog(): Promise<string[]>;
  writeConfig(text: string): Promise<void>;
  dispose(): Promise<void>;
}

export async function createTempWorkspace(
  configText: string,
  extraPipelines: Record<string, string> = {},
  extraEnv: Record<string, string> = {},
): Promise<TempWorkspace> {
  const root = await mkdtemp(join(tmpdir(), 'llc-ws-'));
  await cp(REPO_ROOT, root, {
    recursive: true,
    filter: (src) => {
      const rel = relative(REPO_ROOT, src);
      const top = rel.split('/')[0];
      // Only the pipeline the test writes: the repo's own pipeline files would add their units.
      if (/^pipeline\.[^/]+\.ts$/.test(rel)) return false;
      return !SKIP.has(top) && !rel.split('/').includes('node_modules');
    },
  });
  await linkNodeModules(root);
  await writeFile(join(root, 'pipeline.config.ts'), configText);
  for (const [file, text] of Object.entries(extraPipelines)) await writeFile(join(root, file), text);
  const runLog = join(root, '.run-log');
  await writeFile(runLog, '');
  await appendFile(join(root, '.gitignore'), '.run-log\n');
  // CI=false: Nx skips task sync generators in CI; here we test a researcher's local workflow.
  const env = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', LLC_RUN_LOG: runLog, CI: 'false', ...extraEnv };
  const git = async (args: string[]) =>
    (await execa('git', args, { cwd: root, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } })).stdout;
  await git(['init', '-q', '-b', 'main']);
  const ws: TempWorkspace = {
    root,
    runLog,
    async nx(args) {
      return ws.nxWithEnv(args, {});
    },
    async nxWithEnv(args, more) {
      const r = await execa(process.execPath, [nxBin(root), ...args], { cwd: root, env: { ...env, ...more }, all: true, reject: false });
      return { exitCode: r.exitCode ?? 1, output: r.all ?? '' };
    },
    async llc(args) {
      const bin = join(root, 'packages/cli/bin/llc.mjs');
      const r = await execa(process.execPath, [bin, ...args], { cwd: root, env, all: true, reject: false });
      return { exitCode: r.exitCode ?? 1, output: r.all ?? '' };
    },
    git,
    async takeRunLog() {
      const text = await readFile(runLog, 'utf8');
      await writeFile(runLog, '');
      return text.split('\n').filter(Boolean).sort();
    },
    async writeConfig(text) {
      await writeFile(join(root, 'pipeline.config.ts'), text);
    },
    async dispose() {
      await rm(root, { recursive: true, force: true });
    },
  };
  return ws;
}
