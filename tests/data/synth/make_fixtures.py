#!/usr/bin/env python3
"""Writes the tiny inputs of the synth CLI cases (tests/cli/synth_*.json).

images.idx: 6 images of 8 x 8 ubyte pixels, a bright square on a dark ground that moves with
the index; labels.idx: their classes 0..2; labels5.idx: 5 labels (a count that does not match);
truncated.idx: images.idx less its last byte; not-a-wav.wav: text.
"""
import struct
from pathlib import Path

here = Path(__file__).resolve().parent


def idx(type_code, dims, data):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


pixels = []
for n in range(6):
    for y in range(8):
        for x in range(8):
            pixels.append(220 if n % 4 <= x < n % 4 + 4 and 2 <= y < 6 else 20 + 3 * n)
images = idx(0x08, [6, 8, 8], pixels)
(here / "images.idx").write_bytes(images)
(here / "labels.idx").write_bytes(idx(0x08, [6], [n % 3 for n in range(6)]))
(here / "labels5.idx").write_bytes(idx(0x08, [5], [n % 3 for n in range(5)]))
(here / "truncated.idx").write_bytes(images[:-1])
(here / "not-a-wav.wav").write_bytes(b"this is text, not RIFF audio\n")
