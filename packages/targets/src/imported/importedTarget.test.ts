/**
 * Imported networks against PyTorch: dev/torch/parity.py trains two small networks in float64
 * (a tanh regression MLP with squared error, a GELU classifier with cross-entropy), saves them
 * with their data in every format we read, and writes PyTorch's loss and gradient at the saved
 * weights. Our float64 loss must match to 1e-6 relative (it matches to rounding). Needs Debian's
 * python3-torch, which CI installs; elsewhere these tests skip, saying so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeSafetensorsAsFloat64, encodeSafetensors } from '@llc/core/artifacts/safetensors';
import { loadImportedTarget, type ImportedTargetSpec } from './importedTarget';
import { networkLossModel } from './network';
import type { DataSource } from './dataFile';

const PYTHON = '/usr/bin/python3';
const SCRIPT = resolve(import.meta.dirname, '../../../../dev/torch/parity.py');
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;
const skip = hasTorch ? false : `needs ${PYTHON} with torch and numpy (Debian's python3-torch; CI installs it)`;

interface Case {
  loss: 'mse' | 'cross-entropy';
  architecture: ImportedTargetSpec['architecture'];
  value: number;
  grad: Record<string, number[]>;
  data: Record<string, string>;
}

let dir = '';
let cases: Record<string, Case & { weights?: Record<string, number[]> }> = {};
function reference(): typeof cases {
  if (dir === '') {
    dir = mkdtempSync(join(tmpdir(), 'llc-parity-'));
    const run = spawnSync(PYTHON, [SCRIPT, dir], { encoding: 'utf8' });
    assert.equal(run.status, 0, `${SCRIPT} failed: ${run.stderr}`);
    cases = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
  }
  return cases;
}

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function checkParity(name: string, train: DataSource, weights = `${name}.safetensors`): void {
  const c = reference()[name];
  const spec: ImportedTargetSpec = { weights, architecture: c.architecture, loss: c.loss, data: { train } };
  const loaded = loadImportedTarget(dir, spec, `targets.${name}`);
  assert.deepEqual(loaded.problems, []);
  const { network, train: data } = loaded.target!;
  const model = networkLossModel(network.model, data.X.data, data.Y.data, c.loss);
  const { loss, grad } = model.lossAndGrad(network.wStar);
  assert.ok(relErr(loss, c.value) < 1e-10, `${name}: L(w*) ${loss} vs PyTorch ${c.value}`);
  let worst = 0;
  for (const p of network.parameters) {
    const expected = c.grad[p.name];
    assert.equal(expected.length, p.indices.length, p.name);
    // Relative to the gradient's scale: entries near zero are compared with its norm.
    const scale = Math.max(...expected.map(Math.abs));
    p.indices.forEach((index, k) => (worst = Math.max(worst, Math.abs(grad[index] - expected[k]) / scale)));
  }
  assert.ok(worst < 1e-6, `${name}: ∇L(w*) differs from PyTorch's by ${worst.toExponential(2)} (relative to the largest entry)`);
}

test('regression MLP (tanh, squared error): L(w*) and ∇L(w*) equal PyTorch float64 from .npz and from two .npy files', { skip }, () => {
  const files = reference().regression.data;
  checkParity('regression', { file: files.npz, inputs: 'X', target: 'Y' });
  checkParity('regression', { inputs: files.npyX, target: files.npyY });
});

test('classifier (GELU, cross-entropy on logits): L(w*) and ∇L(w*) equal PyTorch float64 from safetensors (int64 labels) and CSV', { skip }, () => {
  const files = reference().classification.data;
  checkParity('classification', { file: files.safetensors, inputs: 'X', target: 'y' });
  checkParity('classification', { file: files.csv, inputs: ['a', 'b', 'c', 'd'], target: 'label' });
  checkParity('classification', { file: files.csv, inputs: '*', target: 'label' });
});

test('CNN (two Conv2d with padding and stride, Flatten, two Linear; cross-entropy): L(w*) and ∇L(w*) equal PyTorch float64', { skip }, () => {
  checkParity('cnn', { file: reference().cnn.data.npz, inputs: 'X', target: 'y' });
});

test('weights saved as F32, F16 and BF16 read back as exactly the values PyTorch converts them to', { skip }, () => {
  const all = reference();
  for (const tag of ['f32', 'f16', 'bf16']) {
    for (const name of ['regression', 'classification', 'cnn']) {
      const { tensors } = decodeSafetensorsAsFloat64(new Uint8Array(readFileSync(join(dir, `${name}-${tag}.safetensors`))), tag);
      for (const [key, values] of Object.entries(all[`${name}-${tag}`].weights!)) assert.deepEqual(Array.from(tensors[key].data), values, `${name}-${tag} ${key}`);
    }
  }
});

/** A workspace with one small 2 → 3 → 2 network and a CSV, for the error cases (no PyTorch needed). */
function errorWorkspace() {
  const root = mkdtempSync(join(tmpdir(), 'llc-imported-'));
  const f64 = (shape: number[], fill = 0.5) => ({ dtype: 'F64' as const, shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });
  const weights = { 'fc1.weight': f64([3, 2]), 'fc1.bias': f64([3]), 'fc2.weight': f64([2, 3]), 'fc2.bias': f64([2]) };
  writeFileSync(join(root, 'net.safetensors'), encodeSafetensors(weights));
  writeFileSync(join(root, 'data.csv'), 'x1,x2,label\n0.1,0.2,0\n0.3,0.4,1\n0.5,0.6,1\n');
  const spec: ImportedTargetSpec = {
    weights: 'net.safetensors',
    architecture: { family: 'mlp', activation: 'relu', layers: [{ weight: 'fc1.weight', bias: 'fc1.bias' }, { weight: 'fc2.weight', bias: 'fc2.bias' }] },
    loss: 'cross-entropy',
    data: { train: { file: 'data.csv', inputs: ['x1', 'x2'], target: 'label' } },
  };
  return { root, spec, weights, f64 };
}

