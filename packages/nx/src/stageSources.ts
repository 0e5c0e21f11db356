/**
 * The source files a stage's result depends on, found by walking the runtime import graph
 * from the stage's module (type-only imports are erased by the loader, so they cannot change
 * a result and are not followed). A stage's cache key hashes exactly these files, so editing
 * the CLI, the plugin, a test helper or the bench reruns nothing, and editing one sampler's
 * kernel reruns only that sampler's runs.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export type StageName = 'target' | 'sample' | 'analysis' | 'report';
export type SamplerKind = 'sgld' | 'sgnht' | 'hmc' | 'mclmc' | 'vi';
const CHAIN_KINDS: SamplerKind[] = ['sgld', 'sgnht', 'hmc', 'mclmc'];

/** The stage process's entry, and each stage's own module (main.ts loads only the one asked for). */
export const STAGE_ENTRY = 'packages/stages/src/main.ts';
export const STAGE_MODULES: Record<StageName, string> = {
  target: 'packages/stages/src/target/stage.ts',
  sample: 'packages/stages/src/sample/stage.ts',
  analysis: 'packages/stages/src/analysis/stage.ts',
  report: 'packages/stages/src/report/stage.ts',
};

/**
 * Imports that pick code by sampler kind: the registry binds each chain sampler's kernel, and
 * the sample stage runs either the chain loop or VI. An edge listed here is followed only for
 * the kinds it names, so one kernel's file enters only its own runs' keys.
 */
const DISPATCH: Record<string, Record<string, SamplerKind[]>> = {
  'packages/samplers/src/registry.ts': {
    'packages/samplers/src/kernels/sgld.ts': ['sgld'],
    'packages/samplers/src/kernels/sgnht.ts': ['sgnht'],
    'packages/samplers/src/kernels/hmc.ts': ['hmc'],
    'packages/samplers/src/kernels/mclmc.ts': ['mclmc'],
  },
  'packages/stages/src/sample/stage.ts': {
    'packages/samplers/src/registry.ts': CHAIN_KINDS,
    'packages/samplers/src/chains.ts': CHAIN_KINDS,
    'packages/samplers/src/vi/index.ts': ['vi'],
    'packages/samplers/src/viTrace.ts': ['vi'],
  },
};

/** Non-TypeScript files the kernels load at run time (the built .node is a product of the native sources). */
export const KERNEL_FILE_GLOBS = [
  'packages/targets/src/models/simd/*.wasm',
  'packages/targets/src/models/native/*.c',
  'packages/targets/src/models/native/*.h',
  'packages/targets/src/models/native/binding.gyp',
  // Shared by the wasm and native kernels.
  'packages/targets/src/models/*.h',
];
const KERNEL_LOADERS = ['packages/targets/src/models/simd/mlpSimd.ts', 'packages/targets/src/models/native/mlpNative.ts'];

const IMPORT_PATTERNS = [
  /^\s*import\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm,
  /^\s*import\s+'([^']+)'/gm,
  /^\s*export\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm,
  /import\('([^']+)'\)/g,
  /new URL\('([^']+)', import\.meta\.url\)/g,
];

/** Workspace-relative path of what `spec` names from `from`, or null for a third-party package. */
function resolveSpec(root: string, from: string, spec: string): string | null {
  let base: string;
  if (spec.startsWith('.')) base = resolve(root, dirname(from), spec);
  else if (spec.startsWith('@llc/')) {
    const [, pkg, ...sub] = spec.split('/');
    base = join(root, 'packages', pkg, 'src', ...sub);
  } else if (spec === 'llc-pipeline' || spec.startsWith('llc-pipeline/')) {
    base = join(root, 'packages/cli/src', spec === 'llc-pipeline' ? 'index' : spec.slice('llc-pipeline/'.length));
  } else return null;
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return relative(root, candidate);
  }
  throw new Error(`${from}: cannot resolve '${spec}' (looked for ${relative(root, base)}{,.ts,/index.ts})`);
}

export interface StageSources {
  /** Workspace-relative files, sorted. */
  files: string[];
  /** Whether the stage loads the compiled kernels (then KERNEL_FILE_GLOBS are inputs too). */
  kernels: boolean;
}

/** The files a stage (for `sample`: of one sampler kind) runs, from the workspace at `root`. */
export function stageSources(root: string, stage: StageName, kind?: SamplerKind): StageSources {
  const seen = new Set<string>();
  const otherStages = new Set(Object.entries(STAGE_MODULES).filter(([s]) => s !== stage).map(([, f]) => f));
  const queue = [STAGE_ENTRY, STAGE_MODULES[stage]];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.(ts|mjs)$/.test(file)) continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (const pattern of IMPORT_PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const target = resolveSpec(root, file, match[1]);
        if (target === null || otherStages.has(target)) continue;
        const kinds = DISPATCH[file]?.[target];
        if (kinds && !(kind && kinds.includes(kind))) continue;
        queue.push(target);
      }
    }
  }
  const files = [...seen].sort();
  return { files, kernels: files.some((f) => KERNEL_LOADERS.includes(f)) };
}
