/**
 * Builds the optional native kernel (mlp.c, kernel.h, binding.gyp) into
 * build/Release/mlp_native.node with the node-gyp that ships with npm, offline (Node's
 * headers from the local installation when they are there).
 *
 *   node packages/targets/src/models/native/build.mjs            # `npm run build:native`: fails loudly
 *   node packages/targets/src/models/native/build.mjs --optional # at install: never fails, says why it skipped
 *
 * Plain JavaScript (no tsx): it runs from `npm install`/`npm ci` lifecycle scripts.
 * LLC_SKIP_NATIVE=1 skips the optional build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = dirname(fileURLToPath(import.meta.url));
const ADDON = join(DIR, 'build', 'Release', 'mlp_native.node');
const optional = process.argv.includes('--optional');
const TIMEOUT_MS = 180_000;

function nodeGypScript() {
  const candidates = [
    // npm sets this for lifecycle scripts and `npm run`.
    process.env.npm_config_node_gyp,
    process.env.npm_execpath ? join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : undefined,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && p.endsWith('.js') && existsSync(p)) ?? null;
}

/** --nodedir for the local headers, unless npm's nodedir config already says where they are. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function build() {
  if (optional && process.env.LLC_SKIP_NATIVE === '1') return { ok: false, why: 'LLC_SKIP_NATIVE=1' };
  const gyp = nodeGypScript();
  if (gyp === null) return { ok: false, why: "npm's bundled node-gyp was not found" };
  const args = [gyp, 'rebuild', `--directory=${DIR}`, ...nodedirArgs()];
  const started = Date.now();
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    stdio: optional ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    timeout: TIMEOUT_MS,
  });
  if (r.error) return { ok: false, why: `node-gyp did not run (${r.error.message})` };
  if (r.status !== 0) {
    const lines = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').filter((l) => /error|not found|ERR!/i.test(l));
    return { ok: false, why: `node-gyp exited ${r.status}${lines.length ? `: ${lines.slice(0, 4).join(' | ').slice(0, 400)}` : ''}` };
  }
  try {
    const addon = createRequire(import.meta.url)(ADDON);
    if (addon.abi !== 1) return { ok: false, why: `${ADDON} built but reports abi ${addon.abi}` };
  } catch (e) {
    return { ok: false, why: `${ADDON} built but does not load (${e.message.split('\n')[0]})` };
  }
  return { ok: true, seconds: (Date.now() - started) / 1000 };
}

const result = build();
if (result.ok) {
  console.log(`llc: native MLP kernel built in ${result.seconds.toFixed(1)} s (${ADDON}); engine 'auto' samples with it`);
} else if (optional) {
  console.log(`llc: native MLP kernel not built (${result.why}); everything works without it (engine 'auto' uses the WebAssembly SIMD kernel). Build it later with: npm run build:native`);
} else {
  console.error(`build:native: ${result.why}`);
  process.exit(1);
}
