/** What every stage receives: where it runs and how it reports. */
import { createProgress, type Progress } from './progress';

export interface StageContext {
  /** Absolute workspace root (artifacts of upstream units are read relative to it). */
  readonly workspaceRoot: string;
  /** Absolute artifact folder this stage owns and writes atomically. */
  readonly outputDir: string;
  /** One-line messages for the task log. */
  log(message: string): void;
  progress(label: string, total: number, unit?: string): Progress;
  /** Aborted on SIGINT/SIGTERM so long stages can keep a partial, clearly marked result. */
  readonly signal: AbortSignal;
}

export function createStageContext(workspaceRoot: string, outputDir: string, label: string, signal: AbortSignal): StageContext {
  return {
    workspaceRoot,
    outputDir,
    log: (message) => process.stderr.write(`[${label}] ${message}\n`),
    progress: (what, total, unit) => createProgress(`${label}${what ? ` ${what}` : ''}`, total, { unit }),
    signal,
  };
}
