#!/usr/bin/python3
"""Writes cohort.csv: 6,000 dev predictions whose errors concentrate in one planted cohort,
region = India AND blur > 0.6 (55% error against 4% elsewhere), for `errors slices` to find.
Seeded, so the file is the same on every run."""
import random

rng = random.Random(7)
regions = ["Brazil", "India", "Kenya", "Spain"]
with open("cohort.csv", "w") as f:
    f.write("id,region,blur,device,label,pred\n")
    for i in range(6000):
        region = rng.choice(regions)
        blur = rng.randrange(11) / 10
        device = rng.choice(["phone", "tablet", "web"])
        planted = region == "India" and blur > 0.6
        wrong = rng.random() < (0.55 if planted else 0.04)
        label = rng.choice(["cat", "not_cat"])
        pred = label if not wrong else ("not_cat" if label == "cat" else "cat")
        f.write(f"{i},{region},{blur},{device},{label},{pred}\n")
