/**
 * Stan's warmup schedule for windowed adaptation (Stan Reference Manual, "HMC
 * algorithm parameters → Automatic parameter tuning"): a fast initial buffer that
 * only tunes the step size (the chain is still travelling to the typical set, so its
 * positions would spoil a variance estimate), a run of slow windows that each end
 * with a new inverse mass matrix (doubling in length, so every estimate uses more
 * and better-mixed draws than the last), and a fast final buffer that re-tunes the
 * step size to the final metric.
 */

export interface WindowScheduleOptions {
  /** Fast initial buffer (Stan: 75). */
  readonly initBuffer?: number;
  /** Fast final buffer (Stan: 50). */
  readonly finalBuffer?: number;
  /** Length of the first slow window; later ones double (Stan: 25). */
  readonly baseWindow?: number;
}

/** A half-open range [start, end) of warmup iterations (0-based). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

export interface WindowSchedule {
  readonly steps: number;
  readonly initBuffer: number;
  readonly finalBuffer: number;
  /** Contiguous slow windows covering [initBuffer, steps − finalBuffer); empty when no metric is adapted. */
  readonly windows: readonly Window[];
}

/** Below this Stan adapts no metric at all: the windows would be too short to estimate a variance. */
export const MIN_METRIC_WARMUP = 20;

/**
 * The schedule for `steps` warmup iterations. When the three stages do not fit,
 * they are rescaled to 15%/75%/10% of `steps` (rounded down, as Stan's unsigned
 * casts do). With fewer than 20 steps there are no slow windows: the whole warmup
 * tunes the step size only, and counts as the final buffer.
 */
export function windowSchedule(steps: number, options: WindowScheduleOptions = {}): WindowSchedule {
  if (!(Number.isInteger(steps) && steps >= 0)) {
    throw new Error(`Error in windowSchedule: steps must be a non-negative integer, got ${steps}`);
  }
  let init = options.initBuffer ?? 75;
  let final = options.finalBuffer ?? 50;
  let base = options.baseWindow ?? 25;
  for (const [name, v] of [['initBuffer', init], ['finalBuffer', final], ['baseWindow', base]] as const) {
    if (!(Number.isInteger(v) && v >= 0)) throw new Error(`Error in windowSchedule: ${name} must be a non-negative integer, got ${v}`);
  }
  if (steps < MIN_METRIC_WARMUP) return { steps, initBuffer: 0, finalBuffer: steps, windows: [] };
  if (init + base + final > steps) {
    init = Math.floor(0.15 * steps);
    final = Math.floor(0.1 * steps);
    base = steps - init - final;
  }
  if (base === 0) return { steps, initBuffer: 0, finalBuffer: steps, windows: [] };

  const slowEnd = steps - final;
  const windows: Window[] = [];
  // The first window is never stretched; each later one doubles, and absorbs the rest
  // of the slow phase when the window after it would not fit (so no short window is
  // left at the end — though, as in Stan, the stretched window may come out shorter
  // than the doubling when little is left).
  let start = init;
  let size = base;
  let end = init + base;
  for (;;) {
    windows.push({ start, end });
    if (end === slowEnd) break;
    start = end;
    size *= 2;
    end = start + size;
    if (end !== slowEnd && end + 2 * size > slowEnd) end = slowEnd;
  }
  return { steps, initBuffer: init, finalBuffer: final, windows };
}
