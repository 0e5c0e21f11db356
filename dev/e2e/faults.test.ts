/**
 * Fault injection, end to end: real Nx, real stage processes, real cache, on
 * temporary workspaces (see workspace.ts).
 *
 *   1. SIGKILL of build, sample and analyze stages at several points (before, during
 *      and after the artifact write; the stage alone or the whole Nx process group):
 *      the final folder is absent or complete and verified, never half-written; temp
 *      siblings are cleaned by the next run; no partial result is cached.
 *   2. Ctrl-C (SIGINT) of a sampler: partial trace marked complete: false, task fails,
 *      and the next `nx run` executes it again.
 *   3. --parallel=1 vs --parallel=4, and two graph runs at once: identical summaries.
 *   4. Corrupted artifacts are refused on load with the file, the check and the fix.
 *   5. Diverging samplers: "no chain survived" fails the task; one stopped chain of
 *      four is flagged and the rest summarised.
 *
 * The three groups use separate workspaces and run concurrently.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createTempWorkspace, type TempWorkspace } from './workspace';
import {
  alive,
  checkArtifact,
  readSummaries,
  siblings,
  sleep,
  stagePids,
  startNx,
  startStage,
  waitForStagePid,
  whenPublished,
  whenWriting,
  type Running,
  type StageName,
} from './faults-helpers';

const MAIN = `import { definePipeline } from 'llc-pipeline';
export default definePipeline({
  seed: 5,
  targets: {
    ts: { kind: 'teacher-student', n: 400, nTest: 100, inputDim: 2, noiseStd: 0.1,
          teacher: { widths: [2, 4, 1] }, student: { widths: [2, 4, 1] }, train: { maxSteps: 2000, patience: 100000 } },
    q: { kind: 'potential', potential: { type: 'quadratic', h: [1, 2] }, temperature: 100 },
  },
  samplers: { sgld: { kind: 'sgld', stepSize: 1e-3, chains: 2, steps: 300000, evalEvery: 150 } },
  runs: [
    { target: 'q', sampler: 'sgld' },
    { target: 'ts', sampler: 'sgld', overrides: { stepSize: 1e-4, steps: 2000, batchSize: 64 } },
  ],
});
`;

/**
 * A second pipeline (namespace 'faults') beside the main one in workspace A:
 * - hot--diverge: ε·t·h = 10⁴ on a quadratic, every chain overflows within a few steps;
 * - quartic--edge: ½w⁴ at t = 100 from w* + N(0, 1): with its seed 6, chain 0 starts far
 *   enough out to overflow at step 7, chains 1–3 are healthy (deterministic: seeded; the
 *   seed is chosen for that, since about 1 chain in 12 starts beyond the edge);
 * - hot--long: long chains to interrupt (two step sizes = two independent tasks).
 */
const FAULTS = `import { definePipeline, sweep } from 'llc-pipeline';
export default definePipeline({
  seed: 2,
  targets: {
    hot: { kind: 'potential', potential: { type: 'quadratic', h: [1, 2] }, temperature: 1000 },
    quartic: { kind: 'potential', potential: { type: 'monomial', powers: [4] }, temperature: 100 },
  },
  samplers: {
    diverge: { kind: 'sgld', stepSize: 10, chains: 2, steps: 100, evalEvery: 10 },
    edge: { kind: 'sgld', stepSize: 0.01, chains: 4, steps: 200, evalEvery: 10, initNoise: 1, seed: 6 },
    long: { kind: 'sgld', stepSize: sweep([1e-4, 2e-4]), chains: 2, steps: 300000, evalEvery: 150 },
  },
  runs: [
    { target: 'hot', sampler: 'diverge' },
    { target: 'quartic', sampler: 'edge' },
    { target: 'hot', sampler: 'long' },
  ],
});
`;

const RUN_IDS = ['q--sgld', 'ts--sgld'] as const;
const ALL_STAGES = ['analysis q--sgld', 'analysis ts--sgld', 'report report', 'sample q--sgld', 'sample ts--sgld', 'target q', 'target ts'];
const ARTIFACTS: Array<[string, StageName]> = [
  ['artifacts/targets/q', 'target'],
  ['artifacts/targets/ts', 'target'],
  ['artifacts/samples/q--sgld', 'sample'],
  ['artifacts/samples/ts--sgld', 'sample'],
  ['artifacts/analysis/q--sgld', 'analysis'],
  ['artifacts/analysis/ts--sgld', 'analysis'],
  ['artifacts/report', 'report'],
];

