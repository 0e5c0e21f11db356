import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, readSafetensorsHeader, type Tensor } from './safetensors';

/** Builds a file from a raw header string and data bytes (for malformed-input tests). */
function rawFile(header: string, data: number[] = [], lengthOverride?: number): Uint8Array {
  const h = Buffer.from(header, 'utf8');
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(lengthOverride ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test('a tiny file has the documented layout byte for byte', () => {
  const bytes = encodeSafetensors(
    {
      // Given out of order on purpose: the file must list and lay out "a" first.
      b: { dtype: 'F32', shape: [2], data: Float32Array.of(1, -2) },
      a: { dtype: 'U8', shape: [3], data: Uint8Array.of(1, 2, 3) },
    },
    { k: 'v' },
  );
  // Hand-computed: the JSON below is 132 bytes; padded with 4 spaces to 136 = 0x88.
  const json =
    '{"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},' +
    '"b":{"dtype":"F32","shape":[2],"data_offsets":[3,11]},' +
    '"__metadata__":{"k":"v"}}';
  assert.equal(json.length, 132);
  const expected = [
    0x88, 0, 0, 0, 0, 0, 0, 0, // u64 LE header length 136
    ...Buffer.from(`${json}    `, 'ascii'),
    1, 2, 3, // a: U8 [1, 2, 3]
    0x00, 0x00, 0x80, 0x3f, // b[0] = 1.0f  (0x3f800000 LE)
    0x00, 0x00, 0x00, 0xc0, // b[1] = -2.0f (0xc0000000 LE)
  ];
  assert.equal(bytes.length, 155);
  assert.deepEqual([...bytes], expected);

  // "b" sits at an odd offset in the file; the decoded array must still be aligned.
  const { tensors, metadata } = decodeSafetensors(bytes, 'tiny.safetensors');
  assert.deepEqual(metadata, { k: 'v' });
  assert.equal(tensors.b.data.byteOffset % 4, 0);
  assert.deepEqual([...tensors.b.data], [1, -2]);
  assert.deepEqual([...tensors.a.data], [1, 2, 3]);
});

test('no metadata means no "__metadata__" key; header is always padded to a multiple of 8', () => {
  for (const name of ['x', 'xy', 'xyz', 'long_tensor_name']) {
    const bytes = encodeSafetensors({ [name]: { dtype: 'U8', shape: [], data: Uint8Array.of(7) } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0);
    const header = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
    assert.equal(header.trimEnd(), `{"${name}":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}`);
    assert.match(header, /^[^ ]*} *$/);
  }
});

const CASES: Record<string, Tensor[]> = {
  F32: [
    { dtype: 'F32', shape: [2, 3], data: Float32Array.of(0, -0, 1.5, NaN, Infinity, -3.4028234663852886e38) },
    { dtype: 'F32', shape: [], data: Float32Array.of(0.1) },
    { dtype: 'F32', shape: [0], data: new Float32Array(0) },
  ],
  F64: [
    { dtype: 'F64', shape: [3, 1], data: Float64Array.of(Math.PI, -0, Number.MIN_VALUE) },
    { dtype: 'F64', shape: [], data: Float64Array.of(-1e300) },
    { dtype: 'F64', shape: [2, 0, 4], data: new Float64Array(0) },
  ],
  I32: [
    { dtype: 'I32', shape: [4], data: Int32Array.of(-2147483648, -1, 0, 2147483647) },
    { dtype: 'I32', shape: [], data: Int32Array.of(-5) },
    { dtype: 'I32', shape: [0, 3], data: new Int32Array(0) },
  ],
  U32: [
    { dtype: 'U32', shape: [1, 2], data: Uint32Array.of(0, 4294967295) },
    { dtype: 'U32', shape: [], data: Uint32Array.of(42) },
    { dtype: 'U32', shape: [0], data: new Uint32Array(0) },
  ],
  U8: [
    { dtype: 'U8', shape: [5], data: Uint8Array.of(0, 1, 127, 128, 255) },
    { dtype: 'U8', shape: [], data: Uint8Array.of(9) },
    { dtype: 'U8', shape: [0], data: new Uint8Array(0) },
  ],
};

for (const [dtype, cases] of Object.entries(CASES)) {
  test(`round trip ${dtype}: normal, scalar and empty shapes, bit-exact and aligned`, () => {
    const input: Record<string, Tensor> = { full: cases[0], scalar: cases[1], empty: cases[2] };
    // A lone U8 first would misalign everything after it without the aligned copy.
    input.odd = { dtype: 'U8', shape: [1], data: Uint8Array.of(1) };
    const bytes = encodeSafetensors(input, { dtype });
    const out = decodeSafetensors(bytes, `${dtype}.safetensors`);
    assert.deepEqual(out.metadata, { dtype });
    assert.deepEqual(Object.keys(out.tensors).sort(), ['empty', 'full', 'odd', 'scalar']);
    for (const name of ['full', 'scalar', 'empty']) {
      const a = input[name];
      const b = out.tensors[name];
      assert.equal(b.dtype, a.dtype);
      assert.deepEqual(b.shape, a.shape);
      assert.equal(b.data.constructor, a.data.constructor);
      assert.equal(b.data.byteOffset % b.data.BYTES_PER_ELEMENT, 0);
      // Compare raw bytes so NaN payloads and -0 count.
      assert.deepEqual(
        Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength),
        Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength),
      );
    }
    // Decoded arrays are copies, not views into the file bytes.
    bytes.fill(0);
    assert.notEqual(out.tensors.full.data.length, 0);
    assert.deepEqual(Buffer.from(out.tensors.full.data.buffer), Buffer.from(cases[0].data.buffer));
  });
}

