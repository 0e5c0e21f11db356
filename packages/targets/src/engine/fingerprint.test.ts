import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { checkEngineFingerprint, engineFingerprint, ENGINE_SETTINGS, machineEngines, nativeIsa } from './fingerprint';

const laptop = { tfjsNode: null, nativeIsa: null };
const cluster = { tfjsNode: null, nativeIsa: 'avx512f' };
const withTfjsNode = { tfjsNode: '4.22.0', nativeIsa: 'avx2+fma' };

test('the fingerprint names what each setting resolves to', () => {
  assert.equal(engineFingerprint('auto', laptop), 'engine=auto tfjs=wasm native=absent');
  assert.equal(engineFingerprint('auto', cluster), 'engine=auto tfjs=wasm native=avx512f');
  assert.equal(engineFingerprint('auto', withTfjsNode), 'engine=auto tfjs=tfjs-node@4.22.0 native=avx2+fma');
  assert.equal(engineFingerprint('native', cluster), 'engine=native tfjs=wasm native=avx512f');
  assert.equal(engineFingerprint('cpu', cluster), 'engine=cpu tfjs=cpu');
  assert.equal(engineFingerprint('tfjs-node', withTfjsNode), 'engine=tfjs-node tfjs=tfjs-node@4.22.0');
});

test("two engines give two fingerprints; 'simd' gives the same one on every machine", () => {
  assert.notEqual(engineFingerprint('auto', laptop), engineFingerprint('auto', cluster));
  assert.equal(engineFingerprint('simd', laptop), engineFingerprint('simd', cluster));
  for (const setting of ENGINE_SETTINGS) assert.equal(engineFingerprint(setting, cluster), engineFingerprint(setting, { ...cluster }));
});

test('a stage refuses to run where the machine resolves another engine than the one that hashed', () => {
  const hashedOnLogin = engineFingerprint('auto', { tfjsNode: null, nativeIsa: 'avx2+fma' });
  assert.throws(() => checkEngineFingerprint('auto', hashedOnLogin, cluster), /resolves engine 'auto' to "engine=auto tfjs=wasm native=avx512f".*LLC_NATIVE_ISA/s);
  assert.doesNotThrow(() => checkEngineFingerprint('auto', engineFingerprint('auto', cluster), cluster));
  assert.doesNotThrow(() => checkEngineFingerprint('auto', undefined, cluster), 'a stage run by hand has nothing to compare');
});

test('the command line prints what the process computes, and LLC_NATIVE_ISA caps the native ISA', { skip: nativeIsa() === null && 'native addon not built' }, () => {
  const run = (env: Record<string, string>) =>
    execFileSync(process.execPath, ['--import', 'tsx', new URL('./fingerprint.ts', import.meta.url).pathname, 'auto'], { env: { ...process.env, ...env } }).toString().trim();
  const { LLC_NATIVE_ISA: _cap, ...uncapped } = process.env;
  assert.equal(run(uncapped as Record<string, string>), engineFingerprint('auto', machineEngines()));
  assert.match(run({ LLC_NATIVE_ISA: 'sse2' }), /native=sse2$/);
});