const workspaces: TempWorkspace[] = [];
const started: Running[] = [];

async function makeWorkspace(extra: Record<string, string> = {}): Promise<TempWorkspace> {
  const ws = await createTempWorkspace(MAIN, extra);
  workspaces.push(ws);
  const sync = await ws.nx(['sync']);
  assert.equal(sync.exitCode, 0, sync.output);
  return ws;
}

function track(r: Running): Running {
  started.push(r);
  return r;
}

/** Waits until no stage process of this workspace is left (a killed tree must not leave orphans running). */
async function noStageLeft(ws: TempWorkspace, ms = 15_000): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    const pids = await stagePids(ws.root);
    if (pids.length === 0) return;
    if (performance.now() - t0 > ms) {
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      assert.fail(`stage process(es) ${pids.join(', ')} of ${ws.root} still running ${ms} ms after their command ended`);
    }
    await sleep(50);
  }
}

async function verifyAll(ws: TempWorkspace): Promise<void> {
  for (const [dir, stage] of ARTIFACTS) {
    assert.equal(await checkArtifact(join(ws.root, dir), stage), true, `${dir} is missing`);
    assert.deepEqual(await siblings(join(ws.root, dir)), [], `${dir}: temp/old siblings left behind`);
  }
}

/** The summaries of the undisturbed --parallel=1 run in workspace A, for everyone to compare against. */
let resolveReference!: (s: Record<string, string>) => void;
let rejectReference!: (e: unknown) => void;
const reference = new Promise<Record<string, string>>((res, rej) => {
  resolveReference = res;
  rejectReference = rej;
});
reference.catch(() => undefined);

