/**
 * The engine an `engine` setting resolves to on this machine, as one line: which tfjs backend
 * (with tfjs-node's version) and, where the setting may pick it, which native instruction set
 * (after the LLC_NATIVE_ISA cap). float32 results differ between engines in the last bits, so
 * this line is part of every target build's and sampler run's cache key (an Nx runtime input),
 * and a stage refuses to run where its machine resolves differently from the one that hashed it
 * (a SLURM compute node with AVX-512 behind a login node without).
 *
 *   node --import tsx packages/targets/src/engine/fingerprint.ts <engine>   prints the line
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { EnginePreference } from './backend';
import { loadNativeAddon } from '../models/native/mlpNative';

export const ENGINE_FINGERPRINT_ENV = 'LLC_ENGINE_FINGERPRINT';
export const ENGINE_SETTINGS: readonly EnginePreference[] = ['auto', 'tfjs-node', 'wasm', 'cpu', 'simd', 'native'];

let tfjsNode: { version: string | null } | null = null;

/**
 * tfjs-node's version where it is installed and loads, else null. It is optional, and an install
 * whose native library could not be downloaded is present but does not load, so 'auto' falls back
 * to wasm there: presence alone would name the wrong engine. Loaded once per process.
 */
export function loadableTfjsNodeVersion(): string | null {
  if (tfjsNode === null) {
    const require = createRequire(import.meta.url);
    let version: string | null;
    try {
      version = (JSON.parse(readFileSync(require.resolve('@tensorflow/tfjs-node/package.json'), 'utf8')) as { version: string }).version;
      require('@tensorflow/tfjs-node');
    } catch {
      version = null;
    }
    tfjsNode = { version };
  }
  return tfjsNode.version;
}

/** The instruction set the native kernel picks here ('avx512f', 'avx2+fma', 'sse2'), or null when the addon is absent. */
export function nativeIsa(): string | null {
  const status = loadNativeAddon();
  if (!status.ok) return null;
  const { addon } = status;
  const handle = addon.create(new Int32Array([1, 1]), 0, 3, 1, 1, false, new Float32Array(1), new Float32Array(1));
  try {
    return addon.info(handle).isa;
  } finally {
    addon.dispose(handle);
  }
}

export interface MachineEngines {
  tfjsNode: string | null;
  nativeIsa: string | null;
}

export function machineEngines(): MachineEngines {
  return { tfjsNode: loadableTfjsNodeVersion(), nativeIsa: nativeIsa() };
}

/**
 * The fingerprint of `setting` on a machine with `engines`: the tfjs backend initEngine picks
 * ('auto' tries tfjs-node first, then wasm), and for 'auto' and 'native' the native ISA.
 */
export function engineFingerprint(setting: EnginePreference, engines: MachineEngines): string {
  const tfjsFor = (backend: 'tfjs-node' | 'wasm' | 'cpu') => (backend === 'tfjs-node' ? `tfjs-node@${engines.tfjsNode ?? 'absent'}` : backend);
  const explicitTfjs = setting === 'tfjs-node' || setting === 'wasm' || setting === 'cpu';
  const tfjs = explicitTfjs ? tfjsFor(setting) : tfjsFor(engines.tfjsNode ? 'tfjs-node' : 'wasm');
  const parts = [`engine=${setting}`, `tfjs=${tfjs}`];
  if (setting === 'auto' || setting === 'native') parts.push(`native=${engines.nativeIsa ?? 'absent'}`);
  if (setting === 'simd') parts.push('simd=wasm-simd128');
  return parts.join(' ');
}

/**
 * Throws where this machine resolves the engine differently from the machine that computed the
 * cache key (its fingerprint arrives in LLC_ENGINE_FINGERPRINT; absent when a stage is run by hand).
 */
export function checkEngineFingerprint(setting: EnginePreference, expected: string | undefined, engines: MachineEngines = machineEngines()): void {
  if (expected === undefined || expected === '') return;
  const here = engineFingerprint(setting, engines);
  if (here === expected) return;
  throw new Error(
    `Error in the stage's engine check: this machine resolves engine '${setting}' to "${here}", but the cache key was computed ` +
      `for "${expected}" (the machine that ran nx). A result computed here would be stored under the other engine's key. ` +
      `Make the two agree: set LLC_NATIVE_ISA (avx512, avx2 or sse2) to the same cap on both, or install the same engines, ` +
      `or set the pipeline's engine to 'simd' (the same bits everywhere).`,
  );
}

/**
 * The stage's check, after it started its tfjs backend: the machine must resolve the engine as
 * the one that hashed did, and tfjs must have started the backend the fingerprint names (an
 * installed tfjs-node that fails to load would otherwise fall back to wasm under tfjs-node's key).
 */
export function checkStageEngine(setting: EnginePreference, backend: string, env: NodeJS.ProcessEnv = process.env): void {
  const engines = machineEngines();
  checkEngineFingerprint(setting, env[ENGINE_FINGERPRINT_ENV], engines);
  const expected = engineFingerprint(setting, engines).match(/tfjs=([^@\s]+)/)![1];
  if (backend !== expected) {
    throw new Error(
      `Error in the stage's engine check: engine '${setting}' should run tfjs on ${expected} here (it loads), but ${backend} started; ` +
        `fix or uninstall @tensorflow/tfjs-node, or set the pipeline's engine explicitly`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const setting = process.argv[2] as EnginePreference | undefined;
  if (!setting || !ENGINE_SETTINGS.includes(setting)) {
    process.stderr.write(`Usage: node --import tsx packages/targets/src/engine/fingerprint.ts <${ENGINE_SETTINGS.join('|')}>\n`);
    process.exit(2);
  }
  process.stdout.write(`${engineFingerprint(setting, machineEngines())}\n`);
}
