/**
 * Where the chains of one run execute: all in this process ('inline'), spread over a
 * pool of worker threads ('workers'), or one child process per chain ('process').
 *
 * The choice never changes a result: a chain's draws depend only on (seed, chain
 * index) (samplers/src/run.ts), every worker or child rebuilds the same model with
 * the same code and the same tfjs backend, and typed arrays come back through the
 * structured clone, bit for bit. Traces are returned in chain order whatever finished
 * first. Only wall-clock fields (`seconds`, `totalSeconds`) differ between modes.
 *
 * Interrupts keep the inline semantics: after `signal` aborts, running chains stop at
 * their next step and return their partial trace marked 'interrupted'; chains that had
 * not started are run here with the aborted signal, which gives the same empty,
 * interrupted trace an inline run would.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { KernelState, SamplingAlgorithm } from './algorithm';
import type { LossModel } from '@llc/core/model';
import type { LocalPosterior } from './posterior';
import { runChains, runChainsAsync, type ChainTrace, type RunOptions, type RunResult } from './run';

export const CHAIN_EXECUTIONS = ['inline', 'workers', 'process'] as const;
export type ChainExecution = (typeof CHAIN_EXECUTIONS)[number];

/**
 * Used when a sampler config leaves `chainExecution` unset. Chosen by measurement
 * (tools/src/bench/chains.ts, docs/BENCHMARKS.md "Chains"): a chain steps at the same
 * speed in all three modes, a worker thread or child costs ~1 s (more under load) to
 * start, and in a pipeline run Nx already keeps the cores busy with parallel tasks, so
 * inline was fastest on the 2-core machine. Changing it changes no result and no cache key.
 */
export const DEFAULT_CHAIN_EXECUTION: ChainExecution = 'inline';

/** What the run loop needs: built here for 'inline', rebuilt by each worker or child otherwise. */
export interface ChainSetup {
  model: LossModel;
  posterior: LocalPosterior;
  algorithm: SamplingAlgorithm<KernelState>;
  dispose?(): void;
}

/**
 * How a worker or child process rebuilds the ChainSetup: `module` (a file URL) exports
 * `name`, an async function of `args` (structured-cloneable) returning a ChainSetup.
 */
export interface RemoteSetup {
  module: string;
  name: string;
  args: unknown;
}

export type ChainSetupFactory<A = never> = (args: A) => Promise<ChainSetup>;

export interface ExecuteOptions extends RunOptions {
  execution: ChainExecution;
  /** Chains running at once in 'workers' and 'process' mode; default os.availableParallelism(), never more than the chains. */
  parallelism?: number;
  /** Required unless execution is 'inline'. */
  remote?: RemoteSetup;
}

/** Messages between this process and a chain worker (samplers/src/chainWorker.ts). */
export type ToRemote =
  | { type: 'setup'; setup: RemoteSetup }
  | { type: 'run'; chain: number; options: RemoteRunOptions }
  | { type: 'abort' }
  | { type: 'close' };
export type FromRemote =
  | { type: 'ready' }
  | { type: 'progress'; chain: number; step: number; totalSteps: number }
  | { type: 'done'; chain: number; trace: ChainTrace; drawSteps: Int32Array }
  | { type: 'error'; message: string; stack?: string };
export type RemoteRunOptions = Pick<RunOptions, 'chains' | 'steps' | 'burnIn' | 'evalEvery' | 'seed' | 'initNoise'>;

/** Chains at once: the requested parallelism (default: the cores Node may use), capped by the chain count. */
export function chainParallelism(chains: number, requested?: number): number {
  const p = requested ?? availableParallelism();
  return Math.max(1, Math.min(chains, Math.floor(p)));
}

/** Runs the chains of `options` with the chosen execution; see the file comment for the guarantees. */
export async function executeChains(local: ChainSetup, options: ExecuteOptions): Promise<RunResult> {
  const { execution, parallelism, remote, ...run } = options;
  if (execution === 'inline') return runChainsAsync(local.model, local.posterior, local.algorithm, run);
  if (!remote) throw new Error(`Error in executeChains: chainExecution '${execution}' needs a remote setup (how workers rebuild the model)`);
  const ids = run.chainIds ?? Array.from({ length: run.chains }, (_, c) => c);
  return runRemote(local, run, ids, remote, execution, chainParallelism(ids.length, parallelism));
}

const WORKER_BOOTSTRAP = new URL('./chainWorker.mjs', import.meta.url);
const CHILD_ENTRY = fileURLToPath(new URL('./chainWorker.ts', import.meta.url));

/** One worker thread or child process speaking the ToRemote/FromRemote protocol. */
interface Remote {
  send(message: ToRemote): void;
  onMessage(handler: (message: FromRemote) => void): void;
  /** Called once when it ends, with a reason when that was unexpected. */
  onExit(handler: (why: string | null) => void): void;
  kill(): void;
}

