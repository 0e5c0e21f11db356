/** Runs the workspace's own Nx with the settings this tool relies on (no daemon in CI, no cloud, no TUI). */
import { execa } from 'execa';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function nxBin(workspaceRoot: string): string {
  const require = createRequire(join(workspaceRoot, 'package.json'));
  return join(dirname(require.resolve('nx/package.json')), 'dist', 'bin', 'nx.js');
}

export function nxEnv(): Record<string, string> {
  return { NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_DAEMON: process.env.NX_DAEMON ?? 'false' };
}

export async function runNx(workspaceRoot: string, args: string[], opts: { quiet?: boolean } = {}) {
  return execa(process.execPath, [nxBin(workspaceRoot), ...args], {
    cwd: workspaceRoot,
    env: nxEnv(),
    stdio: opts.quiet ? 'pipe' : 'inherit',
    reject: false,
  });
}