const problemsOf = (root: string, spec: ImportedTargetSpec) => loadImportedTarget(root, spec, 'targets.mine').problems.join('\n');

test('a well-formed import loads: widths from the tensors, PyTorch [out, in] weights transposed into w*', () => {
  const { root, spec } = errorWorkspace();
  const loaded = loadImportedTarget(root, spec, 'targets.mine');
  assert.deepEqual(loaded.problems, []);
  assert.deepEqual(loaded.target!.network.model.kind === 'mlp' && loaded.target!.network.model.spec.widths, [2, 3, 2]);
  assert.equal(loaded.target!.network.wStar.length, 6 + 3 + 6 + 2);
  assert.equal(loaded.target!.train.X.rows, 3);
});

test('errors name the file, the tensor or column and the fix: missing, extra and misshapen tensors, integer weights, NaN', () => {
  const { root, spec, weights, f64 } = errorWorkspace();
  const write = (name: string, tensors: Record<string, ReturnType<typeof f64> | { dtype: 'I32'; shape: number[]; data: Int32Array }>) =>
    writeFileSync(join(root, name), encodeSafetensors(tensors));
  const { 'fc2.bias': _, ...missing } = weights;
  write('missing.safetensors', missing);
  assert.match(problemsOf(root, { ...spec, weights: 'missing.safetensors' }), /targets\.mine\.architecture: missing\.safetensors: no tensor "fc2\.bias" \(named by the architecture\)/);
  write('extra.safetensors', { ...weights, 'fc3.weight': f64([2, 2]) });
  assert.match(problemsOf(root, { ...spec, weights: 'extra.safetensors' }), /tensors "fc3\.weight" are not in the architecture; add the layers they belong to/);
  write('shape.safetensors', { ...weights, 'fc2.weight': f64([2, 4]) });
  assert.match(problemsOf(root, { ...spec, weights: 'shape.safetensors' }), /"fc2\.weight" has shape \[2, 4\], but the layer before it has 3 outputs: expected \[2, 3\]/);
  write('int.safetensors', { ...weights, 'fc1.bias': { dtype: 'I32', shape: [3], data: new Int32Array(3) } });
  assert.match(problemsOf(root, { ...spec, weights: 'int.safetensors' }), /"fc1\.bias" has dtype I32; network weights must be floating point/);
  write('nan.safetensors', { ...weights, 'fc1.weight': f64([3, 2], Number.NaN) });
  assert.match(problemsOf(root, { ...spec, weights: 'nan.safetensors' }), /"fc1\.weight" holds NaN at flat index 0/);
  assert.match(problemsOf(root, { ...spec, weights: 'absent.safetensors' }), /targets\.mine\.weights: absent\.safetensors: no such file.*save_file\(model\.state_dict\(\), path\)/);
});

