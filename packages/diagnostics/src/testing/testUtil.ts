/** Test helpers shared by the diagnostics tests (not part of the public API). */

import assert from 'node:assert/strict';

/** Assert |actual − expected| ≤ rel·|expected| (or ≤ rel when expected is 0). */
export function assertClose(actual: number, expected: number, rel: number, label = ''): void {
  const tol = rel * Math.max(Math.abs(expected), expected === 0 ? 1 : 0);
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${label} expected ${expected}, got ${actual} (rel err ${Math.abs(actual - expected) / Math.abs(expected || 1)})`,
  );
}
