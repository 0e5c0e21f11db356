import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeJobEnd, isFinal, jobScript, parseSacct, parseScontrolJob, sbatchDirectives, shellQuote } from './slurmJob';

test('sbatchDirectives: every setting becomes its sbatch flag, in a fixed order, extra lines verbatim', () => {
  assert.deepEqual(
    sbatchDirectives({ qos: 'short', time: '1:30:00', partition: 'gpu', cpus: 4, mem: '8G', gpus: 'a100:1', account: 'slt', constraint: 'avx512&ib', extra: ['--exclusive', '--mail-type=FAIL'] }),
    [
      '#SBATCH --partition=gpu',
      '#SBATCH --time=1:30:00',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --mem=8G',
      '#SBATCH --gpus=a100:1',
      '#SBATCH --account=slt',
      '#SBATCH --qos=short',
      '#SBATCH --constraint=avx512&ib',
      '#SBATCH --exclusive',
      '#SBATCH --mail-type=FAIL',
    ],
  );
  assert.deepEqual(sbatchDirectives({}), []);
});

const SAMPLE_JOB = {
  project: 'sample-a--sgld',
  target: 'sample',
  workspaceRoot: '/shared/ws',
  logPattern: '/shared/ws/.llc/slurm/sample-a--sgld/sample/job-%j.log',
  settings: { time: '10', init: 'module load nodejs/20' },
  command: { stage: 'sample', outputDir: 'artifacts/samples/a--sgld', sliceFile: "/shared/ws/it's/slice.json" },
  fallbackNode: '/usr/bin/node',
};

test('jobScript: directives before the first command, init before the stage, the stage exec-ed from the workspace root', () => {
  const script = jobScript(SAMPLE_JOB);
  const lines = script.split('\n');
  assert.equal(lines[0], '#!/bin/bash');
  const firstCommand = lines.findIndex((l) => l !== '' && !l.startsWith('#'));
  const lastDirective = lines.map((l) => l.startsWith('#SBATCH')).lastIndexOf(true);
  assert.ok(lastDirective < firstCommand, 'sbatch stops reading #SBATCH lines at the first command');
  assert.ok(lines.includes('#SBATCH --job-name=llc:sample-a--sgld:sample'));
  assert.ok(lines.includes('#SBATCH --chdir=/shared/ws'));
  assert.ok(lines.includes('#SBATCH --time=10'));
  assert.ok(lines.indexOf('module load nodejs/20') < lines.findIndex((l) => l.startsWith('exec ')));
  assert.equal(
    lines.find((l) => l.startsWith('exec ')),
    `exec "$NODE" --import tsx packages/stages/src/main.ts 'sample' --output 'artifacts/samples/a--sgld' --slice '/shared/ws/it'\\''s/slice.json'`,
  );
});

test("jobScript exports the submitting machine's engine fingerprint before the stage", () => {
  const script = jobScript({ ...SAMPLE_JOB, env: { LLC_ENGINE_FINGERPRINT: 'engine=auto tfjs=wasm native=avx2+fma' } });
  const lines = script.split('\n');
  const exported = lines.indexOf("export LLC_ENGINE_FINGERPRINT='engine=auto tfjs=wasm native=avx2+fma'");
  assert.ok(exported > 0 && exported < lines.findIndex((l) => l.startsWith('exec ')));
});

test('shellQuote survives quotes', () => {
  assert.equal(shellQuote("a'b"), `'a'\\''b'`);
});

const SCONTROL =
  'JobId=13 JobName=llc:sample-q--timed:sample UserId=root(0) JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:15 RunTime=00:01:07 TimeLimit=00:01:00 NodeList=vm BatchHost=vm';

test('parseScontrolJob / parseSacct read the state, reason, exit code, limit and nodes', () => {
  assert.deepEqual(parseScontrolJob(SCONTROL), { state: 'TIMEOUT', reason: 'TimeLimit', exitCode: '0:15', timeLimit: '00:01:00', nodes: 'vm' });
  assert.equal(parseScontrolJob('slurm_load_jobs error: Invalid job id specified'), null);
  assert.deepEqual(parseSacct('CANCELLED by 0|0:15|00:10:00|node7\n'), { state: 'CANCELLED', reason: null, exitCode: '0:15', timeLimit: '00:10:00', nodes: 'node7' });
  assert.equal(parseSacct('\n'), null);
});

test('isFinal: running and pending states are not final', () => {
  for (const s of ['PENDING', 'RUNNING', 'COMPLETING', 'CONFIGURING', 'SUSPENDED', 'REQUEUED']) assert.equal(isFinal(s), false, s);
  for (const s of ['COMPLETED', 'FAILED', 'TIMEOUT', 'CANCELLED', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED']) assert.equal(isFinal(s), true, s);
});

test('describeJobEnd names the reason and the setting to change', () => {
  const job = (state: string, extra = {}) => ({ state, reason: null, exitCode: '1:0', timeLimit: '00:01:00', nodes: 'n1', ...extra });
  assert.equal(describeJobEnd('7', job('COMPLETED')), null);
  assert.equal(describeJobEnd('7', job('TIMEOUT')), 'SLURM job 7 on n1 ended TIMEOUT: it reached its time limit (00:01:00). Raise slurm.time for this run, or lower its steps.');
  assert.match(describeJobEnd('7', job('OUT_OF_MEMORY')) ?? '', /ran out of memory\. Raise slurm\.mem/);
  assert.match(describeJobEnd('7', job('NODE_FAIL')) ?? '', /node failed.*--exclude=n1/);
  assert.match(describeJobEnd('7', job('FAILED')) ?? '', /ended FAILED with exit code 1:0; the stage's own error is in the log above/);
  assert.match(describeJobEnd('7', job('CANCELLED', { reason: 'None' })) ?? '', /was cancelled \(scancel, an interrupt, or an administrator\)\.$/);
});
