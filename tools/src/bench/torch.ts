/**
 * The same loss + gradient workloads in PyTorch (float32, one thread, autograd), run
 * through an embedded Python script when `import torch` works.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import type { Workload } from './engine';
import { stat, type Stat } from './stats';

const SCRIPT = String.raw`
import json, sys, time
import torch
torch.set_num_threads(1)
torch.manual_seed(1)
cfg = json.loads(sys.argv[1])
out = []
for w in cfg["workloads"]:
    widths, n, batch = w["widths"], w["n"], w["batch"]
    X = torch.randn(n, widths[0], dtype=torch.float32)
    Y = torch.randn(n, 1, dtype=torch.float32)
    params = []
    for a, b in zip(widths[:-1], widths[1:]):
        params.append((0.1 * torch.randn(a, b)).requires_grad_())
        params.append((0.1 * torch.randn(b)).requires_grad_())
    batches = None if batch is None else [torch.randint(0, n, (batch,)) for _ in range(64)]
    def once(i):
        xb, yb = (X, Y) if batches is None else (X[batches[i % 64]], Y[batches[i % 64]])
        h = xb
        for l in range(0, len(params), 2):
            h = h @ params[l] + params[l + 1]
            if l + 2 < len(params):
                h = torch.relu(h)
        loss = torch.mean((h - yb) ** 2)
        grads = torch.autograd.grad(loss, params)
        # Same hand-off as the JS side: loss and a float64 copy of the flat gradient.
        return loss.item(), torch.cat([g.reshape(-1) for g in grads]).double().numpy()
    def window(seconds):
        t0 = time.perf_counter(); calls = 0
        while calls < 3 or time.perf_counter() - t0 < seconds:
            once(calls); calls += 1
        return calls / (time.perf_counter() - t0)
    window(min(0.3, cfg["seconds"]))
    out.append([window(cfg["seconds"]) for _ in range(cfg["reps"])])
print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads(), "rates": out}))
`;

export interface TorchResult {
  available: true;
  version: string;
  threads: number;
  rates: Stat[];
}

export function torchAvailable(): { ok: true } | { ok: false; why: string } {
  const r = spawnSync('python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (r.error) return { ok: false, why: `python3 not runnable (${r.error.message})` };
  if (r.status !== 0) return { ok: false, why: (r.stderr.trim().split('\n').pop() ?? 'import torch failed').slice(0, 160) };
  return { ok: true };
}

export function benchTorch(workloads: Workload[], reps: number, seconds: number): TorchResult {
  const cfg = JSON.stringify({ workloads: workloads.map(({ widths, n, batch }) => ({ widths, n, batch })), reps, seconds });
  const text = execFileSync('python3', ['-c', SCRIPT, cfg], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    maxBuffer: 1 << 20,
  });
  const parsed = JSON.parse(text.trim().split('\n').pop()!) as { version: string; threads: number; rates: number[][] };
  return { available: true, version: parsed.version, threads: parsed.threads, rates: parsed.rates.map((r) => stat(r)) };
}

/** For a syntax check without torch: the script text. */
export const TORCH_SCRIPT = SCRIPT;
