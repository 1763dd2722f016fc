#!/usr/bin/python3
"""A PyTorch training loop on Fashion-MNIST in Python, measured with mlstrat in the same process:
each epoch logged to the run registry, the single-number metric with slices, the gaps against
human level, and likely label errors. docs/python.md explains each call.

    /usr/bin/python3 examples/python/walkthrough.py [--epochs 2] [--train-rows 20000] \
        [--db mlstrat.db] [--name walkthrough-mlp]

The run lands in the registry file the CLI uses: `mlstrat runs show walkthrough-mlp`,
`mlstrat runs compare`, and `mlstrat report --out report.html` (its training curves) read it.

Needs the module built and importable (scripts/test or scripts/demo do it) and Debian's
dataset-fashion-mnist. Takes about a minute on two cores.
"""
import argparse
import gzip
import os
import time

import numpy as np
import torch

import mlstrat

DATA = "/usr/share/datasets/fashion-mnist"
CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
           "boot"]


def read_idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--train-rows", type=int, default=20000)
    parser.add_argument("--db", default="mlstrat.db", help="the run registry file")
    parser.add_argument("--name", default="walkthrough-mlp", help="the run's name")
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()
    torch.manual_seed(0)

    # Data: pixels in [0, 1]; dev and test from the official test set, 5,000 each.
    x = read_idx("train-images-idx3-ubyte.gz")[: args.train_rows].astype(np.float32) / 255.0
    y = read_idx("train-labels-idx1-ubyte.gz")[: args.train_rows].astype(np.int64)
    xt = read_idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    yt = read_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64)
    splits = {"train": (x, y), "dev": (xt[:5000], yt[:5000]), "test": (xt[5000:], yt[5000:])}

    # A small MLP, trained with Adam; each epoch measured on train and dev with mlstrat.
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def predict(split):
        with torch.no_grad():
            return torch.softmax(model(torch.from_numpy(splits[split][0])), 1).numpy()

    # The run is logged to the registry: status running, finished when the block ends (failed if
    # it raises); each epoch's errors and loss join its curves.
    registry = mlstrat.Registry(args.db)
    config = {"model": {"widths": [128]}, "optim": {"name": "adam", "lr": args.lr},
              "epochs": args.epochs, "data": {"train_rows": args.train_rows}}
    with registry.run(args.name, params=config) as run:
        for epoch in range(1, args.epochs + 1):
            order = torch.randperm(len(tx))
            total = 0.0
            for start in range(0, len(tx), 128):
                batch = order[start:start + 128]
                optimizer.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(tx[batch]), ty[batch])
                loss.backward()
                optimizer.step()
                total += loss.item() * len(batch)
            errors = {s: mlstrat.evaluate(splits[s][1], predict(s).argmax(1))["error"]
                      for s in ("train", "dev")}
            run.log(epoch, train_error=errors["train"], dev_error=errors["dev"],
                    train_loss=total / len(tx))
            print(f"epoch {epoch}: train error {errors['train']:.2%}, "
                  f"dev error {errors['dev']:.2%}")
        # The dev predictions, by row of the official test set: `mlstrat runs compare` pairs
        # them with another run's.
        run.predictions("dev", np.arange(5000), splits["dev"][1], predict("dev"), classes=CLASSES)

    # The single-number metric on dev, with a slice: how bright the image is (a proxy for the
    # kind of garment photo), and the class that must never be wrong weighted 10x.
    dev_x, dev_y = splits["dev"]
    dev_probs = predict("dev")
    brightness = np.digitize(dev_x.reshape(len(dev_x), -1).mean(1), [0.2, 0.35])
    names = np.array(CLASSES)
    t = time.perf_counter()
    report = mlstrat.evaluate(names[dev_y], names[dev_probs.argmax(1)],
                              slices={"brightness": brightness}, class_weight={"shirt": 10})
    print(f"\ndev: error {report['error']:.2%} ({report['error_ci'][0]:.2%} to "
          f"{report['error_ci'][1]:.2%}), weighted error {report['weighted_error']:.2%}, "
          f"average over brightness slices {report['slice_average_error']['brightness']:.2%} "
          f"[{(time.perf_counter() - t) * 1000:.1f} ms]")
    worst = max(report["classes"], key=lambda c: 1 - c["f1"])
    print(f"weakest class: {worst['class']} (F1 {worst['f1']:.3f})")

    # The gaps against human level: the course's crowd error for Fashion-MNIST is 16.5%; the
    # model's own train and dev errors with their sizes.
    train_error = mlstrat.evaluate(y, predict("train").argmax(1))["error"]
    diagnosis = mlstrat.diagnose(human={"crowd": 0.165}, train=train_error,
                                 dev=report["error"],
                                 sizes={"train": len(y), "dev": len(dev_y)})
    print()
    print(diagnosis)

    # Likely label errors among the dev examples (the model did not train on them).
    ranked = mlstrat.find_label_issues(dev_y, dev_probs.astype(np.float64),
                                       return_indices_ranked_by="self_confidence")
    print(f"\n{len(ranked)} dev examples whose label is likely wrong; the first five:")
    for i in ranked[:5]:
        print(f"  #{i}: labeled {CLASSES[dev_y[i]]}, the model says "
              f"{CLASSES[dev_probs[i].argmax()]} ({dev_probs[i].max():.0%})")

    # The registry as a table: this run next to every other one, best dev error first.
    print()
    print(registry.runs(sort="dev.error", columns=["name", "status", "train.error", "dev.error",
                                                    "param.optim.lr"]).to_string(index=False))
    print(f"\nmlstrat report --db {args.db} --run {args.name} --out report.html  "
          f"# the curves just logged, the ladder, the confusion matrix")


if __name__ == "__main__":
    main()
