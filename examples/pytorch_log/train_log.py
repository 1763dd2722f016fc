#!/usr/bin/python3
"""A small PyTorch training loop logged into the mlstrat run registry through the CLI.

Run with Debian's python (python3-torch):

    /usr/bin/python3 examples/pytorch_log/train_log.py --mlstrat build/mlstrat --db mlstrat.db

It trains a two-layer network on two noisy Gaussian blobs, and after every epoch logs the
training loss and the train and dev errors (`mlstrat runs log NAME --step N --metric ...`). It
then attaches its dev predictions (`mlstrat runs predictions`) so that `mlstrat runs compare`
can pair them with another run's, and marks the run finished (`mlstrat runs finish`).
"""
import argparse
import os
import subprocess

import torch


def blobs(n, seed):
    """n points of two overlapping Gaussian classes, with ids."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.randn(n, 2, generator=g) + y.unsqueeze(1).float() * 1.5
    return x, y


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mlstrat", default="mlstrat", help="the mlstrat executable")
    parser.add_argument("--db", default="mlstrat.db", help="the run registry")
    parser.add_argument("--name", default="blobs-mlp", help="the run's name")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--group", default="", help="seed group (runs of one config)")
    args = parser.parse_args()

    def runs(*words):
        command = [args.mlstrat, "runs", *words, "--db", args.db]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    torch.manual_seed(args.seed)
    x_train, y_train = blobs(2000, seed=1)
    x_dev, y_dev = blobs(500, seed=2)  # the same dev examples (ids 0..499) for every run
    model = torch.nn.Sequential(torch.nn.Linear(2, args.width), torch.nn.ReLU(),
                                torch.nn.Linear(args.width, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)

    start = ["log", args.name, "--param", f"optim.lr={args.lr}", "--param",
             f"model.widths=[{args.width}]", "--param", f"seed={args.seed}"]
    if args.group:
        start += ["--group", args.group]
    runs(*start)  # creates the run, status running

    def error(x, y):
        with torch.no_grad():
            return (model(x).argmax(1) != y).float().mean().item()

    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for batch in torch.randperm(len(x_train)).split(100):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        model.eval()
        runs("log", args.name, "--step", str(epoch),
             "--metric", f"train.loss={total / len(x_train):.6f}",
             "--metric", f"train.error={error(x_train, y_train):.6f}",
             "--metric", f"dev.error={error(x_dev, y_dev):.6f}")

    with torch.no_grad():
        pred = model(x_dev).argmax(1)
    folder = os.path.join(os.path.dirname(os.path.abspath(args.db)), "runs", args.name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "pred_dev.csv")
    with open(path, "w") as f:
        f.write("id,label,pred\n")
        for i, (label, guess) in enumerate(zip(y_dev.tolist(), pred.tolist())):
            f.write(f"{i},{label},{guess}\n")
    runs("predictions", args.name, path, "--split", "dev")
    runs("finish", args.name)
    print(f"{args.name}: dev error {error(x_dev, y_dev):.4f}, logged to {args.db}")


if __name__ == "__main__":
    main()
