#!/usr/bin/python3
"""The Python PyTorch peer of `mlstrat train` for bench/train/run: the same small CNN, the same
loop (Adam 1e-3, batch 64, shuffled each epoch), the same data and normalization, written the
way a PyTorch user writes it: a Dataset, a DataLoader, and per-example augmentation in
__getitem__ when asked. Prints one JSON line: examples/s of the training loop, test accuracy.

Run with Debian's /usr/bin/python3 (python3-torch) and OPENBLAS_NUM_THREADS=1.
"""
import argparse
import gzip
import json
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class Images(torch.utils.data.Dataset):
    def __init__(self, x, y, augment):
        self.x, self.y, self.augment = x, y, augment

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.x[i]
        if self.augment:
            if torch.rand(1).item() < 0.5:
                x = torch.flip(x, [2])
            dx, dy = torch.randint(-2, 3, (2,)).tolist()
            x = F.pad(x, (2, 2, 2, 2), value=float(self.x.min()))[:, 2 + dy:30 + dy, 2 + dx:30 + dx]
        return x, self.y[i]


class SmallCnn(nn.Module):
    """conv 32 3x3 -> ReLU -> max-pool -> conv 64 3x3 -> ReLU -> max-pool -> fc 128 -> fc 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--augment", action="store_true")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=0, help="train on the first N images (0: all)")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    xtr = torch.tensor(read_idx(f"{a.data}/train-images-idx3-ubyte.gz"), dtype=torch.float32) / 255
    ytr = torch.tensor(read_idx(f"{a.data}/train-labels-idx1-ubyte.gz"), dtype=torch.int64)
    xte = torch.tensor(read_idx(f"{a.data}/t10k-images-idx3-ubyte.gz"), dtype=torch.float32) / 255
    yte = torch.tensor(read_idx(f"{a.data}/t10k-labels-idx1-ubyte.gz"), dtype=torch.int64)
    if a.limit:
        xtr, ytr = xtr[:a.limit], ytr[:a.limit]
    mean, std = xtr.mean(), xtr.std()
    xtr = ((xtr - mean) / std).unsqueeze(1)
    xte = ((xte - mean) / std).unsqueeze(1)
    loader = torch.utils.data.DataLoader(Images(xtr, ytr, a.augment), batch_size=64, shuffle=True)
    model = SmallCnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    seen, seconds = 0, 0.0
    for _ in range(a.epochs):
        model.train()
        start = time.perf_counter()
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            seen += len(yb)
        seconds += time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(xte[i:i + 1000]).argmax(1) for i in range(0, len(yte), 1000)])
    print(json.dumps({"examples_per_second": seen / seconds, "seconds": seconds,
                      "test_accuracy": (pred == yte).float().mean().item(),
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