after(async () => {
  for (const r of started) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      try {
        process.kill(-r.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const ws of workspaces) {
    for (const pid of await stagePids(ws.root)) process.kill(pid, 'SIGKILL');
    if (!process.env.LLC_KEEP_E2E) await ws.dispose();
  }
});

// ---------------------------------------------------------------------------------------------
// 1. SIGKILL
// ---------------------------------------------------------------------------------------------

interface StageSpec {
  stage: StageName;
  project: string;
  target: string;
  slice: string;
  out: string;
  /** The rerun after the kills, and the stages it must really execute (not restore from cache). */
  rerun: string[];
  rerunLog: string[];
  /** Run whose summary.json must then equal the reference. */
  compare?: (typeof RUN_IDS)[number];
  /**
   * Kills for this stage (default KILLS). An analysis of a small run finishes in about a
   * second on an idle machine, too fast for the fixed-delay Nx kills to land reliably.
   */
  kills?: KillCase[];
}

const KILL_STAGES: StageSpec[] = [
  {
    stage: 'target',
    project: 'target-ts',
    target: 'build',
    slice: 'pipeline/targets/ts/slice.json',
    out: 'artifacts/targets/ts',
    // The sampler runs of the next group need target q; ts--sgld shows the rebuilt target gives the reference summary.
    rerun: ['run-many', '--targets=build,analyze', '--projects=target-q,target-ts,analysis-ts--sgld'],
    rerunLog: ['analysis ts--sgld', 'sample ts--sgld', 'target q', 'target ts'],
    compare: 'ts--sgld',
  },
  {
    stage: 'sample',
    project: 'sample-q--sgld',
    target: 'sample',
    slice: 'pipeline/samples/q--sgld/slice.json',
    out: 'artifacts/samples/q--sgld',
    rerun: ['run', 'sample-q--sgld:sample'],
    rerunLog: ['sample q--sgld'],
  },
  {
    stage: 'analysis',
    project: 'analysis-q--sgld',
    target: 'analyze',
    slice: 'pipeline/analysis/q--sgld/slice.json',
    out: 'artifacts/analysis/q--sgld',
    rerun: ['run', 'analysis-q--sgld:analyze'],
    rerunLog: ['analysis q--sgld'],
    compare: 'q--sgld',
    kills: [
      { how: 'direct', when: { after: 0.3 } },
      { how: 'direct', when: { after: 1 } },
      { how: 'direct', when: 'published' },
    ],
  },
];

type When = { after: number } | 'writing' | 'published';
interface KillCase {
  /** direct: `node … stage/main.ts` by hand; nx-stage: only the stage process under `nx run`; nx-group: nx and everything under it. */
  how: 'direct' | 'nx-stage' | 'nx-group';
  when: When;
}
/**
 * Order matters: 'published' (killed the instant its folder is renamed into place, before
 * it exits) leaves a complete artifact, so the two kills after it hit a stage that is
 * replacing an existing folder. Each nx case also proves the previous kill cached
 * nothing: were it cached, Nx would restore it and no stage process would start.
 */
const KILLS: KillCase[] = [
  { how: 'direct', when: { after: 0.3 } },
  { how: 'direct', when: { after: 1 } },
  { how: 'direct', when: 'published' },
  { how: 'nx-group', when: { after: 2 } },
  { how: 'nx-stage', when: 'writing' },
];
const caseName = (k: KillCase) =>
  `${k.how === 'direct' ? 'stage run by hand' : k.how === 'nx-stage' ? 'stage process under nx run' : 'whole nx process group'}, ` +
  (typeof k.when === 'string' ? (k.when === 'writing' ? 'while it writes its artifact' : 'the instant its artifact is published') : `${k.when.after} s after start`);

interface Observation {
  killedAfter: number;
  stageAlive: boolean;
  writing: boolean;
  final: 'absent' | 'complete';
  siblings: number;
}

async function injectKill(t: TestContext, ws: TempWorkspace, spec: StageSpec, kill: KillCase): Promise<Observation> {
  const final = join(ws.root, spec.out);
  await mkdir(dirname(final), { recursive: true });
  const existedIno = await stat(final).then((s) => s.ino, () => null);
  const proc = track(
    kill.how === 'direct' ? startStage(ws, spec.stage, spec.slice, spec.out) : startNx(ws, ['run', `${spec.project}:${spec.target}`, '--skipSync']),
  );
  const ac = new AbortController();
  try {
    // Under nx a stage process starting at all proves the task was not restored from the cache.
    const pid = kill.how === 'direct' ? proc.pid : await waitForStagePid(ws.root, spec.stage, 60_000, proc.exited);
    // Lowest CPU priority for the stage: on a busy machine its (short) write then lasts long
    // enough for this process to see it begin and land the kill inside it.
    if (kill.when === 'writing') setPriority(pid, 19);
    const t0 = performance.now();
    const exitedEarly = proc.exited.then(() => {
      throw new Error(`the ${spec.stage} stage ended before the kill point:\n${proc.output().slice(-3000)}`);
    });
    exitedEarly.catch(() => undefined);
    if (kill.when === 'writing') await Promise.race([whenWriting(final, pid, ac.signal), exitedEarly]);
    else if (kill.when === 'published') await Promise.race([whenPublished(final, existedIno, ac.signal), exitedEarly]);
    else await sleep(kill.when.after * 1000);
    const stageAlive = alive(pid);
    try {
      process.kill(kill.how === 'nx-group' ? -proc.pid : pid, 'SIGKILL');
    } catch {
      // it had already exited
    }
    const killedAfter = (performance.now() - t0) / 1000;
    const writing = (await siblings(final)).some((n) => n.startsWith(`${basename(final)}.tmp-${pid}-`));
    const exit = await proc.exited;
    await noStageLeft(ws);

    if (kill.how === 'direct' && stageAlive) assert.equal(exit.signal, 'SIGKILL');
    if (kill.how === 'nx-group') assert.equal(exit.signal, 'SIGKILL');
    if (kill.how === 'nx-stage') {
      assert.notEqual(exit.code, 0, 'nx must fail the task whose stage was killed');
      assert.match(proc.output(), new RegExp(`${spec.project}:${spec.target} failed \\(killed by SIGKILL\\)`));
    }
    // The invariant: at the final path, nothing or a complete artifact that verifies.
    const complete = await checkArtifact(final, spec.stage);
    const obs: Observation = { killedAfter, stageAlive, writing, final: complete ? 'complete' : 'absent', siblings: (await siblings(final)).length };
    if (kill.when === 'writing') assert.ok(writing && stageAlive, 'the kill must land while the stage writes');
    if (kill.when === 'published') assert.equal(obs.final, 'complete');
    // A folder that was complete before stays complete when its replacement is killed.
    if (existedIno !== null) assert.equal(obs.final, 'complete', 'the previous complete artifact was lost');
    t.diagnostic(
      `killed after ${killedAfter.toFixed(2)} s, stage ${stageAlive ? 'running' : 'already exited'}${writing ? ', mid-write' : ''}; ` +
        `final folder ${obs.final}; ${obs.siblings} temp sibling(s); exit ${exit.signal ?? exit.code}`,
    );
    return obs;
  } finally {
    ac.abort();
  }
}

// ---------------------------------------------------------------------------------------------

describe('fault injection (real Nx, real stage processes)', { concurrency: true }, () => {
  describe('1. SIGKILL during build, sample and analyze', { concurrency: 1, timeout: 900_000 }, () => {
    let ws: TempWorkspace;
    before(async () => {
      ws = await makeWorkspace();
    });

    for (const spec of KILL_STAGES) {
      const observations: Observation[] = [];
      for (const kill of spec.kills ?? KILLS) {
        test(`${spec.stage}: SIGKILL ${caseName(kill)} → final folder absent or complete and verified`, async (t) => {
          observations.push(await injectKill(t, ws, spec, kill));
        });
      }
      test(`${spec.stage}: after the kills, nx run executes it again (nothing cached), cleans temp siblings, same result`, async () => {
        // At least one kill landed mid-run (the process was running, past start-up or writing).
        assert.ok(
          observations.some((o) => o.stageAlive && (o.writing || o.killedAfter >= 1)),
          `no kill landed mid-run: ${JSON.stringify(observations)}`,
        );
        await ws.takeRunLog();
        const r = await ws.nx([...spec.rerun, '--skipSync']);
        assert.equal(r.exitCode, 0, r.output.slice(-4000));
        assert.deepEqual(await ws.takeRunLog(), spec.rerunLog, 'the killed task must execute again, not come from the cache');
        const final = join(ws.root, spec.out);
        assert.equal(await checkArtifact(final, spec.stage), true);
        assert.deepEqual(await siblings(final), [], 'temp siblings of killed runs must be removed by the next run');
        if (spec.compare) {
          const ref = await reference;
          assert.equal((await readSummaries(ws.root, [spec.compare]))[spec.compare], ref[spec.compare]);
        }
      });
    }
  });

  describe('2, 4, 5 on workspace A (reference run, integrity, numerics, Ctrl-C)', { concurrency: 1, timeout: 900_000 }, () => {
    let ws: TempWorkspace;
    before(async () => {
      try {
        ws = await makeWorkspace({ 'pipeline.faults.ts': FAULTS });
      } catch (e) {
        rejectReference(e);
        throw e;
      }
    });

    test('3. reference: the whole graph with --parallel=1', async () => {
      try {
        const r = await ws.nx(['run', 'report:report', '--parallel=1', '--skipSync']);
        assert.equal(r.exitCode, 0, r.output.slice(-4000));
        assert.deepEqual(await ws.takeRunLog(), ALL_STAGES);
        await verifyAll(ws);
        resolveReference(await readSummaries(ws.root, RUN_IDS));
      } catch (e) {
        rejectReference(e);
        throw e;
      }
    });

    /**
     * Each corruption is applied to a good artifact, the dependent stage is run (through
     * `nx run … --skip-nx-cache`, or by hand exactly as the executor runs it), then the file
     * is restored.
     */
    const ANALYSIS_BY_HAND = { stage: 'analysis' as const, slice: 'pipeline/analysis/q--sgld/slice.json', out: 'artifacts/analysis/q--sgld' };
    const CORRUPTIONS: Array<{
      name: string;
      file: string;
      edit: (b: Buffer) => Buffer;
      run: { nx: string[] } | { stage: StageName; slice: string; out: string };
      expect: RegExp[];
    }> = [
      {
        name: 'trace.safetensors truncated by 100 bytes',
        file: 'artifacts/samples/q--sgld/trace.safetensors',
        edit: (b) => b.subarray(0, b.length - 100),
        run: { nx: ['run', 'analysis-q--sgld:analyze', '--skip-nx-cache', '--excludeTaskDependencies'] },
        expect: [
          /✖ Artifact check failed for artifacts\/samples\/q--sgld \(manifest\.json\): trace\.safetensors: size differs \(expected \d+ bytes, found \d+\)/,
          /rerun the producing task: npx nx run sample-q--sgld:sample --skip-nx-cache/,
          /analysis-q--sgld:analyze failed \(exit code 1\)/,
        ],
      },
      {
        name: 'one byte of trace.safetensors flipped',
        file: 'artifacts/samples/q--sgld/trace.safetensors',
        edit: (b) => {
          const c = Buffer.from(b);
          c[c.length - 1234] ^= 0x40;
          return c;
        },
        run: ANALYSIS_BY_HAND,
        expect: [/✖ Artifact check failed for artifacts\/samples\/q--sgld \(manifest\.json\): trace\.safetensors: sha256 differs \(expected [0-9a-f]{12}…, found [0-9a-f]{12}…\)/, /npx nx run sample-q--sgld:sample --skip-nx-cache/],
      },
      {
        name: 'manifest.json records tensor llc as F32 (the file holds F64)',
        file: 'artifacts/samples/q--sgld/manifest.json',
        edit: (b) => {
          const m = JSON.parse(b.toString('utf8'));
          m.files.find((f: { path: string }) => f.path === 'trace.safetensors').tensors.llc.dtype = 'F32';
          return Buffer.from(JSON.stringify(m, null, 2));
        },
        run: ANALYSIS_BY_HAND,
        expect: [/✖ Artifact check failed .*trace\.safetensors: tensor "llc" dtype differs \(expected F32, found F64\)/, /npx nx run sample-q--sgld:sample --skip-nx-cache/],
      },
      {
        name: "one byte of the target's tensors.safetensors flipped",
        file: 'artifacts/targets/q/tensors.safetensors',
        edit: (b) => {
          const c = Buffer.from(b);
          c[c.length - 1] ^= 0x01;
          return c;
        },
        run: { stage: 'sample', slice: 'pipeline/samples/q--sgld/slice.json', out: 'artifacts/samples/q--sgld' },
        expect: [/✖ Artifact check failed for artifacts\/targets\/q \(meta\.json\): tensors\.safetensors: sha256 differs/, /npx nx run target-q:build --skip-nx-cache/],
      },
    ];
    for (const c of CORRUPTIONS) {
      const how = 'nx' in c.run ? `nx ${c.run.nx.join(' ')}` : `the ${c.run.stage} stage by hand`;
      test(`4. integrity on load: ${c.name} → ${how} refuses it, naming the file, the check and the rerun`, async (t) => {
        await reference;
        const path = join(ws.root, c.file);
        const good = await readFile(path);
        await writeFile(path, c.edit(good));
        try {
          let code: number | null;
          let output: string;
          if ('nx' in c.run) {
            ({ exitCode: code, output } = await ws.nx([...c.run.nx, '--skipSync']));
          } else {
            const p = track(startStage(ws, c.run.stage, c.run.slice, c.run.out));
            code = (await p.exited).code;
            output = p.output();
          }
          assert.equal(code, 1, `the stage must refuse a corrupted input:\n${output.slice(-3000)}`);
          for (const re of c.expect) assert.match(output, re);
          t.diagnostic(output.split('\n').find((l) => l.includes('✖ Artifact check failed'))?.trim() ?? '(no ✖ line)');
        } finally {
          await writeFile(path, good);
        }
      });
    }

    test('5. numerical faults: every chain diverges → the task fails with "no chain survived" and why; one of four diverges → flagged, rest summarised', async (t) => {
      const r = await ws.nx(['run-many', '--targets=analyze', '--projects=faults-analysis-hot--diverge,faults-analysis-quartic--edge', '--skipSync']);
      assert.notEqual(r.exitCode, 0, 'a run where no chain survived must fail its task');
      const line = /✖ no chain survived \((non-finite (loss|parameters) at step \d+ \(step size too large for this target\?\)(; )?){2}\); lower the step size/.exec(r.output);
      assert.ok(line, `no "no chain survived (<reason per chain>)" message:\n${r.output.slice(-4000)}`);
      t.diagnostic(line[0]);
      assert.match(r.output, /faults-sample-hot--diverge:sample failed \(exit code 1\)/);
      assert.deepEqual((await ws.takeRunLog()).filter((l) => l.startsWith('analysis')), ['analysis quartic--edge']);

      const summary = JSON.parse(await readFile(join(ws.root, 'artifacts/faults/analysis/quartic--edge/summary.json'), 'utf8'));
      assert.equal(summary.draws.chains, 4);
      assert.equal(summary.draws.healthyChains, 3);
      const stopped = summary.flags.filter((f: string) => /^chain \d+ stopped: non-finite parameters at step \d+/.test(f));
      assert.equal(stopped.length, 1, `flags: ${JSON.stringify(summary.flags)}`);
      assert.ok(Number.isFinite(summary.llc.mean) && Number.isFinite(summary.llc.mcse), 'the healthy chains are still summarised');
      t.diagnostic(`quartic--edge: ${stopped[0]}; λ̂ = ${summary.llc.mean.toFixed(3)} ± ${summary.llc.mcse.toFixed(3)} from ${summary.draws.healthyChains}/4 chains`);
    });

    /**
     * The stage process alone, on a run long enough (2 × 3·10⁶ steps, ~15 s) that "stops
     * promptly" and "ran to the end" cannot be confused. On Ctrl-C the terminal sends the
     * whole process group SIGINT and nx at once sends its task tree SIGTERM
     * (killProcessTreeGraceful), hence the second row.
     */
    const BY_HAND: Array<{ name: string; signals: NodeJS.Signals[] }> = [
      { name: 'SIGINT', signals: ['SIGINT'] },
      { name: 'SIGINT and at once SIGTERM (what the task tree gets from the terminal and from nx on Ctrl-C)', signals: ['SIGINT', 'SIGTERM'] },
    ];
    for (const [i, c] of BY_HAND.entries()) {
      test(`2. Ctrl-C, stage by hand: ${c.name} during sampling → stops within 5 s, exit 1, partial trace with complete: false`, async (t) => {
        const slice = JSON.parse(await readFile(join(ws.root, 'pipeline/faults/samples/hot--long--stepSize-1e-4/slice.json'), 'utf8'));
        slice.config.steps = 3_000_000;
        const sliceFile = join(ws.root, `.long-slice-${i}.json`);
        await writeFile(sliceFile, JSON.stringify(slice));
        const out = `artifacts/faults/by-hand/sigint-${i}`;
        const p = track(startStage(ws, 'sample', sliceFile, out));
        await p.waitFor(/\] sgld: 2 chains/, 60_000);
        await sleep(300);
        const t0 = performance.now();
        for (const sig of c.signals) p.child.kill(sig);
        const exit = await Promise.race([p.exited, sleep(5000).then(() => null)]);
        if (exit === null) {
          p.child.kill('SIGKILL');
          await p.exited;
          assert.fail(`still sampling 5 s after ${c.signals.join(' + ')}: the signal did not stop the chains\n${p.output().slice(-1500)}`);
        }
        t.diagnostic(`exit ${exit.code ?? exit.signal} ${((performance.now() - t0) / 1000).toFixed(2)} s after the signal`);
        assert.equal(exit.code, 1, `exit ${exit.code ?? exit.signal}:\n${p.output().slice(-1500)}`);
        assert.match(p.output(), /interrupted: partial result kept in .* \(complete: false\)/);
        const dir = join(ws.root, out);
        assert.equal(await checkArtifact(dir, 'sample'), true, 'no partial trace kept');
        assert.equal(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')).complete, false);
      });
    }

    const INTERRUPTS = [
      { name: 'SIGINT to the sampler stage process', id: 'hot--long--stepSize-1e-4', group: false },
      { name: 'SIGINT to the whole nx process group (Ctrl-C in a terminal)', id: 'hot--long--stepSize-2e-4', group: true },
    ];
    for (const c of INTERRUPTS) {
      test(`2. Ctrl-C: ${c.name} → exits non-zero, keeps a trace marked complete: false, and the next nx run reruns it`, async (t) => {
        const project = `faults-sample-${c.id}`;
        const nx = track(startNx(ws, ['run', `${project}:sample`, '--skipSync']));
        await nx.waitFor(new RegExp(`\\[sample ${c.id}\\] sgld: 2 chains`), 90_000);
        const pid = await waitForStagePid(ws.root, 'sample', 10_000);
        await sleep(300);
        process.kill(c.group ? -nx.pid : pid, 'SIGINT');
        const exit = await nx.exited;
        await noStageLeft(ws);
        const kept = JSON.parse(await readFile(join(ws.root, 'artifacts/faults/samples', c.id, 'manifest.json'), 'utf8').catch(() => 'null'));
        assert.ok(
          exit.code !== 0,
          `nx exited ${exit.code ?? exit.signal} after SIGINT: the run was not interrupted` +
            (kept?.complete === true ? ` (it ran to the end: manifest complete: true, chains ${kept.chains.map((ch: { status: { status: string } }) => ch.status.status)})` : ''),
        );
        if (!c.group) {
          assert.match(nx.output(), /SIGINT: stopping; a partial result is kept and marked incomplete/);
          assert.match(nx.output(), /interrupted: partial result kept in .* \(complete: false\); it is not cached/);
          assert.match(nx.output(), new RegExp(`${project}:sample failed`));
        }
        const dir = join(ws.root, 'artifacts/faults/samples', c.id);
        assert.equal(await checkArtifact(dir, 'sample'), true, `no trace kept after SIGINT (nx exit ${exit.code ?? exit.signal}; siblings: ${await siblings(dir)})`);
        const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
        assert.equal(m.complete, false);
        const statuses: string[] = m.chains.map((ch: { status: { status: string } }) => ch.status.status);
        const first = statuses.indexOf('interrupted');
        assert.ok(first >= 0, `no chain marked interrupted: ${statuses}`);
        assert.ok(statuses.every((s, i) => (i < first ? s === 'ok' : s === 'interrupted')), `statuses ${statuses}`);
        t.diagnostic(`nx exit ${exit.code ?? exit.signal}; chains ${statuses.join(', ')}; draws ${m.chains.map((ch: { draws: number }) => ch.draws).join(', ')}`);

        await ws.takeRunLog();
        const r = await ws.nx(['run', `${project}:sample`, '--skipSync']);
        assert.equal(r.exitCode, 0, r.output.slice(-4000));
        assert.deepEqual(await ws.takeRunLog(), [`sample ${c.id}`], 'the interrupted task must execute again');
        const done = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
        assert.equal(done.complete, true);
        assert.ok(done.chains.every((ch: { status: { status: string } }) => ch.status.status === 'ok'));
      });
    }
  });

  describe('3. concurrency and determinism', { concurrency: 1, timeout: 900_000 }, () => {
    test('--parallel=4 in a fresh copy gives byte-identical summary.json files', async () => {
      const ws = await makeWorkspace();
      const r = await ws.nx(['run', 'report:report', '--parallel=4', '--skipSync']);
      assert.equal(r.exitCode, 0, r.output.slice(-4000));
      assert.deepEqual(await ws.takeRunLog(), ALL_STAGES);
      await verifyAll(ws);
      assert.deepEqual(await readSummaries(ws.root, RUN_IDS), await reference);
    });

    test('two nx run report:report started at once on one workspace: both succeed or one fails clearly; artifacts verify; summaries match', async (t) => {
      const ws = await makeWorkspace();
      const runs = [0, 1].map(() => track(startNx(ws, ['run', 'report:report', '--skipSync'])));
      const exits = await Promise.all(runs.map((r) => r.exited));
      await noStageLeft(ws);
      t.diagnostic(`exit codes ${exits.map((e) => e.code ?? e.signal).join(', ')}; stages run: ${(await ws.takeRunLog()).length}`);
      assert.ok(exits.some((e) => e.code === 0), `neither run succeeded:\n${runs.map((r) => r.output().slice(-3000)).join('\n-----\n')}`);
      exits.forEach((e, i) => {
        if (e.code === 0) return;
        const out = runs[i].output();
        const reason = out.split('\n').find((l) => l.includes('✖'));
        assert.ok(reason, `run ${i} failed (${e.code ?? e.signal}) without a clear message:\n${out.slice(-3000)}`);
        t.diagnostic(`run ${i} failed: ${reason.trim()}`);
      });
      await verifyAll(ws);
      assert.deepEqual(await readSummaries(ws.root, RUN_IDS), await reference);
    });
  });
});