function startWorker(): Remote {
  // Workers do not inherit a working `--import tsx` on Node 20: the bootstrap registers tsx itself.
  const worker = new Worker(WORKER_BOOTSTRAP, { execArgv: [] });
  let closing = false;
  let exitHandler: (why: string | null) => void = () => {};
  let failure: string | null = null;
  worker.on('error', (error) => {
    failure = error instanceof Error ? error.message : String(error);
  });
  worker.on('exit', (code) => exitHandler(closing && failure === null ? null : (failure ?? `worker thread exited with code ${code}`)));
  return {
    send: (message) => {
      if (message.type === 'close') closing = true;
      worker.postMessage(message);
    },
    onMessage: (handler) => worker.on('message', handler),
    onExit: (handler) => (exitHandler = handler),
    kill: () => {
      closing = true;
      void worker.terminate();
    },
  };
}

function startProcess(): Remote {
  const child: ChildProcess = fork(CHILD_ENTRY, [], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let closing = false;
  let exitHandler: (why: string | null) => void = () => {};
  let failure: string | null = null;
  child.on('error', (error) => {
    failure = error.message;
  });
  child.on('exit', (code, signal) =>
    exitHandler(closing && code === 0 ? null : (failure ?? `chain process exited with ${signal ? `signal ${signal}` : `code ${code}`}`)),
  );
  return {
    send: (message) => {
      if (message.type === 'close') closing = true;
      if (child.connected) child.send(message);
    },
    onMessage: (handler) => child.on('message', (m) => handler(m as FromRemote)),
    onExit: (handler) => (exitHandler = handler),
    kill: () => {
      closing = true;
      child.kill('SIGKILL');
    },
  };
}

/**
 * The pool. 'workers': `slots` threads, each set up once and fed chains from the queue.
 * 'process': at most `slots` children at a time, a fresh one per chain.
 */
function runRemote(
  local: ChainSetup,
  run: RunOptions,
  ids: readonly number[],
  setup: RemoteSetup,
  execution: Exclude<ChainExecution, 'inline'>,
  slots: number,
): Promise<RunResult> {
  const { signal } = run;
  const runOptions: RemoteRunOptions = {
    chains: run.chains,
    steps: run.steps,
    burnIn: run.burnIn,
    evalEvery: run.evalEvery,
    seed: run.seed,
    initNoise: run.initNoise,
  };
  const queue = [...ids];
  const traces = new Map<number, ChainTrace>();
  const live = new Set<Remote>();
  const start = execution === 'workers' ? startWorker : startProcess;
  let drawSteps: Int32Array | null = null;
  let failed = false;

  return new Promise<RunResult>((resolve, reject) => {
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      signal?.removeEventListener('abort', onAbort);
      for (const r of live) r.kill();
      live.clear();
      reject(error);
    };
    /** Chains never started when the run was interrupted: run here with the aborted signal, as inline would. */
    const finishUnstarted = () => {
      if (queue.length === 0) return;
      const rest = queue.splice(0);
      const result = runChains(local.model, local.posterior, local.algorithm, { ...run, chainIds: rest });
      rest.forEach((c, i) => traces.set(c, result.chains[i]));
      drawSteps ??= result.drawSteps;
    };
    const settle = () => {
      if (failed) return;
      if (live.size > 0 || queue.length > 0) return;
      signal?.removeEventListener('abort', onAbort);
      const chains = ids.map((c) => {
        const t = traces.get(c);
        if (!t) throw new Error(`bug: no trace for chain ${c}`);
        return t;
      });
      resolve({ chains, drawSteps: drawSteps ?? new Int32Array(0) });
    };
    const onAbort = () => {
      for (const r of live) r.send({ type: 'abort' });
      finishUnstarted();
      settle();
    };
    signal?.addEventListener('abort', onAbort);

    /** One slot: start a remote, run chains on it; for 'process', a new remote per chain. */
    const slot = () => {
      if (failed || queue.length === 0 || signal?.aborted) return;
      const remote = start();
      live.add(remote);
      let current: number | null = null;
      let ran = 0;
      const next = () => {
        const c = execution === 'process' && ran > 0 ? undefined : signal?.aborted ? undefined : queue.shift();
        if (c === undefined) {
          remote.send({ type: 'close' });
          return;
        }
        current = c;
        ran++;
        remote.send({ type: 'run', chain: c, options: runOptions });
      };
      remote.onMessage((m) => {
        if (failed) return;
        if (m.type === 'ready') next();
        else if (m.type === 'progress') run.onProgress?.({ chain: m.chain, step: m.step, totalSteps: m.totalSteps });
        else if (m.type === 'done') {
          traces.set(m.chain, m.trace);
          drawSteps ??= m.drawSteps;
          current = null;
          next();
        } else if (m.type === 'error') {
          const where = current === null ? `chain ${execution === 'workers' ? 'worker' : 'process'} setup` : `chain ${current}`;
          fail(new Error(`${where} failed: ${m.message}`));
        }
      });
      remote.onExit((why) => {
        live.delete(remote);
        if (failed) return;
        if (why !== null || current !== null) {
          fail(new Error(`chain ${current ?? '(none)'}: ${why ?? 'chain worker exited before returning its trace'}`));
          return;
        }
        if (execution === 'process') slot();
        settle();
      });
      remote.send({ type: 'setup', setup });
    };
    if (signal?.aborted) {
      finishUnstarted();
      settle();
      return;
    }
    for (let s = 0; s < slots; s++) slot();
  });
}
