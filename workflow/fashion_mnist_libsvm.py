"""Writes a binary LIBSVM dataset made from Fashion-MNIST, the small-scale stand-in for w8a
(Figure 6's convex problem): two classes (by default T-shirt/top, label -1, against shirt,
label +1, the pair a linear model finds hardest), each image mean-pooled over `pool` x `pool`
blocks and scaled to [0, 1], zero features left out as LIBSVM does. The training split goes
to OUT, the test split to OUT.t (the LIBSVM site's names, w8a and w8a.t).

    python workflow/fashion_mnist_libsvm.py OUT [--source DIR] [--classes 0 6] [--pool 2]

With pool 2 the 28 x 28 images become 196 features (w8a has 300): 12,000 training and 2,000
test samples (w8a: 49,749 and 14,951).
"""
from __future__ import annotations

import argparse
import gzip
import struct
import sys
from pathlib import Path

import numpy as np

SOURCE = Path("/usr/share/datasets/fashion-mnist")   # Debian's dataset-fashion-mnist


def read_idx(path: Path, magic: int, dims: int) -> np.ndarray:
    data = gzip.open(path).read()
    header = struct.unpack(f">{dims + 1}I", data[:4 * (dims + 1)])
    if header[0] != magic:
        raise SystemExit(f"{path}: bad magic number {header[0]:#010x}, expected {magic:#010x}")
    shape = header[1:]
    body = np.frombuffer(data, dtype=np.uint8, offset=4 * (dims + 1))
    if body.size != int(np.prod(shape)):
        raise SystemExit(f"{path}: {body.size} bytes after the header, expected {int(np.prod(shape))}")
    return body.reshape(shape)


def split(source: Path, prefix: str, classes: tuple, pool: int) -> tuple:
    images = read_idx(source / f"{prefix}-images-idx3-ubyte.gz", 0x803, 3)
    labels = read_idx(source / f"{prefix}-labels-idx1-ubyte.gz", 0x801, 1)
    keep = np.isin(labels, classes)
    images, labels = images[keep].astype(np.float64) / 255.0, labels[keep]
    n, h, w = images.shape
    pooled = images.reshape(n, h // pool, pool, w // pool, pool).mean(axis=(2, 4)).reshape(n, -1)
    return pooled, np.where(labels == classes[1], 1, -1)


def write_libsvm(path: Path, features: np.ndarray, labels: np.ndarray) -> None:
    with open(path, "w") as out:
        for x, y in zip(features, labels):
            entries = " ".join(f"{j + 1}:{v:.6g}" for j, v in enumerate(x) if v != 0)
            out.write(f"{y:+d} {entries}\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--classes", type=int, nargs=2, default=(0, 6), metavar=("NEGATIVE", "POSITIVE"))
    parser.add_argument("--pool", type=int, default=2, choices=(1, 2, 4, 7))
    args = parser.parse_args(argv)
    classes = tuple(args.classes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for prefix, path in (("train", args.out), ("t10k", Path(f"{args.out}.t"))):
        features, labels = split(args.source, prefix, classes, args.pool)
        partial = path.with_name(path.name + ".partial")
        write_libsvm(partial, features, labels)
        partial.replace(path)   # whole or not at all
    return 0


if __name__ == "__main__":
    sys.exit(main())
