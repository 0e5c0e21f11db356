"""Writes, into the folder given as argv[1], small PyTorch networks trained for a few steps, their
data in every format we read, and PyTorch's float64 loss and gradient at the saved weights:
the reference values of packages/targets/src/imported/importedTarget.test.ts."""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_min import save_file  # noqa: E402

out = sys.argv[1]
torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
cases = {}


def train(model, X, y, loss_fn, steps=30):
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model(X), y).backward()
        opt.step()


def reference(name, model, X, y, loss_fn, loss, activation, data_files, architecture=None):
    model.zero_grad()
    value = loss_fn(model(X), y)
    value.backward()
    state = model.state_dict()
    save_file({k: v for k, v in state.items()}, os.path.join(out, f"{name}.safetensors"))
    # The same weights stored in lower precisions: what we read must equal PyTorch's conversion.
    for dtype, tag in [(torch.float32, "f32"), (torch.float16, "f16"), (torch.bfloat16, "bf16")]:
        save_file({k: v.to(dtype) for k, v in state.items()}, os.path.join(out, f"{name}-{tag}.safetensors"))
        cases[f"{name}-{tag}"] = {"weights": {k: v.to(dtype).to(torch.float64).flatten().tolist() for k, v in state.items()}}
    cases[name] = {
        "loss": loss,
        "activation": activation,
        "architecture": architecture or {
            "family": "mlp", "activation": activation,
            "layers": [{"weight": k, "bias": k.replace("weight", "bias")} for k in state if k.endswith("weight")],
        },
        "value": value.item(),
        "grad": {k: p.grad.flatten().tolist() for k, p in model.named_parameters()},
        "data": data_files,
    }


# Regression: 3 → 5 → 4 → 2, tanh, squared error (mean over rows and outputs).
X = torch.randn(40, 3)
Y = torch.stack([torch.sin(X[:, 0]) + X[:, 1] * X[:, 2], X[:, 0] - X[:, 2] ** 2], dim=1) + 0.1 * torch.randn(40, 2)
mlp = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
train(mlp, X, Y, F.mse_loss)
np.savez(os.path.join(out, "regression.npz"), X=X.numpy(), Y=Y.numpy())
np.save(os.path.join(out, "regression-X.npy"), X.numpy())
np.save(os.path.join(out, "regression-Y.npy"), Y.numpy())
reference("regression", mlp, X, Y, F.mse_loss, "mse", "tanh", {"npz": "regression.npz", "npyX": "regression-X.npy", "npyY": "regression-Y.npy"})

# Classification: 4 → 6 → 3 logits, GELU (tanh approximation), cross-entropy (mean over rows).
Xc = torch.randn(60, 4)
yc = (Xc[:, 0] + Xc[:, 1] > 0).long() + (Xc[:, 2] > 0.5).long()
clf = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.GELU(approximate="tanh"), torch.nn.Linear(6, 3))
train(clf, Xc, yc, F.cross_entropy)
save_file({"X": Xc, "y": yc}, os.path.join(out, "classification-data.safetensors"))
with open(os.path.join(out, "classification.csv"), "w") as f:
    f.write("a,b,c,d,label\n")
    for row, label in zip(Xc.tolist(), yc.tolist()):
        f.write(",".join(repr(v) for v in row) + f",{label}\n")
reference("classification", clf, Xc, yc, F.cross_entropy, "cross-entropy", "gelu",
          {"safetensors": "classification-data.safetensors", "csv": "classification.csv"})

# CNN: [1, 6, 6] images → Conv2d(1, 3, 3, padding 1) → ReLU → Conv2d(3, 2, 3, stride 2) → ReLU
# → Flatten (2·2·2) → Linear(8, 4) → ReLU → Linear(4, 3) logits, cross-entropy.
Xi = torch.randn(50, 1, 6, 6)
yi = (Xi[:, 0, :3].sum(dim=(1, 2)) > 0).long() + (Xi[:, 0, 3:, 3:].mean(dim=(1, 2)) > 0.2).long()
cnn = torch.nn.Sequential(
    torch.nn.Conv2d(1, 3, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(3, 2, 3, stride=2), torch.nn.ReLU(),
    torch.nn.Flatten(), torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3))
train(cnn, Xi, yi, F.cross_entropy)
np.savez(os.path.join(out, "cnn.npz"), X=Xi.reshape(50, 36).numpy(), y=yi.numpy())
cnn_layers = [
    {"type": "conv2d", "weight": "0.weight", "bias": "0.bias", "stride": 1, "padding": 1},
    {"type": "conv2d", "weight": "2.weight", "bias": "2.bias", "stride": 2, "padding": 0},
    {"type": "linear", "weight": "5.weight", "bias": "5.bias"},
    {"type": "linear", "weight": "7.weight", "bias": "7.bias"},
]
reference("cnn", cnn, Xi, yi, F.cross_entropy, "cross-entropy", "relu", {"npz": "cnn.npz"},
          {"family": "cnn", "inputShape": [1, 6, 6], "activation": "relu", "layers": cnn_layers})

with open(os.path.join(out, "reference.json"), "w") as f:
    json.dump(cases, f)