test('encoding is deterministic: same tensors in any key order give identical bytes', () => {
  const w: Tensor = { dtype: 'F64', shape: [2], data: Float64Array.of(1, 2) };
  const s: Tensor = { dtype: 'I32', shape: [], data: Int32Array.of(3) };
  const one = encodeSafetensors({ w, s }, { b: '2', a: '1' });
  const two = encodeSafetensors({ s, w }, { a: '1', b: '2' });
  assert.deepEqual(Buffer.from(one), Buffer.from(two));
  // Views into a larger buffer encode only their own elements.
  const big = Float64Array.of(9, 1, 2, 9);
  const three = encodeSafetensors({ w: { dtype: 'F64', shape: [2], data: big.subarray(1, 3) }, s }, { a: '1', b: '2' });
  assert.deepEqual(Buffer.from(three), Buffer.from(one));
});

test('encode rejects inconsistent tensors with the tensor named', () => {
  assert.throws(
    () => encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }),
    /tensor "w" has shape \[2, 2\] \(4 elements\) but 3 values/,
  );
  assert.throws(
    () => encodeSafetensors({ w: { dtype: 'F32', shape: [1], data: new Float64Array(1) } as unknown as Tensor }),
    /tensor "w" is F32 but its data is a Float64Array, expected Float32Array/,
  );
  assert.throws(
    () => encodeSafetensors({ w: { dtype: 'U8', shape: [-1], data: new Uint8Array(0) } }),
    /tensor "w" has an invalid shape/,
  );
  assert.throws(
    () => encodeSafetensors({ __metadata__: { dtype: 'U8', shape: [], data: new Uint8Array(1) } }),
    /reserved/,
  );
});

test('decode errors name the file and say what is wrong', () => {
  const good = encodeSafetensors({ w: { dtype: 'F64', shape: [2], data: Float64Array.of(1, 2) } });
  const label = 'artifacts/targets/mlp-small/w.safetensors';
  const bad = (bytes: Uint8Array, re: RegExp) =>
    assert.throws(() => decodeSafetensors(bytes, label), (err: Error) => {
      assert.ok(err.message.startsWith(`Invalid safetensors file ${label}: `), err.message);
      assert.match(err.message, re);
      return true;
    });

  bad(good.subarray(0, good.length - 1), /cover 16 bytes but the data section is 15 bytes|run past/);
  bad(good.subarray(0, 5), /5 bytes, too short/);
  bad(good.subarray(0, 20), /header claims \d+ bytes but only 12 follow/);
  bad(Uint8Array.of(...good, 0), /cover 16 bytes but the data section is 17 bytes/);
  bad(rawFile('{"w":', []), /not valid JSON/);
  bad(rawFile('[1,2]'), /not a JSON object/);
  bad(rawFile('{"w":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}', [0, 0]), /dtype "BF16" is not supported/);
  bad(rawFile('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /tensor "w": 4 data bytes, but shape \[2\] × F32 needs 8/);
  bad(rawFile('{"w":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}', [0]), /tensor "w": data_offsets \[0, 2\] run past the 1-byte data section/);
  bad(rawFile('{"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', [0, 0]), /tensor "w" starts at byte 1 .* expected 0/);
  bad(
    rawFile('{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}', [0, 0, 0]),
    /tensor "b" starts at byte 1 .* expected 2/,
  );
  bad(rawFile('{"w":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}', [0]), /tensor "w": invalid shape \[1\.5\]/);
  bad(rawFile('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0]}}', [0]), /invalid data_offsets \[0\]/);
  bad(rawFile('{"__metadata__":{"k":1}}'), /metadata "k" must be a string/);
  bad(rawFile('{}', [], 0xffffffff), /header claims 4294967295 bytes/);
  const invalidUtf8 = rawFile('{"w":0}   ');
  invalidUtf8[10] = 0xff;
  bad(invalidUtf8, /not valid UTF-8/);
});

test('readSafetensorsHeader reads only the header and validates it against the file size', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'llc-st-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const bytes = encodeSafetensors(
    { w: { dtype: 'F64', shape: [2, 1], data: Float64Array.of(1, 2) }, b: { dtype: 'I32', shape: [], data: Int32Array.of(1) } },
    { producer: 'test' },
  );
  const file = join(dir, 'w.safetensors');
  await writeFile(file, bytes);
  const header = await readSafetensorsHeader(file);
  assert.deepEqual(header.metadata, { producer: 'test' });
  assert.deepEqual(header.tensors, {
    b: { dtype: 'I32', shape: [], data_offsets: [0, 4] },
    w: { dtype: 'F64', shape: [2, 1], data_offsets: [4, 20] },
  });
  await writeFile(file, bytes.subarray(0, bytes.length - 3));
  await assert.rejects(readSafetensorsHeader(file, 'w.safetensors'), /Invalid safetensors file w\.safetensors: .*truncated/);
  await writeFile(file, new Uint8Array(0));
  await assert.rejects(readSafetensorsHeader(file, 'w.safetensors'), /w\.safetensors: the file is 0 bytes/);
});
