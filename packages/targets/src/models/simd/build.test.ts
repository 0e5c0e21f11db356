import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_WITH_CLANG_MAJOR, KERNEL_DIR, buildKernels, clangMajor, toolchainMissing } from './build';
import { WASM_FILES } from './mlpSimd';

test('the committed kernels are what mlp.c builds to (byte for byte)', (t) => {
  const missing = toolchainMissing();
  if (missing !== null) {
    t.skip(`clang not installed: ${missing}; the committed .wasm files are not rebuilt`);
    return;
  }
  const major = clangMajor();
  if (major !== BUILT_WITH_CLANG_MAJOR) {
    t.skip(`clang ${major} found, the committed kernels were built with clang ${BUILT_WITH_CLANG_MAJOR}: bytes are compared only with that version`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mlp-simd-build-'));
  try {
    buildKernels(dir);
    for (const file of Object.values(WASM_FILES)) {
      const built = readFileSync(join(dir, file));
      const committed = readFileSync(join(KERNEL_DIR, file));
      assert.ok(built.equals(committed), `${file}: rebuilt bytes differ from the committed file; run npm run build:kernels and commit`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
