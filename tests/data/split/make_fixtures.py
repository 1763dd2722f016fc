"""Writes the fixtures of the `mlstrat split` CLI tests (run with Debian's /usr/bin/python3 from
this folder; the output is deterministic).

small.csv              1,000 rows: id, label (cat 60% / dog 25% / bird 12% / fish 3%), source
                       (mobile 20%), user (200 users), x.
notes_option2.csv.gz   the notes' cat app (1.2.2): 200,000 pictures from the web and 10,000
                       from the mobile app (columns picture, source, label).
rare_class.csv         small.csv's columns, with one class that has a single row.
ragged.csv             a row with an extra field on line 4.
leaky/                 train/dev/test made by hand with planted leaks: 3 rows of train copied
                       into dev and 2 into test, 1 id reused with other content in test, and
                       user u7 in both train and dev.
"""
import gzip
import os
import random

random.seed(20261125)


def small_rows(n):
    rows = []
    for i in range(n):
        r = random.random()
        label = "cat" if r < 0.6 else "dog" if r < 0.85 else "bird" if r < 0.97 else "fish"
        source = "mobile" if random.random() < 0.2 else "web"
        rows.append(f"{i},{label},{source},u{random.randrange(200)},{random.randrange(1000)}")
    return rows


header = "id,label,source,user,x"
rows = small_rows(1000)
with open("small.csv", "w") as f:
    f.write(header + "\n" + "\n".join(rows) + "\n")

with open("rare_class.csv", "w") as f:
    f.write(header + "\n" + "\n".join(rows[:99]) + "\n99,zebra,web,u1,5\n")

with open("ragged.csv", "w") as f:
    f.write(header + "\n" + "\n".join(rows[:2]) + "\n2,cat,web,u3,4,extra\n")

with gzip.GzipFile("notes_option2.csv.gz", "wb", mtime=0) as f:
    lines = ["picture,source,label"]
    for i in range(210000):
        source = "mobile" if i % 21 == 0 else "web"
        lines.append(f"p{i:06d},{source},{'cat' if (i // 21) % 3 else 'other'}")
    f.write(("\n".join(lines) + "\n").encode())

os.makedirs("leaky", exist_ok=True)
train, dev, test = rows[:800], rows[800:900], rows[900:1000]
dev = dev + train[:3]
test = test + train[3:5] + ["42,fish,web,u0,999999"]  # id 42 is in train with other content
dev = [r if i else r.split(",u")[0] + ",u7," + r.split(",")[-1] for i, r in enumerate(dev)]
train = [r if i else r.split(",u")[0] + ",u7," + r.split(",")[-1] for i, r in enumerate(train)]
for name, part in (("train", train), ("dev", dev), ("test", test)):
    with open(f"leaky/{name}.csv", "w") as f:
        f.write(header + "\n" + "\n".join(part) + "\n")
