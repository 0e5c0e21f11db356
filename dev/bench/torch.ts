/**
 * The same loss + gradient workloads in PyTorch (float32, one thread, autograd), and an
 * SGLD step built on them, run through an embedded Python script when `import torch`
 * works in `python3` or `/usr/bin/python3` (Debian's python3-torch, when python3 on PATH
 * is another interpreter).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import type { Workload } from './engine';
import { stat, type Stat } from './stats';

/**
 * The PyTorch model the bench times: a relu MLP with biases and the mean squared error
 * (no ½), the loss of targets/src/models/mlp.ts. torch.test.ts checks its loss and gradient
 * against the native and SIMD kernels, so the side-by-side figures time the same function.
 */
const TORCH_MODEL = String.raw`
def loss_and_grads(params, xb, yb):
    h = xb
    for l in range(0, len(params), 2):
        h = h @ params[l] + params[l + 1]
        if l + 2 < len(params):
            h = torch.relu(h)
    loss = torch.mean((h - yb) ** 2)
    return loss, torch.autograd.grad(loss, params)
`;

const SCRIPT = String.raw`
import json, sys, time
import torch
${TORCH_MODEL}
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
        loss, grads = loss_and_grads(params, xb, yb)
        # Same hand-off as the JS side: loss and a float64 copy of the flat gradient.
        return loss.item(), torch.cat([g.reshape(-1) for g in grads]).double().numpy()
    # SGLD on the localised posterior, as samplers/src/kernels/sgld.ts: minibatch draw,
    # loss + gradient, w <- w - eps/2 (n*beta*g + gamma (w - w*)) + sqrt(eps) xi.
    centre = [p.detach().clone() for p in params]
    eps, nbeta, gamma = 1e-7, float(n), 1.0
    def sgld_step(i):
        xb, yb = (X, Y) if batch is None else (lambda idx: (X[idx], Y[idx]))(torch.randint(0, n, (batch,)))
        loss, grads = loss_and_grads(params, xb, yb)
        with torch.no_grad():
            for p, g, c in zip(params, grads, centre):
                p.add_(-(eps / 2) * (nbeta * g + gamma * (p - c)) + (eps ** 0.5) * torch.randn_like(p))
        return loss.item()
    def window(fn, seconds):
        t0 = time.perf_counter(); calls = 0
        while calls < 3 or time.perf_counter() - t0 < seconds:
            fn(calls); calls += 1
        return calls / (time.perf_counter() - t0)
    window(once, min(0.3, cfg["seconds"]))
    window(sgld_step, min(0.3, cfg["seconds"]))
    evals, steps = [], []
    for _ in range(cfg["reps"]):
        evals.append(window(once, cfg["seconds"]))
        steps.append(window(sgld_step, cfg["seconds"]))
    out.append([evals, steps])
print(json.dumps({"version": torch.__version__, "threads": torch.get_num_threads(), "rates": out}))
`;

export interface TorchResult {
  available: true;
  /** The interpreter that imported torch. */
  python: string;
  version: string;
  threads: number;
  /** Loss + gradient evaluations/s per workload. */
  rates: Stat[];
  /** SGLD steps/s per workload. */
  sgld: Stat[];
}

/** Interpreters tried in order: the one on PATH, then Debian's (python3-torch installs there). */
const PYTHONS = ['python3', '/usr/bin/python3'];

export function torchAvailable(): { ok: true; python: string } | { ok: false; why: string } {
  const why: string[] = [];
  for (const python of PYTHONS) {
    const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.error) why.push(`${python} not runnable (${r.error.message})`);
    else if (r.status !== 0) why.push(`${python}: ${(r.stderr.trim().split('\n').pop() ?? 'import torch failed').slice(0, 160)}`);
    else return { ok: true, python };
  }
  return { ok: false, why: why.join('; ') };
}

export function benchTorch(workloads: Workload[], reps: number, seconds: number, python = 'python3'): TorchResult {
  const cfg = JSON.stringify({ workloads: workloads.map(({ widths, n, batch }) => ({ widths, n, batch })), reps, seconds });
  const text = execFileSync(python, ['-c', SCRIPT, cfg], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    maxBuffer: 1 << 20,
  });
  const parsed = JSON.parse(text.trim().split('\n').pop()!) as { version: string; threads: number; rates: Array<[number[], number[]]> };
  return {
    available: true,
    python,
    version: parsed.version,
    threads: parsed.threads,
    rates: parsed.rates.map(([evals]) => stat(evals)),
    sgld: parsed.rates.map(([, steps]) => stat(steps)),
  };
}

/** For a syntax check without torch: the script text. */
export const TORCH_SCRIPT = SCRIPT;

/**
 * Loss and flat gradient (layer by layer: W row-major [fanIn, fanOut], then b, as mlpLayout)
 * of the bench's PyTorch model at `w`, in float64 (torch's float32 rounding is not the point
 * of this check: the function is).
 */
export function torchLossAndGrad(python: string, widths: number[], X: ArrayLike<number>, Y: ArrayLike<number>, w: ArrayLike<number>): { loss: number; grad: number[] } {
  const script = String.raw`
import json, sys
import torch
${TORCH_MODEL}
cfg = json.loads(sys.stdin.read())
widths = cfg["widths"]
X = torch.tensor(cfg["X"], dtype=torch.float64).reshape(-1, widths[0])
Y = torch.tensor(cfg["Y"], dtype=torch.float64).reshape(-1, widths[-1])
w = torch.tensor(cfg["w"], dtype=torch.float64)
params, o = [], 0
for a, b in zip(widths[:-1], widths[1:]):
    params.append(w[o:o + a * b].reshape(a, b).clone().requires_grad_()); o += a * b
    params.append(w[o:o + b].clone().requires_grad_()); o += b
loss, grads = loss_and_grads(params, X, Y)
print(json.dumps({"loss": loss.item(), "grad": torch.cat([g.reshape(-1) for g in grads]).tolist()}))
`;
  const input = JSON.stringify({ widths, X: Array.from(X), Y: Array.from(Y), w: Array.from(w) });
  const text = execFileSync(python, ['-c', script], { input, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  return JSON.parse(text.trim().split('\n').pop()!) as { loss: number; grad: number[] };
}

/** Which BLAS Debian's libblas.so.3 points at (PyTorch's matmuls run on it), when that can be read. */
export function systemBlas(): string | null {
  try {
    return realpathSync('/etc/alternatives/libblas.so.3-x86_64-linux-gnu');
  } catch {
    return null;
  }
}
