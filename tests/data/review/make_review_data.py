#!/usr/bin/python3
"""Writes the fixtures of the review pages' tests (tests/data/review/).

Run from anywhere: /usr/bin/python3 tests/data/review/make_review_data.py

- images.idx: 40 grayscale 8x8 images (IDX ubyte), image i filled with value 6 * i and a bright
  diagonal, so each thumbnail can be told apart and checked pixel by pixel.
- red.png, photo.png: a 3x2 RGB image and a 64x48 RGB one (to be shrunk), stored uncompressed.
- pred.csv: 16 predictions of a cat/dog/bird classifier, 10 of them wrong, with the image of
  each (IDX references and the PNGs), probabilities and a region.
- labels.csv: 40 examples with out-of-sample probabilities; rows 5, 17, 26 and 33 are labeled
  against a confident model (cleanlab flags exactly those four: see the test).
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CLASSES = ["cat", "dog", "bird"]


def write(name, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(HERE, name), mode) as f:
        f.write(data)


def png(width, height, rgb_rows):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\x00" + bytes(row) for row in rgb_rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b""))


n_images, side = 40, 8
pixels = bytearray()
for i in range(n_images):
    for y in range(side):
        for x in range(side):
            pixels.append(255 if x == y else 6 * i)
write("images.idx", bytes([0, 0, 8, 3]) + struct.pack(">III", n_images, side, side) + bytes(pixels))
write("red.png", png(3, 2, [[255, 0, 0] * 3, [0, 0, 255] * 3]))
write("photo.png", png(64, 48, [[v for x in range(64) for v in ((x * 4) % 256, (y * 5) % 256, 128)]
                                for y in range(48)]))

rows = ["id,image,label,pred,p_cat,p_dog,p_bird,region"]
for i in range(16):
    label = CLASSES[i % 3]
    pred = label if i % 8 in (0, 3, 5) else CLASSES[(i + 1) % 3]
    probs = [0.1, 0.1, 0.1]
    probs[CLASSES.index(pred)] = 0.6
    probs[CLASSES.index(label)] += 0.2
    probs = [round(p / sum(probs), 4) for p in probs]
    probs[2] = round(1 - probs[0] - probs[1], 4)
    image = "red.png" if i == 4 else "photo.png" if i == 9 else f"images.idx#{i}"
    rows.append(f"ex{i},{image},{label},{pred},{probs[0]},{probs[1]},{probs[2]},{'north' if i % 2 else 'south'}")
write("pred.csv", "\n".join(rows) + "\n")

planted = {5: "dog", 17: "cat", 26: "cat", 33: "dog"}  # row -> the class the model is sure of
rows = ["id,image,label,p_cat,p_dog,p_bird"]
for i in range(40):
    label = CLASSES[i % 3]
    probs = [0.1, 0.1, 0.1]
    probs[CLASSES.index(planted.get(i, label))] = 0.8
    rows.append(f"img{i},images.idx#{i},{label},{probs[0]},{probs[1]},{probs[2]}")
write("labels.csv", "\n".join(rows) + "\n")
