"""Trains a small MLP classifier on the 8x8 handwritten digits that scikit-learn ships (Debian's
python3-sklearn: no download) and saves checkpoints along the way, for the "bring your own
model" example (pipeline.digits.ts, README). Writes into --out:
  data/train.csv, data/test.csv   pixels p0..p63 scaled to [0, 1], and the label column
  checkpoints/step-<k>.safetensors the network's state_dict after k Adam steps

Data: Optical Recognition of Handwritten Digits (Alpaydin & Kaynak, 1998), UCI Machine Learning
Repository, CC BY 4.0; the 1797-image 8x8 version distributed with scikit-learn.

    /usr/bin/python3 examples/digits/train.py                # the committed example
    /usr/bin/python3 examples/digits/train.py --hidden 8 --train-rows 300 --out /tmp/d   # small
"""
import argparse
import os
import sys

import numpy as np
import torch
from sklearn.datasets import load_digits

try:
    from safetensors.torch import save_file
except ImportError:  # Debian ships no safetensors for Python: the same bytes, written by hand.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "dev", "torch"))
    from safetensors_min import save_file

parser = argparse.ArgumentParser()
parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
parser.add_argument("--hidden", type=int, default=32)
parser.add_argument("--train-rows", type=int, default=1500)
parser.add_argument("--checkpoints", default="0,30,100,300,1000")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

torch.manual_seed(args.seed)
digits = load_digits()
X = digits.data / 16.0
y = digits.target
order = np.random.default_rng(args.seed).permutation(len(y))
train, test = order[: args.train_rows], order[args.train_rows:]

os.makedirs(os.path.join(args.out, "data"), exist_ok=True)
os.makedirs(os.path.join(args.out, "checkpoints"), exist_ok=True)
header = ",".join([f"p{i}" for i in range(64)] + ["label"])
for name, rows in [("train", train), ("test", test)]:
    table = np.column_stack([X[rows], y[rows]])
    np.savetxt(os.path.join(args.out, "data", f"{name}.csv"), table, delimiter=",", header=header, comments="", fmt=["%.4g"] * 64 + ["%d"])

model = torch.nn.Sequential(torch.nn.Linear(64, args.hidden), torch.nn.ReLU(), torch.nn.Linear(args.hidden, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
Xt = torch.tensor(X[train], dtype=torch.float32)
yt = torch.tensor(y[train])
steps = sorted(int(s) for s in args.checkpoints.split(","))
for step in range(steps[-1] + 1):
    if step in steps:
        # The three-line export recipe of the README.
        save_file(model.state_dict(), os.path.join(args.out, "checkpoints", f"step-{step}.safetensors"))
        with torch.no_grad():
            loss = torch.nn.functional.cross_entropy(model(Xt), yt).item()
        print(f"step {step}: train cross-entropy {loss:.4f}")
    optimizer.zero_grad()
    batch = torch.randint(0, len(train), (64,))
    torch.nn.functional.cross_entropy(model(Xt[batch]), yt[batch]).backward()
    optimizer.step()
