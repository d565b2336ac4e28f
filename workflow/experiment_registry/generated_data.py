"""Datasets the workflow makes from data on the machine (a scale's `datasets.<role>.generated`):
the small scale's stand-in for w8a is a LIBSVM file made from Fashion-MNIST, since nothing may
be downloaded. Rule generated_data writes a maker's files under results/<scale>/data/<maker>/
(every output of a scale under its own path); a run on such a role takes them as inputs and
reads data.path = results/<scale>/data/<maker>/train."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GeneratedData:
    script: str       # relative to workflow/: `python3 SCRIPT DIR/train` writes GENERATED_FILES


# What every maker writes in its directory, data.path first: the training split and its test
# split at path + ".t", the layout the trainer's LIBSVM reader takes (w8a, w8a.t).
GENERATED_FILES = ("train", "train.t")
GENERATED_DATA = {
    "fashion-mnist-libsvm": GeneratedData("fashion_mnist_libsvm.py"),
}


def generated_files(results_dir, scale: str, maker: str) -> list:
    """The files rule generated_data writes for `maker` at `scale`, data.path first."""
    base = Path(results_dir) / scale / "data" / maker
    return [str(base / f) for f in GENERATED_FILES]
