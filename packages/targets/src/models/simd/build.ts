/**
 * Builds mlp.c into the committed kernels mlp_f32.wasm and mlp_f64.wasm
 * (`npm run build:kernels`). Needs clang and wasm-ld (Debian packages `clang` and
 * `lld`); the output is byte-for-byte reproducible for a given clang version, which
 * build.test.ts checks against the committed files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASM_FILES, type Precision } from './mlpSimd';

export const KERNEL_DIR = dirname(fileURLToPath(import.meta.url));
export const KERNEL_SOURCE = join(KERNEL_DIR, 'mlp.c');
/** clang major version the committed .wasm files were built with (other versions may emit other bytes). */
export const BUILT_WITH_CLANG_MAJOR = 14;

const DEFINE: Record<Precision, string> = { float32: '-DREAL_F32', float64: '-DREAL_F64' };

/** Exact argv (after `clang`) for one precision; no paths or dates reach the output. */
export function clangArgs(precision: Precision, out: string): string[] {
  return [
    '--target=wasm32',
    '-msimd128',
    // memory.fill/copy for the loops clang turns into memset/memcpy (there is no libc).
    '-mbulk-memory',
    '-O3',
    '-ffreestanding',
    '-nostdlib',
    DEFINE[precision],
    '-Wl,--no-entry',
    '-Wl,--strip-all',
    '-o',
    out,
    KERNEL_SOURCE,
  ];
}

/** Why the toolchain cannot be used, or null when clang and wasm-ld both run. */
export function toolchainMissing(): string | null {
  for (const tool of ['clang', 'wasm-ld']) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} not runnable (${r.error?.message ?? `exit ${r.status}`}); install Debian packages clang and lld`;
  }
  return null;
}

/** clang's major version, from `clang --version`. */
export function clangMajor(): number | null {
  const text = spawnSync('clang', ['--version'], { encoding: 'utf8' }).stdout ?? '';
  const m = /clang version (\d+)/.exec(text);
  return m ? Number(m[1]) : null;
}

/** Compiles both precisions into `outDir`; returns the written paths. */
export function buildKernels(outDir: string = KERNEL_DIR): string[] {
  mkdirSync(outDir, { recursive: true });
  return (Object.keys(WASM_FILES) as Precision[]).map((precision) => {
    const out = join(outDir, WASM_FILES[precision]);
    try {
      execFileSync('clang', clangArgs(precision, out), { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    } catch (error) {
      const e = error as { status?: number; stderr?: string; message: string };
      throw new Error(`Error in buildKernels: clang ${clangArgs(precision, out).join(' ')} failed (exit ${e.status ?? '?'}):\n${e.stderr ?? e.message}`, { cause: error });
    }
    return out;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const missing = toolchainMissing();
  if (missing !== null) {
    console.error(`build:kernels: ${missing}`);
    process.exit(1);
  }
  const major = clangMajor();
  if (major !== BUILT_WITH_CLANG_MAJOR) {
    console.warn(`build:kernels: warning: clang ${major} differs from the clang ${BUILT_WITH_CLANG_MAJOR} of the committed kernels; bytes may change`);
  }
  for (const path of buildKernels()) console.log(`wrote ${path}`);
}
