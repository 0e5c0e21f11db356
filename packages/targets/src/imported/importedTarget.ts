/**
 * An imported target: the user's trained network (a PyTorch safetensors state_dict), the
 * architecture that maps its tensors onto layers, its loss and its data. Everything is checked
 * together here, so the config check (before any task) and the target build (which writes the
 * artifact) apply the same rules and report them the same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensorsAsFloat64 } from '@llc/core/artifacts/safetensors';
import { flattenStateDict, type Architecture, type ImportedNetwork } from './architecture';
import { readDataSource, type DataSet, type DataSource } from './dataFile';
import type { LossKind } from '../models/mlpLossF64';

export interface ImportedTargetSpec {
  weights: string;
  architecture: Architecture;
  loss: LossKind;
  data: { train: DataSource; test?: DataSource };
}

export interface ImportedTarget {
  network: ImportedNetwork;
  train: DataSet;
  test: DataSet | null;
}

function readNetwork(root: string, spec: ImportedTargetSpec, at: string): { network: ImportedNetwork | null; problems: string[] } {
  let tensors;
  try {
    tensors = decodeSafetensorsAsFloat64(new Uint8Array(readFileSync(join(root, spec.weights))), spec.weights).tensors;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `${spec.weights}: no such file (paths are relative to the workspace root)` : (error as Error).message;
    return { network: null, problems: [`${at}.weights: ${why}; export it with safetensors.torch.save_file(model.state_dict(), path)`] };
  }
  const flat = flattenStateDict(spec.architecture, tensors, spec.weights);
  return { network: flat.network, problems: flat.problems.map((p) => `${at}.architecture: ${p}`) };
}

/** The data set's problems against the network: widths, row counts, labels, non-finite values. */
function checkData(set: DataSet, network: ImportedNetwork, loss: LossKind, where: string): string[] {
  const problems: string[] = [];
  const { dIn, dOut } = network;
  if (set.X.cols !== dIn) problems.push(`${where}.inputs: ${set.X.cols} input columns, but the network's first layer takes ${dIn}; name exactly its ${dIn} inputs`);
  if (set.X.rows !== set.Y.rows) problems.push(`${where}: ${set.X.rows} input rows but ${set.Y.rows} target rows; they must come from the same examples`);
  if (loss === 'mse' && set.Y.cols !== dOut) problems.push(`${where}.target: ${set.Y.cols} target columns, but the network has ${dOut} outputs (loss 'mse')`);
  if (loss === 'cross-entropy') {
    if (set.Y.cols !== 1) problems.push(`${where}.target: loss 'cross-entropy' needs one column of class indices, got ${set.Y.cols} columns`);
    else {
      const badLabel = set.Y.data.findIndex((v) => !(Number.isInteger(v) && v >= 0 && v < dOut));
      if (badLabel >= 0) problems.push(`${where}.target: row ${badLabel} has label ${set.Y.data[badLabel]}; labels must be class indices 0…${dOut - 1} (the network has ${dOut} logits)`);
    }
  }
  for (const [name, m] of [['inputs', set.X], ['target', set.Y]] as const) {
    const i = m.data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) problems.push(`${where}.${name}: row ${Math.floor(i / m.cols)}, column ${i % m.cols} is ${m.data[i]}; remove or impute non-finite values`);
  }
  return problems;
}

/** Data sets already read, by source: the checkpoints of one run share their data, read once per check. */
export type DataCache = Map<string, ReturnType<typeof readDataSource>>;

/**
 * Reads and checks everything; `at` is the config path ("targets.digits") that prefixes each
 * problem. Pass one `cache` to several calls that may share data files.
 */
export function loadImportedTarget(root: string, spec: ImportedTargetSpec, at: string, cache: DataCache = new Map()): { target: ImportedTarget; problems: [] } | { target: null; problems: string[] } {
  const { network, problems } = readNetwork(root, spec, at);
  const sets: Array<[string, DataSource | undefined]> = [['train', spec.data.train], ['test', spec.data.test]];
  const read = new Map<string, DataSet>();
  for (const [which, source] of sets) {
    if (source === undefined) continue;
    const where = `${at}.data.${which}`;
    const key = JSON.stringify(source);
    if (!cache.has(key)) cache.set(key, readDataSource(root, source));
    const result = cache.get(key)!;
    if (result.value === null) problems.push(...result.problems.map((p) => `${where}: ${p}`));
    else {
      read.set(which, result.value);
      if (network) problems.push(...checkData(result.value, network, spec.loss, where));
    }
  }
  if (problems.length > 0 || network === null) return { target: null, problems };
  return { target: { network, train: read.get('train')!, test: read.get('test') ?? null }, problems: [] };
}
