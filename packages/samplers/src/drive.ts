/**
 * Drivers for the samplers' step generators (chain loops, VI fits): run one to its end,
 * synchronously (tests, benchmarks), or yielding to the event loop every ~50 ms, so that
 * a stage process's SIGINT/SIGTERM handlers run and can abort the generator's signal
 * mid-run (a synchronous loop would only see the signal after it finished).
 */
export function drain<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

const YIELD_EVERY_MS = 50;

export async function drainYielding<T>(steps: Generator<void, T, void>): Promise<T> {
  let last = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - last > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
}
