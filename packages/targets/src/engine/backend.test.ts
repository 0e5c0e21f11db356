import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from './backend';

test('auto picks a working backend once and explains the choice in one line', async () => {
  const info = await initEngine();
  assert.ok(['tfjs-node', 'wasm', 'cpu'].includes(info.backend));
  assert.ok(info.reason.length > 0 && !info.reason.includes('\n'), info.reason);
  const tfName = { 'tfjs-node': 'tensorflow', wasm: 'wasm', cpu: 'cpu' }[info.backend];
  assert.equal(tf.getBackend(), tfName);
  if (info.backend !== 'tfjs-node') assert.match(info.reason, /tfjs-node/);
  // Idempotent: same answer, no re-selection.
  assert.deepEqual(await initEngine(), info);
  assert.deepEqual(await initEngine(info.backend), info);
});

test('asking for a different backend after the choice is refused', async () => {
  const info = await initEngine();
  const other = info.backend === 'cpu' ? 'wasm' : 'cpu';
  await assert.rejects(initEngine(other), /Error in initEngine: backend already chosen as/);
  assert.equal((await initEngine()).backend, info.backend);
});
