#!/usr/bin/python3
"""Baseline for bench/hessian.sh: one Hessian-vector product (double backward, as PyHessian
computes it) against one gradient in PyTorch, on the ResNet of bench/pytorch_baseline.py in
eval mode and a batch of Fashion-MNIST training images.

    /usr/bin/python3 bench/pytorch_hvp.py --width 1 --batch 128 --threads 2

Prints one JSON line: seconds per gradient, per product, and their ratio.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_baseline import DEFAULT_DATA, ResNet, load_train_set  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", default=DEFAULT_DATA)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x, y = load_train_set(a.data, a.batch)
    model = ResNet(a.depth, a.width).eval()
    params = [q for q in model.parameters() if q.requires_grad]
    v = [torch.randn_like(q) for q in params]

    def gradient():
        return torch.autograd.grad(F.cross_entropy(model(x), y), params)

    def product():
        g = torch.autograd.grad(F.cross_entropy(model(x), y), params, create_graph=True)
        return torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(g, v)), params)

    def seconds_per(work):
        work()
        start = time.perf_counter()
        for _ in range(a.repeats):
            work()
        return (time.perf_counter() - start) / a.repeats

    g, h = seconds_per(gradient), seconds_per(product)
    print(json.dumps({"implementation": "PyTorch-Python", "parameters": sum(q.numel() for q in params),
                      "batch": a.batch, "threads": a.threads, "gradient_seconds": g, "hvp_seconds": h,
                      "hvp_over_gradient": h / g, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
