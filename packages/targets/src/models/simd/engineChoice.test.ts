import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradientEngine } from '../../artifact';
import { loadNativeAddon } from '../native/mlpNative';

const built = { ok: true } as const;
const missing = { ok: false, why: 'the native addon is not built (no build/Release/mlp_native.node); build it with `npm run build:native`' } as const;

test("sampling engine without the native addon: 'auto' keeps tfjs-node, else the simd kernel; float64 only with simd/native/auto", () => {
  const native = missing;
  assert.deepEqual(gradientEngine({ native }), { kind: 'simd', precision: 'float32' });
  assert.deepEqual(gradientEngine({ engine: 'auto', tfjsBackend: 'wasm', native }), { kind: 'simd', precision: 'float32' });
  assert.deepEqual(gradientEngine({ engine: 'auto', tfjsBackend: 'tfjs-node', native }), { kind: 'tfjs', precision: 'float32' });
  assert.deepEqual(gradientEngine({ engine: 'auto', tfjsBackend: 'tfjs-node', precision: 'float64', native }), { kind: 'simd', precision: 'float64' });
  assert.deepEqual(gradientEngine({ engine: 'simd', tfjsBackend: 'tfjs-node', native }), { kind: 'simd', precision: 'float32' });
  assert.deepEqual(gradientEngine({ engine: 'wasm', tfjsBackend: 'wasm', native }), { kind: 'tfjs', precision: 'float32' });
  assert.throws(
    () => gradientEngine({ engine: 'wasm', precision: 'float64', native }),
    /Error in targetLossModel: precision 'float64' needs engine 'simd' or 'native' \(or 'auto'\); engine 'wasm' computes in float32/,
  );
  assert.throws(
    () => gradientEngine({ engine: 'native', native }),
    /Error in targetLossModel: engine 'native' asked for, but the native addon is not built .*build it with `npm run build:native`/,
  );
});

test("sampling engine with the native addon: 'auto' picks native unless tfjs-node runs float32; 'simd' stays simd", () => {
  const native = built;
  assert.deepEqual(gradientEngine({ native }), { kind: 'native', precision: 'float32' });
  assert.deepEqual(gradientEngine({ engine: 'auto', tfjsBackend: 'wasm', native }), { kind: 'native', precision: 'float32' });
  assert.deepEqual(gradientEngine({ engine: 'auto', tfjsBackend: 'tfjs-node', native }), { kind: 'tfjs', precision: 'float32' });
  assert.deepEqual(gradientEngine({ engine: 'auto', tfjsBackend: 'tfjs-node', precision: 'float64', native }), { kind: 'native', precision: 'float64' });
  assert.deepEqual(gradientEngine({ engine: 'native', tfjsBackend: 'tfjs-node', native }), { kind: 'native', precision: 'float32' });
  assert.deepEqual(gradientEngine({ engine: 'native', precision: 'float64', native }), { kind: 'native', precision: 'float64' });
  assert.deepEqual(gradientEngine({ engine: 'simd', native }), { kind: 'simd', precision: 'float32' });
  assert.deepEqual(gradientEngine({ engine: 'cpu', native }), { kind: 'tfjs', precision: 'float32' });
});

test('without an explicit status, the choice follows whether the addon loads in this process', () => {
  const status = loadNativeAddon();
  assert.equal(gradientEngine({ tfjsBackend: 'wasm' }).kind, status.ok ? 'native' : 'simd');
  if (status.ok) assert.equal(gradientEngine({ engine: 'native' }).kind, 'native');
  else assert.throws(() => gradientEngine({ engine: 'native' }), /npm run build:native/);
});
