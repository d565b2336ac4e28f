#!/usr/bin/python3
"""Throughput baseline: plain PyTorch (Python) training of the trainer's model.

Trains the same CIFAR-style ResNet as build/localsgd-train (depth 6n+2, width multiplier w)
on the first --subset Fashion-MNIST training images with SGD (lr 0.1, momentum 0.9, Nesterov,
weight decay 1e-4), the way a straightforward user would write it, and reports training
images per second over --steps timed steps (after --warmup-steps untimed ones). The time
covers the whole step: batch gathering, augmentation (pad-4 random crop + horizontal flip),
forward, backward and the optimizer step.

Run it with Debian's interpreter, which has python3-torch (1.13, like libtorch-dev):

    /usr/bin/python3 bench/pytorch_baseline.py --width 0.25 --batch 32 --threads 2

Prints one JSON line: {"images_per_second": ..., "steps": ..., "batch": ..., "threads": ...,
"torch": ..., ...}.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"  # Debian package dataset-fashion-mnist
# Fashion-MNIST training-set pixel mean and std (of values in [0, 1]).
MEAN, STD = 0.2860, 0.3530
NUM_CLASSES = 10


# --------------------------------------------------------------------------- data
def read_idx(path):
    """Reads a (gzip) IDX file into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {array.size} values, header says {dims}")
    return array.reshape(dims)


def find_file(directory, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{stem}(.gz) not found in {directory}")


def load_train_set(directory, subset):
    images = read_idx(find_file(directory, "train-images-idx3-ubyte"))
    labels = read_idx(find_file(directory, "train-labels-idx1-ubyte"))
    if subset > 0:
        images, labels = images[:subset], labels[:subset]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)  # N x 1 x 28 x 28
    x = (x - MEAN) / STD
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def augment(batch, pad=4):
    """Pad-4 random crop and random horizontal flip, one sample at a time."""
    n, _, h, w = batch.shape
    padded = F.pad(batch, (pad, pad, pad, pad))  # zero padding
    out = torch.empty_like(batch)
    offsets = torch.randint(0, 2 * pad + 1, (n, 2))
    flips = torch.rand(n) < 0.5
    for i in range(n):
        dy, dx = int(offsets[i, 0]), int(offsets[i, 1])
        crop = padded[i, :, dy:dy + h, dx:dx + w]
        if flips[i]:
            crop = crop.flip(-1)
        out[i] = crop
    return out


# --------------------------------------------------------------------------- model
def round_half_up(x):
    return int(math.floor(x + 0.5))  # like std::round for positive values


def stage_widths(width):
    c1 = max(1, round_half_up(16 * width))
    c2 = max(1, round_half_up(32 * width))
    c3 = max(1, round_half_up(64 * width))
    return c1, c2, c3


def conv3x3(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv3x3(cin, cout, stride)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = conv3x3(cout, cout)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.shortcut is None else self.shortcut(x)
        return F.relu(out + identity)


class ResNet(nn.Module):
    """CIFAR ResNet (He et al. 2016, section 4.2): depth 6n+2, three stages of n blocks."""

    def __init__(self, depth=20, width=1.0, in_channels=1, num_classes=NUM_CLASSES):
        super().__init__()
        if depth < 8 or (depth - 2) % 6 != 0:
            raise ValueError(f"depth must be 6n+2 with n >= 1, got {depth}")
        n = (depth - 2) // 6
        c1, c2, c3 = stage_widths(width)
        self.stem = nn.Sequential(conv3x3(in_channels, c1), nn.BatchNorm2d(c1), nn.ReLU(inplace=True))
        blocks, cin = [], c1
        for cout, stride in ((c1, 1), (c2, 2), (c3, 2)):
            for i in range(n):
                blocks.append(BasicBlock(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(c3, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


# --------------------------------------------------------------------------- benchmark
def batches(n, batch, generator):
    """Endless stream of index batches: a fresh permutation each epoch, last partial dropped."""
    while True:
        perm = torch.randperm(n, generator=generator)
        for start in range(0, n - batch + 1, batch):
            yield perm[start:start + batch]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--width", type=float, default=0.25, help="width multiplier (default 0.25)")
    p.add_argument("--depth", type=int, default=20, help="ResNet depth 6n+2 (default 20)")
    p.add_argument("--batch", type=int, default=32, help="batch size (default 32)")
    p.add_argument("--subset", type=int, default=10000,
                   help="use the first N training images; 0 = all (default 10000)")
    p.add_argument("--steps", type=int, default=200, help="timed steps (default 200)")
    p.add_argument("--warmup-steps", type=int, default=10, help="untimed steps first (default 10)")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data", default=DEFAULT_DATA, help=f"dataset directory (default {DEFAULT_DATA})")
    args = p.parse_args(argv)
    if args.steps < 1 or args.warmup_steps < 0 or args.batch < 1 or args.threads < 1:
        p.error("--steps, --batch and --threads must be >= 1, --warmup-steps >= 0")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x, y = load_train_set(args.data, args.subset)
    if args.batch > len(x):
        p.error(f"--batch {args.batch} is larger than the {len(x)} training images")

    model = ResNet(depth=args.depth, width=args.width, in_channels=x.shape[1])
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                                weight_decay=1e-4)
    generator = torch.Generator().manual_seed(args.seed)
    stream = batches(len(x), args.batch, generator)

    def step():
        idx = next(stream)
        inputs = augment(x[idx])
        targets = y[idx]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss

    for _ in range(args.warmup_steps):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    loss_value = float(loss)  # all work is synchronous on CPU; this just reads the result
    seconds = time.perf_counter() - start

    result = {
        "images_per_second": args.steps * args.batch / seconds,
        "steps": args.steps,
        "batch": args.batch,
        "threads": args.threads,
        "torch": torch.__version__,
        "width": args.width,
        "depth": args.depth,
        "seconds": seconds,
        "final_loss": loss_value,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
