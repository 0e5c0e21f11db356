/**
 * The cache key of a stage covers the code it runs only if STAGE_SOURCES lists every
 * folder its process imports: walk the import graph from each stage entry and check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { STAGE_SOURCES } from './projects';

const ROOT = resolve(import.meta.dirname, '../../..');
const ENTRIES: Record<keyof typeof STAGE_SOURCES, string> = {
  target: 'targets/src/stage.ts',
  sample: 'samplers/src/stage.ts',
  analysis: 'analysis/src/stage.ts',
  report: 'analysis/src/report/stage.ts',
};

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null; // packages are covered by externalDependencies
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && candidate.endsWith('.ts')) return candidate;
  }
  throw new Error(`${relative(ROOT, from)}: cannot resolve ${spec}`);
}

/** Files reached from `entry` through runtime imports (type-only imports are erased, so skipped). */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [resolve(ROOT, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const specs = [
      ...text.matchAll(/^\s*import\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm),
      ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
      ...text.matchAll(/^\s*export\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm),
      ...text.matchAll(/import\('([^']+)'\)/g),
    ].map((m) => m[1]);
    for (const spec of specs) {
      const target = resolveImport(file, spec);
      if (target) queue.push(target);
    }
  }
  return seen;
}

for (const [stage, entry] of Object.entries(ENTRIES) as Array<[keyof typeof STAGE_SOURCES, string]>) {
  test(`the ${stage} stage imports only tools/src and ${STAGE_SOURCES[stage].join(', ')}`, () => {
    const allowed = ['tools/src', ...STAGE_SOURCES[stage]];
    const outside = [...reachable(entry)]
      .map((f) => relative(ROOT, f))
      .filter((f) => !allowed.some((dir) => f.startsWith(`${dir}/`)));
    assert.deepEqual(outside, [], `add their folders to STAGE_SOURCES.${stage} in tools/src/nx/projects.ts`);
  });
}
