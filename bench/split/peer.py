"""The peer of `mlstrat split` for bench/split/run: pandas reads the table, scikit-learn's
train_test_split runs twice with stratify (train vs the rest, then dev vs test), and pandas
writes the three parts with to_csv. Prints one JSON line with the seconds taken and the rows of
each part."""
import json
import sys
import time

import pandas as pd
from sklearn.model_selection import train_test_split

path, out, label, dev, test, seed = sys.argv[1:7]
dev, test, seed = int(dev), int(test), int(seed)
start = time.perf_counter()
table = pd.read_csv(path)
train, rest = train_test_split(table, test_size=dev + test, stratify=table[label],
                               random_state=seed)
dev_part, test_part = train_test_split(rest, test_size=test, stratify=rest[label],
                                       random_state=seed)
for name, part in (("train", train), ("dev", dev_part), ("test", test_part)):
    part.to_csv(f"{out}/{name}.csv", index=False)
print(json.dumps({"seconds": time.perf_counter() - start, "train": len(train),
                  "dev": len(dev_part), "test": len(test_part)}))
