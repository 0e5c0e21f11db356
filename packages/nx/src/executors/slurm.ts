/**
 * The SLURM backend of the stage executor: submits the stage as a batch job on the
 * shared filesystem, streams the job's log while it runs, and reports how it ended.
 * Interrupting the Nx task cancels the job (scancel), whose stage then saves a
 * partial result exactly as a local stage does on Ctrl-C.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SlurmSettings } from '@llc/config/schema';
import { describeJobEnd, isFinal, jobScript, parseSacct, parseScontrolJob, type JobState, type StageCommand } from './slurmJob';

export interface SlurmRunInput {
  workspaceRoot: string;
  project: string;
  target: string;
  settings: SlurmSettings;
  stage: string;
  outputDir: string;
  slice: unknown;
  /** Variables the job exports before the stage (the engine fingerprint of the submitting machine). */
  env?: Record<string, string>;
  write?: (text: string) => void;
}

export interface SlurmRunResult {
  jobId: string;
  job: JobState;
  failure: string | null;
}

/** Where a task's job files live: `.llc/slurm/<project>/<target>/` (job.sh, slice.json, job-<id>.log). */
export function jobDir(workspaceRoot: string, project: string, target: string): string {
  return join(workspaceRoot, '.llc', 'slurm', project, target);
}

/**
 * Poll interval: 100 ms for the first 3 s, so that a short task's end is seen at once, then
 * ×1.5 per poll up to LLC_SLURM_POLL_MS (default 2 s) so long jobs cost the controller little.
 */
const FIRST_POLL_MS = 100;
const FAST_POLL_FOR_MS = 3000;
const MAX_POLL_MS = Number(process.env.LLC_SLURM_POLL_MS ?? 2000);

/** How long to wait for a cancelled job to end before asking SLURM again. */
const CANCEL_RETRY_MS = 5_000;

function run(cmd: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return { ok: false, stdout: '', stderr: `${cmd}: ${r.error.message}` };
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Asynchronous, so that while SLURM answers the event loop stays free: a Ctrl-C reaches the
 * signal handler (and its scancel) at once, not after a blocking call that Nx may not wait for.
 */
function runAsync(cmd: string, args: string[]): Promise<{ ok: boolean; stdout: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { encoding: 'utf8' }, (error, stdout) => done({ ok: !error, stdout: stdout ?? '' }));
  });
}

/** The job's state from scontrol (while SLURM remembers it), else from accounting. */
export async function queryJob(jobId: string): Promise<JobState | null> {
  const s = await runAsync('scontrol', ['show', 'job', '-o', jobId]);
  if (s.ok) {
    const parsed = parseScontrolJob(s.stdout);
    if (parsed) return parsed;
  }
  const a = await runAsync('sacct', ['-n', '-P', '-X', '-o', 'State,ExitCode,Timelimit,NodeList', '-j', jobId]);
  return a.ok ? parseSacct(a.stdout) : null;
}

/** Copies what was appended to a file since `offset` to `write`; returns the new offset. */
function drain(path: string, offset: number, write: (text: string) => void): number {
  if (!existsSync(path)) return offset;
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, offset);
      if (n <= 0) return offset;
      write(buffer.subarray(0, n).toString('utf8'));
      offset += n;
    }
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runStageOnSlurm(input: SlurmRunInput): Promise<SlurmRunResult> {
  const write = input.write ?? ((text: string) => process.stdout.write(text));
  const dir = jobDir(input.workspaceRoot, input.project, input.target);
  mkdirSync(dir, { recursive: true });
  const sliceFile = join(dir, 'slice.json');
  writeFileSync(sliceFile, JSON.stringify(input.slice));
  const command: StageCommand = { stage: input.stage, outputDir: input.outputDir, sliceFile };
  const script = jobScript({
    project: input.project,
    target: input.target,
    workspaceRoot: input.workspaceRoot,
    logPattern: join(dir, 'job-%j.log'),
    settings: input.settings,
    command,
    fallbackNode: process.execPath,
    env: input.env,
  });
  const scriptFile = join(dir, 'job.sh');
  writeFileSync(scriptFile, script, { mode: 0o755 });

  const submitted = run('sbatch', ['--parsable', scriptFile]);
  if (!submitted.ok) {
    const hint = submitted.stderr.includes('ENOENT') ? ' (is SLURM installed here? `sbatch` was not found on PATH)' : '';
    throw new Error(`sbatch refused the job for ${input.project}:${input.target}${hint}: ${submitted.stderr.trim() || submitted.stdout.trim()}\n  Script: ${scriptFile}`);
  }
  const submittedAt = performance.now();
  const jobId = submitted.stdout.trim().split(';')[0];
  write(`[slurm] ${input.project}:${input.target} submitted as job ${jobId} (log: ${join(dir, `job-${jobId}.log`)})\n`);

  // An interrupt of the Nx task cancels the job; SLURM sends the stage SIGTERM, and it keeps a partial result.
  let cancelled = false;
  let lastCancel = 0;
  // Detached, so that the request outlives this process if Nx kills it right after the signal.
  const requestCancel = () => {
    lastCancel = performance.now();
    spawn('scancel', [jobId], { detached: true, stdio: 'ignore' }).on('error', () => {}).unref();
  };
  const cancel = () => {
    if (cancelled) return;
    cancelled = true;
    requestCancel();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`[slurm] ${signal}: cancelling job ${jobId}\n`);
    cancel();
  };
  let finished = false;
  const onExit = () => {
    if (!finished) cancel();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', onExit);

  const log = join(dir, `job-${jobId}.log`);
  let offset = 0;
  let job: JobState | null;
  let unknownSince: number | null = null;
  let pollMs = FIRST_POLL_MS;
  try {
    for (;;) {
      offset = drain(log, offset, write);
      job = await queryJob(jobId);
      if (job && isFinal(job.state)) break;
      // A busy controller can drop a scancel: repeat it until the job has ended.
      if (cancelled && performance.now() - lastCancel > CANCEL_RETRY_MS) requestCancel();
      if (!job) {
        // Neither scontrol nor accounting knows the job: give SLURM a moment, then give up honestly.
        unknownSince ??= performance.now();
        if (performance.now() - unknownSince > 30_000) {
          job = { state: 'UNKNOWN', reason: 'the job vanished from scontrol and there is no accounting', exitCode: null, timeLimit: null, nodes: null };
          break;
        }
      } else unknownSince = null;
      await sleep(pollMs);
      if (performance.now() - submittedAt > FAST_POLL_FOR_MS) pollMs = Math.min(MAX_POLL_MS, pollMs * 1.5);
    }
    // The last lines reach the shared filesystem as the job ends.
    offset = drain(log, offset, write);
  } finally {
    finished = true;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', onExit);
  }
  return { jobId, job, failure: describeJobEnd(jobId, job) };
}
