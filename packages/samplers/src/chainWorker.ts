/**
 * A chain worker: the same file serves a worker thread (via chainWorker.mjs) and a
 * child process (forked with `--import tsx`). It rebuilds the chain setup from the
 * RemoteSetup it is sent, then runs the chains it is given one at a time with the
 * inline driver and sends each trace back (protocol: ToRemote/FromRemote in chains.ts).
 */
import { parentPort } from 'node:worker_threads';
import type { ChainSetup, ChainSetupFactory, FromRemote, ToRemote } from './chains';
import { runChainsAsync } from './run';

interface Port {
  send(message: FromRemote): void;
  onMessage(handler: (message: ToRemote) => void): void;
}

function connect(): Port {
  if (parentPort) {
    const port = parentPort;
    return { send: (m) => port.postMessage(m), onMessage: (h) => port.on('message', h) };
  }
  if (process.send) {
    // A child process stops when its parent goes away (e.g. a second Ctrl-C quits the stage at once).
    process.on('disconnect', () => process.exit(1));
    return { send: (m) => process.send?.(m), onMessage: (h) => process.on('message', (m) => h(m as ToRemote)) };
  }
  throw new Error('chainWorker.ts runs as a worker thread or a forked child process, not on its own');
}

const port = connect();
const controller = new AbortController();
if (!parentPort) {
  // A terminal Ctrl-C reaches the whole process group: stop like the stage does and let the
  // stage collect the partial trace (it also sends 'abort').
  process.on('SIGINT', () => controller.abort());
  process.on('SIGTERM', () => controller.abort());
}

const errorMessage = (error: unknown): FromRemote => ({
  type: 'error',
  message: error instanceof Error ? error.message : String(error),
  stack: error instanceof Error ? error.stack : undefined,
});

let setup: ChainSetup | null = null;
/** Messages are handled one after another (a run awaits; abort must still get through, so it is not queued). */
let pending: Promise<void> = Promise.resolve();

async function handle(message: ToRemote): Promise<void> {
  switch (message.type) {
    case 'setup': {
      const mod = (await import(message.setup.module)) as Record<string, unknown>;
      const factory = mod[message.setup.name] as ChainSetupFactory<unknown> | undefined;
      if (typeof factory !== 'function') throw new Error(`${message.setup.module} exports no function '${message.setup.name}'`);
      setup = await factory(message.setup.args);
      port.send({ type: 'ready' });
      return;
    }
    case 'run': {
      if (!setup) throw new Error('run before setup');
      const { chain, options } = message;
      let last = 0;
      const result = await runChainsAsync(setup.model, setup.posterior, setup.algorithm, {
        ...options,
        chainIds: [chain],
        signal: controller.signal,
        onProgress: ({ step, totalSteps }) => {
          const now = performance.now();
          if (now - last < 100 && step !== totalSteps) return;
          last = now;
          port.send({ type: 'progress', chain, step, totalSteps });
        },
      });
      port.send({ type: 'done', chain, trace: result.chains[0], drawSteps: result.drawSteps });
      return;
    }
    case 'close':
      setup?.dispose?.();
      process.exit(0);
  }
}

port.onMessage((message) => {
  if (message.type === 'abort') {
    controller.abort();
    return;
  }
  pending = pending.then(() => handle(message)).catch((error: unknown) => port.send(errorMessage(error)));
});