test('an unknown dtype in the file is named with the dtypes we read', () => {
  const { root, spec } = errorWorkspace();
  const header = Buffer.from(JSON.stringify({ 'fc1.weight': { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(join(root, 'f8.safetensors'), Buffer.concat([length, header, Buffer.alloc(1)]));
  assert.match(problemsOf(root, { ...spec, weights: 'f8.safetensors' }), /tensor "fc1\.weight": dtype "F8_E4M3" is not supported \(supported: F64, F32, F16, BF16,/);
});

test('data errors: wrong width, unknown column, a label outside the logits, NaN, unequal row counts, unknown format', () => {
  const { root, spec } = errorWorkspace();
  const withData = (train: DataSource) => problemsOf(root, { ...spec, data: { train } });
  assert.match(withData({ file: 'data.csv', inputs: ['x1'], target: 'label' }), /data\.train\.inputs: 1 input columns, but the network's first layer takes 2/);
  assert.match(withData({ file: 'data.csv', inputs: ['x1', 'x3'], target: 'label' }), /data\.csv: no column "x3" \(named by inputs\); its columns are x1, x2, label/);
  writeFileSync(join(root, 'labels.csv'), 'x1,x2,label\n0.1,0.2,0\n0.3,0.4,2\n');
  assert.match(withData({ file: 'labels.csv', inputs: ['x1', 'x2'], target: 'label' }), /row 1 has label 2; labels must be class indices 0…1 \(the network has 2 logits\)/);
  writeFileSync(join(root, 'nan.csv'), 'x1,x2,label\n0.1,NaN,0\n0.3,0.4,1\n');
  assert.match(withData({ file: 'nan.csv', inputs: ['x1', 'x2'], target: 'label' }), /nan\.csv: row 2, column "x2" is "NaN", not a number; fix or drop that row/);
  writeFileSync(join(root, 'inf.safetensors'), encodeSafetensors({ X: { dtype: 'F64', shape: [2, 2], data: Float64Array.of(0, Infinity, 1, 1) }, y: { dtype: 'F64', shape: [2], data: Float64Array.of(0, 1) } }));
  assert.match(withData({ file: 'inf.safetensors', inputs: 'X', target: 'y' }), /data\.train\.inputs: row 0, column 1 is Infinity; remove or impute non-finite values/);
  writeFileSync(join(root, 'gap.csv'), 'x1,x2,label\n0.1,,0\n');
  assert.match(withData({ file: 'gap.csv', inputs: ['x1', 'x2'], target: 'label' }), /row 2, column "x2" is "", not a number/);
  writeFileSync(join(root, 'rows.safetensors'), encodeSafetensors({ X: { dtype: 'F64', shape: [3, 2], data: new Float64Array(6) }, y: { dtype: 'F64', shape: [2], data: new Float64Array(2) } }));
  assert.match(withData({ file: 'rows.safetensors', inputs: 'X', target: 'y' }), /3 input rows but 2 target rows/);
  assert.match(withData({ file: 'rows.safetensors', inputs: 'X', target: 'labels' }), /rows\.safetensors: no tensor "labels"; it holds X, y/);
  writeFileSync(join(root, 'data.parquet'), 'x');
  assert.match(withData({ file: 'data.parquet', inputs: 'X', target: 'y' }), /unknown data format "\.parquet"; use \.npz, \.safetensors, \.csv or two \.npy files/);
  assert.match(withData({ inputs: 'X.npy', target: 'y.csv' }), /a data source without `file` names two \.npy files/);
  assert.match(problemsOf(root, { ...spec, loss: 'mse' }), /data\.train\.target: 1 target columns, but the network has 2 outputs \(loss 'mse'\)/);
});

test('CNN shape errors name the tensor and the expected shape: input channels, the features a linear layer gets, kernels that do not fit', () => {
  const { root, f64 } = errorWorkspace();
  writeFileSync(join(root, 'img.csv'), `${Array.from({ length: 16 }, (_, i) => `p${i}`).join(',')},label\n${Array(16).fill('0.1').join(',')},0\n`);
  const cnn = (tensors: Record<string, ReturnType<typeof f64>>, layers: Array<Record<string, unknown>>, inputShape: [number, number, number] = [1, 4, 4]) => {
    writeFileSync(join(root, 'cnn.safetensors'), encodeSafetensors(tensors));
    return problemsOf(root, {
      weights: 'cnn.safetensors',
      architecture: { family: 'cnn', inputShape, activation: 'relu', layers: layers as never },
      loss: 'cross-entropy',
      data: { train: { file: 'img.csv', inputs: '*', target: 'label' } },
    });
  };
  const conv = { type: 'conv2d', weight: 'c.weight', stride: 1, padding: 0 };
  const fc = { type: 'linear', weight: 'f.weight' };
  // 1×4×4 → conv 3×3 → 2×2×2 = 8 features.
  assert.equal(cnn({ 'c.weight': f64([2, 1, 3, 3]), 'f.weight': f64([2, 8]) }, [conv, fc]), '');
  assert.match(cnn({ 'c.weight': f64([2, 3, 3, 3]), 'f.weight': f64([2, 8]) }, [conv, fc]), /"c\.weight" has shape \[2, 3, 3, 3\], but its input has 1 channels: expected \[2, 1, 3, 3\]/);
  assert.match(cnn({ 'c.weight': f64([2, 1, 3, 3]), 'f.weight': f64([2, 9]) }, [conv, fc]), /"f\.weight" has shape \[2, 9\], but the layer before it gives 8 features: expected \[2, 8\] \(check inputShape, stride and padding\)/);
  assert.match(cnn({ 'c.weight': f64([2, 1, 5, 5]), 'f.weight': f64([2, 8]) }, [conv, fc]), /a 5×5 kernel does not fit a 4×4 input with padding 0/);
  assert.match(cnn({ 'c.weight': f64([2, 1, 3, 3]), 'f.weight': f64([2, 8]) }, [conv, fc], [1, 3, 5]), /the layer before it gives 6 features/);
});
