#!/usr/bin/python3
"""The oracle of tests/train_transfer_test.cpp's frozen-head test: a fixed TorchScript feature
extractor (4 inputs -> 6 features), 3-class points whose classes overlap (so the linear head's
optimum is finite), and scikit-learn's converged multinomial logistic regression on the same
features with the L2 penalty that optim.weight_decay gives the head.

mlstrat minimizes  mean cross-entropy + weight_decay / 2 * |W|^2  (bias not penalized);
scikit-learn minimizes  C * sum cross-entropy + 1/2 * |W|^2,  the same optimum for
C = 1 / (weight_decay * n). The objective at scikit-learn's solution is written to oracle.json.

usage: frozen_head_oracle.py OUTDIR WEIGHT_DECAY
"""
import json
import os
import random
import sys

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression


class Backbone(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 6)

    def forward(self, x):
        return torch.tanh(self.fc(x))


def main():
    out, weight_decay = sys.argv[1], float(sys.argv[2])
    torch.manual_seed(0)
    backbone = torch.jit.script(Backbone())
    backbone.save(os.path.join(out, "backbone.pt"))
    rng = random.Random(5)
    rows = []
    for i in range(150):
        label = i % 3
        center = [(-1.0, 0.5, 0.0, 0.3), (1.0, -0.5, 0.2, 0.0), (0.0, 1.0, -0.4, -0.3)][label]
        rows.append([c + rng.gauss(0, 0.8) for c in center] + [label])
    with open(os.path.join(out, "train.csv"), "w") as f:
        f.write("a,b,c,d,label\n")
        for r in rows:
            f.write("{:.6f},{:.6f},{:.6f},{:.6f},c{}\n".format(*r))
    # The features as mlstrat computes them: the CSV's values read as float32.
    x = torch.tensor([[float("{:.6f}".format(v)) for v in r[:4]] for r in rows], dtype=torch.float32)
    y = np.array([r[4] for r in rows])
    with torch.no_grad():
        features = backbone(x).double().numpy()
    n = len(rows)
    model = LogisticRegression(C=1.0 / (weight_decay * n), tol=1e-12, max_iter=100000)
    model.fit(features, y)
    logits = features @ model.coef_.T + model.intercept_
    logits -= logits.max(axis=1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), y].mean() + weight_decay / 2 * (model.coef_ ** 2).sum()
    with open(os.path.join(out, "oracle.json"), "w") as f:
        json.dump({"loss": loss, "weight_decay": weight_decay, "rows": n}, f)


if __name__ == "__main__":
    main()
