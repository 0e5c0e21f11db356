/**
 * Chooses the tfjs backend once per process.
 *
 * The backend decides float32 kernels and therefore the exact bits of every loss,
 * so it is picked at start-up and never switched afterwards: later calls return
 * the first answer instead of re-selecting.
 */
import * as tf from '@tensorflow/tfjs-core';

export type BackendPreference = 'auto' | 'tfjs-node' | 'wasm' | 'cpu';
export type BackendName = 'tfjs-node' | 'wasm' | 'cpu';
/**
 * The config's engine setting: a tfjs backend, or 'simd' (the WebAssembly SIMD kernel) or
 * 'native' (the optional native addon) evaluating MLP losses for sampling; tfjs, for
 * everything else, is then chosen as by 'auto'.
 */
export type EnginePreference = BackendPreference | 'simd' | 'native';

export interface EngineInfo {
  /** Which backend every tensor op in this process runs on. */
  backend: BackendName;
  /** One line saying why (e.g. "tfjs-node not installed; using wasm"). */
  reason: string;
}

/** tfjs registers backends under these names. */
const TF_BACKEND_NAME: Record<BackendName, string> = { 'tfjs-node': 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

// Held in a variable so TypeScript does not try to resolve the optional package.
const TFJS_NODE_MODULE = '@tensorflow/tfjs-node';

let chosen: Promise<EngineInfo> | null = null;
let chosenPreference: BackendPreference | null = null;

/** First line of an error message, for one-line reasons. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].trim().slice(0, 160);
}

function isModuleMissing(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && firstLine(error).includes(TFJS_NODE_MODULE);
}

/** Loads and activates one backend; throws with a one-line reason when it cannot. */
async function activate(name: BackendName): Promise<void> {
  if (name === 'tfjs-node') {
    try {
      await import(TFJS_NODE_MODULE);
    } catch (error) {
      throw new Error(isModuleMissing(error) ? 'tfjs-node not installed' : `tfjs-node failed to load (${firstLine(error)})`, { cause: error });
    }
  } else if (name === 'wasm') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
    } catch (error) {
      throw new Error(`wasm backend failed to load (${firstLine(error)})`, { cause: error });
    }
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(TF_BACKEND_NAME[name]);
  } catch (error) {
    throw new Error(`${name} failed to initialise (${firstLine(error)})`, { cause: error });
  }
  if (!ok) throw new Error(`${name} failed to initialise`);
  await tf.ready();
}

async function choose(preference: BackendPreference): Promise<EngineInfo> {
  if (preference !== 'auto') {
    try {
      await activate(preference);
    } catch (error) {
      throw new Error(`Error in initEngine: backend '${preference}' was requested but ${firstLine(error)}`, { cause: error });
    }
    return { backend: preference, reason: `${preference} requested` };
  }
  const skipped: string[] = [];
  for (const name of ['tfjs-node', 'wasm', 'cpu'] as const) {
    try {
      await activate(name);
      const reason = skipped.length === 0 ? `${name} available` : `${skipped.join('; ')}; using ${name}`;
      return { backend: name, reason };
    } catch (error) {
      skipped.push(firstLine(error));
    }
  }
  throw new Error(`Error in initEngine: no tfjs backend could be started (${skipped.join('; ')})`);
}

/**
 * Selects the backend once per process: 'auto' tries tfjs-node, then wasm, then cpu.
 * 'simd' and 'native' select as 'auto' does (the kernels are no tfjs backends: targetLossModel picks them).
 * An explicit preference that cannot be honoured throws rather than silently running
 * on another backend (results would differ in the last bits).
 * Repeated calls return the first result; a later explicit preference that differs
 * from the backend already chosen throws.
 */
export async function initEngine(setting: EnginePreference = 'auto'): Promise<EngineInfo> {
  const preference: BackendPreference = setting === 'simd' || setting === 'native' ? 'auto' : setting;
  if (chosen === null) {
    chosenPreference = preference;
    chosen = choose(preference);
    // A failed attempt must not poison the process: allow a later call to retry.
    chosen.catch(() => {
      chosen = null;
      chosenPreference = null;
    });
    return chosen;
  }
  const info = await chosen;
  if (preference !== 'auto' && preference !== info.backend) {
    throw new Error(
      `Error in initEngine: backend already chosen as '${info.backend}' (preference '${chosenPreference}'); cannot switch to '${preference}' in the same process`,
    );
  }
  return info;
}
