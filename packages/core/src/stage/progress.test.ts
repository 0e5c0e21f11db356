import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, formatDuration } from './progress';

test('progress reports counts, rate and time left, throttled by the interval', () => {
  let t = 0;
  const lines: string[] = [];
  const p = createProgress('sample x', 1000, { intervalSeconds: 1, write: (l) => lines.push(l), now: () => t });
  t = 0.5;
  p.update(100); // throttled: less than one interval since the start
  t = 1;
  p.update(200);
  t = 1.5;
  p.update(300); // throttled
  t = 2;
  p.update(400);
  p.finish();
  assert.equal(lines.length, 3);
  assert.equal(lines[0], '[sample x] 200/1000 steps (20%) · 200 steps/s · 1.0s elapsed · ~4.0s left');
  assert.equal(lines[1], '[sample x] 400/1000 steps (40%) · 200 steps/s · 2.0s elapsed · ~3.0s left');
  assert.equal(lines[2], '[sample x] 1000/1000 steps (100%) · 500 steps/s · 2.0s elapsed');
});

test('durations read naturally', () => {
  assert.equal(formatDuration(3.21), '3.2s');
  assert.equal(formatDuration(75), '1m15s');
  assert.equal(formatDuration(7300), '2h01m');
});
