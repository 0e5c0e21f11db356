import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowSchedule } from './windowSchedule';

const sizes = (s: ReturnType<typeof windowSchedule>) => s.windows.map((w) => w.end - w.start);

test('1000 warmup steps: Stan schedule [75 | 25, 50, 100, 200, 500 | 50]', () => {
  const s = windowSchedule(1000);
  assert.equal(s.initBuffer, 75);
  assert.equal(s.finalBuffer, 50);
  assert.deepEqual(
    s.windows.map((w) => [w.start, w.end]),
    [[75, 100], [100, 150], [150, 250], [250, 450], [450, 950]], // the 400 window is stretched to end at 950
  );
});

test('short warmup (100 < 75 + 25 + 50): rescaled to 15% / 75% / 10%', () => {
  const s = windowSchedule(100);
  assert.equal(s.initBuffer, 15);
  assert.equal(s.finalBuffer, 10);
  assert.deepEqual(s.windows, [{ start: 15, end: 90 }]);
  // Exactly 150 still fits the default buffers, 149 does not.
  assert.deepEqual([windowSchedule(150).initBuffer, sizes(windowSchedule(150)), windowSchedule(150).finalBuffer], [75, [25], 50]);
  assert.deepEqual([windowSchedule(149).initBuffer, sizes(windowSchedule(149)), windowSchedule(149).finalBuffer], [22, [113], 14]);
});

test('default 200 steps, Stan edge cases, and no metric windows below 20 steps', () => {
  assert.deepEqual(sizes(windowSchedule(200)), [25, 50]);
  // Stan never stretches the first window; the next one is cut to what is left.
  assert.deepEqual(sizes(windowSchedule(160)), [25, 10]);
  assert.deepEqual(sizes(windowSchedule(20)), [15]);
  const tiny = windowSchedule(19);
  assert.deepEqual([tiny.initBuffer, tiny.windows.length, tiny.finalBuffer], [0, 0, 19]);
  for (const n of [20, 57, 150, 200, 333, 1000, 5000]) {
    const s = windowSchedule(n);
    let at = s.initBuffer;
    for (const w of s.windows) {
      assert.equal(w.start, at, `windows must be contiguous for ${n}`);
      assert.ok(w.end > w.start);
      at = w.end;
    }
    assert.equal(at, n - s.finalBuffer, `slow windows must end at the final buffer for ${n}`);
  }
  assert.throws(() => windowSchedule(-1), /non-negative integer/);
});
