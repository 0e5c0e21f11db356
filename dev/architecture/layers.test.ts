/**
 * The packages form one stack, each importing only those below it. This test fails on any import
 * that points up or sideways, on a relative import that leaves its package, on shipped code that
 * imports a test helper, and on a dependency that package.json does not declare.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** Bottom to top. The cache server stands alone: it imports nothing of ours and nothing imports it. */
export const LAYERS = ['core', 'diagnostics', 'targets', 'samplers', 'analysis', 'plots', 'report', 'config', 'stages', 'nx', 'cli'] as const;
const STANDALONE = ['cache-server'];
const PACKAGE_NAME: Record<string, string> = { cli: 'llc-pipeline' };
const nameOf = (pkg: string) => PACKAGE_NAME[pkg] ?? `@llc/${pkg}`;
const pkgOfName = (name: string) => (name === 'llc-pipeline' ? 'cli' : name.replace(/^@llc\//, ''));

const SPEC = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)|^\s*import\s+'([^']+)'/gm;

export interface Violation {
  file: string;
  spec: string;
  why: string;
}

/** The problems with one file's imports; `file` is workspace-relative, under packages/<pkg>/. */
export function importViolations(file: string, text: string, declared: ReadonlySet<string>): Violation[] {
  const pkg = file.split('/')[1];
  const level = (p: string) => (LAYERS as readonly string[]).indexOf(p);
  const isTestCode = /\.test\.ts$/.test(file) || file.includes('/testing/');
  const out: Violation[] = [];
  for (const m of text.matchAll(SPEC)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) {
      const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
      if (!target.startsWith(`packages/${pkg}/`)) out.push({ file, spec, why: `a relative import leaves packages/${pkg}; import the package by name` });
      else if (!isTestCode && target.split('/').includes('testing')) out.push({ file, spec, why: 'shipped code imports a test helper (testing/)' });
      continue;
    }
    if (!spec.startsWith('@llc/') && spec !== 'llc-pipeline' && !spec.startsWith('llc-pipeline/')) continue;
    const name = spec.startsWith('@llc/') ? spec.split('/').slice(0, 2).join('/') : 'llc-pipeline';
    const target = pkgOfName(name);
    if (target === pkg) {
      out.push({ file, spec, why: 'imports its own package by name; use a relative import' });
    } else if (STANDALONE.includes(pkg) || STANDALONE.includes(target)) {
      out.push({ file, spec, why: `${STANDALONE.join(', ')} stands alone` });
    } else if (level(target) < 0 || level(target) >= level(pkg)) {
      out.push({ file, spec, why: `${pkg} (layer ${level(pkg)}) may import only layers below it; ${target} is layer ${level(target)}` });
    } else if (!declared.has(name)) {
      out.push({ file, spec, why: `${name} is not in packages/${pkg}/package.json dependencies` });
    } else if (!isTestCode && spec.split('/').includes('testing')) {
      out.push({ file, spec, why: 'shipped code imports a test helper (testing/)' });
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'build') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry) ? [path] : [];
  });
}

const packages = readdirSync(join(ROOT, 'packages')).filter((p) => statSync(join(ROOT, 'packages', p)).isDirectory());
const manifest = (pkg: string) =>
  JSON.parse(readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };

test('every package has a place in the stack, under its own name', () => {
  assert.deepEqual([...packages].sort(), [...LAYERS, ...STANDALONE].sort());
  for (const pkg of packages) assert.equal(manifest(pkg).name, nameOf(pkg));
});

test('declared dependencies on our packages point down the stack', () => {
  for (const pkg of packages) {
    for (const dep of Object.keys(manifest(pkg).dependencies ?? {})) {
      const target = pkgOfName(dep);
      if (!packages.includes(target)) continue;
      assert.ok(
        LAYERS.indexOf(target as never) >= 0 && LAYERS.indexOf(target as never) < LAYERS.indexOf(pkg as never),
        `packages/${pkg}/package.json depends on ${dep}, which is not below it`,
      );
    }
  }
});

test('every import points down the stack through a declared dependency', () => {
  const violations: Violation[] = [];
  for (const pkg of packages) {
    const declared = new Set(Object.keys(manifest(pkg).dependencies ?? {}));
    for (const path of sourceFiles(join(ROOT, 'packages', pkg))) {
      violations.push(...importViolations(relative(ROOT, path), readFileSync(path, 'utf8'), declared));
    }
  }
  assert.deepEqual(violations, []);
});

test('the check catches an upward import, a sideways relative import and a shipped import of a test helper', () => {
  const declared = new Set(['@llc/core', '@llc/targets']);
  const upward = importViolations('packages/samplers/src/kernels/x.ts', "import { expandPipeline } from '@llc/config/normalize';\n", declared);
  assert.equal(upward.length, 1);
  assert.match(upward[0].why, /samplers \(layer 3\) may import only layers below it; config is layer 7/);
  const sideways = importViolations('packages/targets/src/artifact.ts', "import { createSampler } from '../../samplers/src/registry';\n", declared);
  assert.match(sideways[0].why, /relative import leaves packages\/targets/);
  const helper = importViolations('packages/samplers/src/run.ts', "import { fixture } from '@llc/targets/testing/modelTestKit';\n", declared);
  assert.match(helper[0].why, /test helper/);
  assert.deepEqual(importViolations('packages/samplers/src/run.test.ts', "import { fixture } from '@llc/targets/testing/modelTestKit';\nimport type { X } from './y';\n", declared), []);
  const undeclared = importViolations('packages/samplers/src/run.ts', "import { ess } from '@llc/diagnostics/index';\n", declared);
  assert.match(undeclared[0].why, /not in packages\/samplers\/package.json/);
});
