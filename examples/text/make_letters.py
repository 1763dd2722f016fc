#!/usr/bin/env python3
"""Writes a toy text task for `mlstrat train examples/text/letters.toml`: strings of 3 to 20
letters from "abcdq", labelled "yes" when one of them is 'q'. A model must find one character
anywhere in the string, which a bag of character counts also does but which makes a quick
check that an LSTM or GRU reads the whole sequence.

usage: make_letters.py [OUT_DIR]   (default: this script's folder)
"""
import os
import random
import sys


def write(path, n, rng):
    with open(path, "w", encoding="utf-8") as out:
        out.write("label\ttext\n")
        for _ in range(n):
            s = [rng.choice("abcd") for _ in range(rng.randint(3, 20))]
            if rng.random() < 0.5:
                s[rng.randrange(len(s))] = "q"
            text = "".join(s)
            out.write(("yes" if "q" in text else "no") + "\t" + text + "\n")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(1)
    write(os.path.join(out_dir, "letters_train.tsv"), 2000, rng)
    write(os.path.join(out_dir, "letters_dev.tsv"), 500, rng)
    write(os.path.join(out_dir, "letters_test.tsv"), 500, rng)


if __name__ == "__main__":
    main()
