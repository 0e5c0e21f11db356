/**
 * MLP widths chosen from a parameter budget instead of listed.
 *
 * All hidden layers get one width h. With L = depth hidden layers, d_in inputs and
 * d_out outputs the parameter count is
 *   d(h) = d_in·h + (L − 1)·h² + h·d_out + [bias]·(L·h + d_out) + [layerNorm]·2·L·h,
 * increasing in h. widthsForParamCount picks the h whose d(h) is nearest to the
 * requested count; on a tie, the larger h (so the count is ≥ the request).
 */
import { mlpLayout, validateMlpSpec, type Activation, type MlpSpec } from './mlpSpec';

export interface ParamCountRequest {
  inputDim: number;
  outputDim: number;
  /** Number of hidden layers (≥ 1). */
  depth: number;
  /** Wanted total parameter count d. */
  paramCount: number;
  bias: boolean;
  layerNorm?: boolean;
}

/** A student given by depth and parameter budget; resolveMlpSpec turns it into widths. */
export interface SizedMlpSpec {
  readonly depth: number;
  readonly paramCount: number;
  readonly activation: Activation;
  readonly bias: boolean;
  readonly layerNorm?: boolean;
}

/** d(h) for equal hidden widths h (see the file comment). */
export function paramCountForWidth(request: Omit<ParamCountRequest, 'paramCount'>, h: number): number {
  const { inputDim, outputDim, depth, bias, layerNorm } = request;
  return (
    inputDim * h +
    (depth - 1) * h * h +
    h * outputDim +
    (bias ? depth * h + outputDim : 0) +
    (layerNorm === true ? 2 * depth * h : 0)
  );
}

function checkRequest(request: ParamCountRequest, caller: string, field: string): void {
  const fail = (message: string): never => {
    throw new Error(`Error in ${caller}: ${field}${message}`);
  };
  const positiveInteger = (value: number, name: string): void => {
    if (!(Number.isSafeInteger(value) && value > 0)) fail(`${name} must be a positive integer, got ${String(value)}`);
  };
  if (request === null || typeof request !== 'object') fail(' must be an object');
  positiveInteger(request.inputDim, 'inputDim');
  positiveInteger(request.outputDim, 'outputDim');
  positiveInteger(request.depth, 'depth');
  positiveInteger(request.paramCount, 'paramCount');
  if (typeof request.bias !== 'boolean') fail(`bias must be a boolean, got ${String(request.bias)}`);
  if (request.layerNorm !== undefined && typeof request.layerNorm !== 'boolean') {
    fail(`layerNorm must be a boolean, got ${String(request.layerNorm)}`);
  }
}

/**
 * Hidden widths [h, …, h] (depth entries) whose parameter count is nearest to
 * request.paramCount (ties: the larger h). Throws when even the narrowest network
 * (h = 1, or 2 with layerNorm) has more parameters than requested.
 */
export function widthsForParamCount(request: ParamCountRequest, caller = 'widthsForParamCount', field = ''): number[] {
  checkRequest(request, caller, field);
  const target = request.paramCount;
  const minWidth = request.layerNorm === true ? 2 : 1;
  const smallest = paramCountForWidth(request, minWidth);
  if (target < smallest) {
    throw new Error(
      `Error in ${caller}: ${field}paramCount ${target} is below the smallest network of depth ${request.depth} (width ${minWidth}: ${smallest} parameters)`,
    );
  }
  // Smallest h with d(h) ≥ target, by doubling then bisection (d is increasing).
  let hi = minWidth;
  while (paramCountForWidth(request, hi) < target) hi *= 2;
  let lo = Math.max(minWidth, Math.floor(hi / 2));
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (paramCountForWidth(request, mid) >= target) hi = mid;
    else lo = mid + 1;
  }
  let h = hi;
  if (h > minWidth && target - paramCountForWidth(request, h - 1) < paramCountForWidth(request, h) - target) h -= 1;
  return Array.from({ length: request.depth }, () => h);
}

export function isSizedMlpSpec(spec: MlpSpec | SizedMlpSpec): spec is SizedMlpSpec {
  return spec !== null && typeof spec === 'object' && !('widths' in spec) && ('depth' in spec || 'paramCount' in spec);
}

/**
 * An explicit MlpSpec (checked against inputDim/outputDim elsewhere) is returned as is;
 * a SizedMlpSpec becomes { widths: [inputDim, h × depth, outputDim], activation, bias, layerNorm }.
 */
export function resolveMlpSpec(
  spec: MlpSpec | SizedMlpSpec,
  inputDim: number,
  outputDim: number,
  caller = 'resolveMlpSpec',
  field = 'spec',
): MlpSpec {
  if (spec === null || typeof spec !== 'object') throw new Error(`Error in ${caller}: ${field} must be an object`);
  if ('widths' in spec && ('depth' in spec || 'paramCount' in spec)) {
    throw new Error(`Error in ${caller}: ${field} gives widths and depth/paramCount; give one or the other`);
  }
  if (!isSizedMlpSpec(spec)) {
    validateMlpSpec(spec, caller, field);
    return spec;
  }
  const { depth, paramCount, activation, bias, layerNorm } = spec;
  const hidden = widthsForParamCount({ inputDim, outputDim, depth, paramCount, bias, layerNorm }, caller, `${field}.`);
  const resolved: MlpSpec = {
    widths: [inputDim, ...hidden, outputDim],
    activation,
    bias,
    ...(layerNorm === undefined ? {} : { layerNorm }),
  };
  validateMlpSpec(resolved, caller, field);
  return resolved;
}

/** Total parameter count of a spec (same as mlpLayout(spec).size). */
export function mlpParamCount(spec: MlpSpec): number {
  return mlpLayout(spec).size;
}
