/**
 * Progress lines for long stages: counts, rate and time left, throttled so a
 * fast loop does not flood the Nx log.
 */
export interface Progress {
  update(done: number, detail?: string): void;
  finish(detail?: string): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - 60 * m);
  return m < 60 ? `${m}m${String(s).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function createProgress(
  label: string,
  total: number,
  opts: { unit?: string; intervalSeconds?: number; write?: (line: string) => void; now?: () => number } = {},
): Progress {
  const unit = opts.unit ?? 'steps';
  const interval = opts.intervalSeconds ?? 5;
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = opts.now ?? (() => performance.now() / 1000);
  const t0 = now();
  // The first line waits one interval too: a rate measured over one step says nothing.
  let last = t0;
  const line = (done: number, detail?: string) => {
    const elapsed = now() - t0;
    const rate = done / Math.max(elapsed, 1e-9);
    const left = (total - done) / rate;
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    const rateText = rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3);
    return `[${label}] ${done}/${total} ${unit} (${pct}%) · ${rateText} ${unit}/s · ${formatDuration(elapsed)} elapsed · ~${formatDuration(left)} left${detail ? ` · ${detail}` : ''}`;
  };
  return {
    update(done, detail) {
      const t = now();
      if (t - last < interval) return;
      last = t;
      write(line(done, detail));
    },
    finish(detail) {
      write(line(total, detail).replace(/ · ~[^·]+ left/, ''));
    },
  };
}
