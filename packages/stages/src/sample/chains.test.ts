import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { executeChains, chainParallelism, CHAIN_EXECUTIONS, type ChainExecution } from '@llc/samplers/chains';
import { createChainFixture, type Fixture, type FixtureRun } from '../testing/chainsFixture';
import { runChains, type ChainTrace, type RunResult } from '@llc/samplers/run';

let fixture: Fixture;

before(async () => {
  fixture = await createChainFixture({
    seed: 7,
    posterior: { beta0: 1, gamma: 1 },
    targets: {
      quad: { kind: 'potential', potential: { type: 'quadratic', h: [1, 2, 0.5] }, temperature: 50 },
      mlp: {
        kind: 'teacher-student',
        n: 200,
        nTest: 50,
        inputDim: 2,
        teacher: { widths: [2, 3, 1], activation: 'relu' },
        student: { widths: [2, 3, 1], activation: 'relu' },
        train: { maxSteps: 300 },
      },
    },
    samplers: {
      sgld: { kind: 'sgld', stepSize: 1e-3, batchSize: 32, chains: 2, burnIn: 20, steps: 300, evalEvery: 10 },
      hmc: { kind: 'hmc', chains: 2, burnIn: 30, steps: 40 },
      // Diverges on the quadratic: every chain stops with non-finite parameters.
      bad: { kind: 'sgld', stepSize: 5, chains: 2, steps: 100, evalEvery: 10 },
      long: { kind: 'sgld', stepSize: 1e-4, batchSize: 32, chains: 3, steps: 200_000, evalEvery: 10 },
    },
    runs: [
      { target: '*', sampler: ['sgld', 'hmc'] },
      { target: 'quad', sampler: 'bad' },
      { target: 'mlp', sampler: 'long' },
    ],
  });
});

after(async () => {
  await fixture.dispose();
});

const runOf = (id: string): FixtureRun => {
  const r = fixture.runs.find((x) => x.slice.id === id);
  if (!r) throw new Error(`no run ${id}: ${fixture.runs.map((x) => x.slice.id).join(', ')}`);
  return r;
};

/** Everything a trace holds except wall-clock seconds, as plain arrays (deepEqual compares NaN as equal). */
function comparable(result: RunResult) {
  return {
    drawSteps: Array.from(result.drawSteps),
    chains: result.chains.map((c: ChainTrace) => ({
      llc: Array.from(c.llc),
      loss: Array.from(c.loss),
      fge: Array.from(c.fge),
      acceptance: Array.from(c.acceptance),
      energy: Array.from(c.energy),
      tuned: c.tuned,
      divergences: c.divergences,
      draws: c.draws,
      status: c.status,
      totalFge: c.totalFge,
      finalPosition: Array.from(c.finalPosition),
    })),
  };
}

async function runAll(id: string, executions: readonly ChainExecution[] = CHAIN_EXECUTIONS): Promise<Partial<Record<ChainExecution, RunResult>>> {
  const run = runOf(id);
  const out: Partial<Record<ChainExecution, RunResult>> = {};
  for (const execution of executions) {
    out[execution] = await executeChains(run.local, { ...run.options, execution, remote: run.remote, parallelism: 2 });
  }
  return out;
}

for (const id of ['quad--sgld', 'quad--hmc', 'mlp--sgld', 'mlp--hmc']) {
  test(`${id}: traces are bit-identical inline, in worker threads and in child processes`, async () => {
    const r = await runAll(id);
    const inline = comparable(r.inline!);
    assert.equal(inline.chains.length, 2);
    for (const c of inline.chains) {
      assert.equal(c.status.status, 'ok');
      assert.ok(c.draws > 0 && c.llc.every(Number.isFinite));
    }
    // Chains differ from each other (each its own RNG stream) ...
    assert.notDeepEqual(inline.chains[0].llc, inline.chains[1].llc);
    // ... and each is the same wherever it ran.
    assert.deepEqual(comparable(r.workers!), inline);
    assert.deepEqual(comparable(r.process!), inline);
  });
}

test('a chain that stops on non-finite values is reported per chain, in a worker as inline', async () => {
  const r = await runAll('quad--bad', ['inline', 'workers']);
  const inline = comparable(r.inline!);
  for (const c of inline.chains) {
    assert.equal(c.status.status, 'stopped');
    assert.match((c.status as { reason: string }).reason, /non-finite/);
  }
  assert.deepEqual(comparable(r.workers!), inline);
});

for (const execution of ['workers', 'process'] as const) {
  test(`${execution}: an abort stops running chains promptly and keeps partial traces like inline`, async () => {
    const run = runOf('mlp--long');
    const controller = new AbortController();
    const steps = new Map<number, number>();
    let aborted = false;
    const result = await executeChains(run.local, {
      ...run.options,
      execution,
      remote: run.remote,
      parallelism: 2,
      signal: controller.signal,
      onProgress: ({ chain, step }) => {
        steps.set(chain, step);
        // Abort once both running chains are well under way.
        if (!controller.signal.aborted && steps.size === 2 && [...steps.values()].every((s) => s > 500)) {
          aborted = true;
          controller.abort();
        }
      },
    });
    // Promptly = long before the chains' 20 000 steps, measured in steps rather than seconds (CI machines are busy).
    assert.ok(aborted, 'the run was aborted');
    assert.equal(result.chains.length, 3);
    const [c0, c1, c2] = result.chains;
    for (const c of [c0, c1]) {
      assert.equal(c.status.status, 'interrupted');
      assert.ok(c.draws > 0 && c.draws < 20_000, `partial draws: ${c.draws}`);
    }
    // The third chain never started: the same empty, interrupted trace an inline run gives.
    const unstarted = runChains(run.local.model, run.local.posterior, run.local.algorithm, {
      ...run.options,
      chainIds: [2],
      signal: controller.signal,
    });
    assert.deepEqual(comparable({ chains: [c2], drawSteps: result.drawSteps }), comparable({ chains: unstarted.chains, drawSteps: unstarted.drawSteps }));
    assert.equal(c2.draws, 0);
    // The partial draws are a prefix of the uninterrupted chain.
    const short = { ...run.options, chainIds: [0], steps: c0.draws * 10 };
    const ref = runChains(run.local.model, run.local.posterior, run.local.algorithm, short);
    assert.deepEqual(Array.from(c0.llc.subarray(0, c0.draws)), Array.from(ref.chains[0].llc));
  });
}

test('a worker that cannot set up reports why', async () => {
  const run = runOf('quad--sgld');
  await assert.rejects(
    executeChains(run.local, { ...run.options, execution: 'workers', remote: { ...run.remote, name: 'noSuchFactory' } }),
    /setup failed: .*exports no function 'noSuchFactory'/,
  );
});

test('parallelism defaults to the cores and is capped by the chains', () => {
  assert.equal(chainParallelism(1), 1);
  assert.equal(chainParallelism(64, 3), 3);
  assert.equal(chainParallelism(2, 8), 2);
  assert.ok(chainParallelism(1000) >= 1);
});
