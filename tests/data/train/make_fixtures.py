#!/usr/bin/python3
"""Writes the training fixtures: quadrant points (class: same or different signs, which no linear
model separates) as CSV, and a truncated IDX file."""
import random

rng = random.Random(11)
for name, n in (("quadrants_train.csv", 400), ("quadrants_dev.csv", 100)):
    with open(name, "w") as f:
        f.write("id,x,y,label\n")
        for i in range(n):
            x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
            f.write(f"{name[10]}{i},{x:.4f},{y:.4f},{'same' if (x > 0) == (y > 0) else 'diff'}\n")
with open("truncated-images.idx", "wb") as f:
    f.write(bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 4]) + bytes(range(20)))
with open("truncated-labels.idx", "wb") as f:
    f.write(bytes([0, 0, 8, 1, 0, 0, 0, 2, 0, 1]))

# Multi-task points (1.2.3): three tasks per point, some labels unknown ('?').
rng = random.Random(12)
for name, n in (("tasks_train.csv", 300), ("tasks_dev.csv", 100)):
    with open(name, "w") as f:
        f.write("id,x,y,right,top,same\n")
        for i in range(n):
            x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
            labels = [int(x > 0), int(y > 0), int((x > 0) == (y > 0))]
            cells = ["?" if rng.random() < 0.1 else str(v) for v in labels]
            f.write(f"{name[6]}{i},{x:.4f},{y:.4f},{','.join(cells)}\n")
