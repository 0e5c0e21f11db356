import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlpParamCount, paramCountForWidth, resolveMlpSpec, widthsForParamCount, type ParamCountRequest } from './mlpSize';

test('paramCountForWidth matches the layout size for every bias/layerNorm/depth combination', () => {
  for (const bias of [true, false]) {
    for (const layerNorm of [true, false]) {
      for (const depth of [1, 2, 3]) {
        for (const h of [2, 5, 17]) {
          const request = { inputDim: 4, outputDim: 3, depth, bias, layerNorm };
          const widths = [4, ...Array.from({ length: depth }, () => h), 3];
          assert.equal(paramCountForWidth(request, h), mlpParamCount({ widths, activation: 'relu', bias, layerNorm }));
        }
      }
    }
  }
});

test('widthsForParamCount picks the width whose count is nearest (ties: the larger)', () => {
  // depth 1, bias: d(h) = 4h + h + h + 1 = 6h + 1 → 61 at h = 10, 67 at 11.
  const base: ParamCountRequest = { inputDim: 4, outputDim: 1, depth: 1, paramCount: 61, bias: true };
  assert.deepEqual(widthsForParamCount(base), [10]);
  assert.deepEqual(widthsForParamCount({ ...base, paramCount: 63 }), [10]);
  assert.deepEqual(widthsForParamCount({ ...base, paramCount: 64 }), [11], 'tie 61/67 goes to the larger');
  assert.deepEqual(widthsForParamCount({ ...base, paramCount: 65 }), [11]);
  // Exhaustive check against a linear scan on a deeper network with layer norm.
  for (let paramCount = 42; paramCount < 3000; paramCount += 7) {
    const request: ParamCountRequest = { inputDim: 5, outputDim: 2, depth: 3, paramCount, bias: true, layerNorm: true };
    const [h] = widthsForParamCount(request);
    let best = 2;
    for (let c = 2; c < 200; c++) {
      const gap = Math.abs(paramCountForWidth(request, c) - paramCount);
      const bestGap = Math.abs(paramCountForWidth(request, best) - paramCount);
      if (gap < bestGap || (gap === bestGap && c > best)) best = c;
    }
    assert.equal(h, best, `paramCount ${paramCount}`);
  }
  assert.deepEqual(widthsForParamCount({ inputDim: 100, outputDim: 10, depth: 2, paramCount: 1_000_000, bias: true }).length, 2);
});

test('resolveMlpSpec: explicit widths pass through, sized specs get equal hidden widths', () => {
  const explicit = { widths: [3, 8, 1], activation: 'relu' as const, bias: true };
  assert.equal(resolveMlpSpec(explicit, 3, 1), explicit);
  const sized = resolveMlpSpec({ depth: 2, paramCount: 500, activation: 'gelu', bias: false, layerNorm: true }, 3, 1);
  assert.equal(sized.widths.length, 4);
  assert.equal(sized.widths[0], 3);
  assert.equal(sized.widths[3], 1);
  assert.equal(sized.widths[1], sized.widths[2]);
  assert.equal(sized.activation, 'gelu');
  assert.equal(sized.layerNorm, true);
  const d = mlpParamCount(sized);
  const h = sized.widths[1];
  const neighbours = [h - 1, h + 1].map((c) => mlpParamCount({ ...sized, widths: [3, c, c, 1] }));
  for (const other of neighbours) assert.ok(Math.abs(d - 500) <= Math.abs(other - 500));
});

test('bad requests are rejected with named messages', () => {
  const base: ParamCountRequest = { inputDim: 4, outputDim: 1, depth: 1, paramCount: 100, bias: true };
  assert.throws(() => widthsForParamCount({ ...base, depth: 0 }), /Error in widthsForParamCount: depth must be a positive integer, got 0/);
  assert.throws(() => widthsForParamCount({ ...base, paramCount: 2.5 }), /paramCount must be a positive integer, got 2.5/);
  assert.throws(() => widthsForParamCount({ ...base, paramCount: 6 }), /paramCount 6 is below the smallest network of depth 1 \(width 1: 7 parameters\)/);
  assert.throws(
    () => resolveMlpSpec({ depth: 1, paramCount: 3, activation: 'relu', bias: true }, 4, 1, 'buildTeacherStudentTarget', 'student'),
    /Error in buildTeacherStudentTarget: student\.paramCount 3 is below/,
  );
  assert.throws(
    () => resolveMlpSpec({ widths: [4, 1], depth: 1, activation: 'relu', bias: true } as never, 4, 1, 'x', 'student'),
    /Error in x: student gives widths and depth\/paramCount; give one or the other/,
  );
  assert.throws(() => resolveMlpSpec({ depth: 1, paramCount: 100, activation: 'swish' as never, bias: true }, 4, 1), /activation must be one of/);
});
