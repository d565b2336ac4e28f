#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into fuzz/corpus/<target>/ (committed; rerun after
changing this file): small valid configs derived from configs/ and tests/configs/, and tiny valid
Fashion-MNIST (IDX) and CIFAR-10/100 (binary) datasets, plain and gzip-compressed. Every seed
loads, except those named reject-*, which must be refused with the documented error; fuzz/run.sh
checks both before fuzzing (a trainer change can make a seed stale: rerun this script).

    python3 fuzz/make_seeds.py
"""
import gzip
import pathlib
import shutil
import struct

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
FILE_SEP = b"\n@@FILE@@\n"  # fuzz/fuzz_support.h kFileSeparator
SET_SEP = "\n@@SET@@\n"     # fuzz/fuzz_config.cpp kOverrideSeparator


def reset(name):
    d = CORPUS / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


# ------------------------------------------------------------------ config
def config_seeds():
    d = reset("config")
    small = (ROOT / "configs/small/fashion-mnist.toml").read_text()
    tiny = (ROOT / "tests/configs/tiny-run.toml").read_text()
    seeds = {
        "small-fashion-mnist.toml": small,
        "tiny-run.toml": tiny,
        "reject-empty.toml": "",
        "minibatch-overrides.toml": tiny + SET_SEP + "\n".join([
            "algorithm.kind=minibatch", "algorithm.workers=2", "run.seed=3",
            "optimizer.lr_scaling=sqrt", "schedule.decay_at=[0.25, 0.5]"]),
        "postlocal.toml": tiny.replace("[algorithm]\n", "[algorithm]\nkind = \"postlocal\"\nlocal_steps = 4\n"
                                       "switch_epoch = 0.5\nbn_stats = \"average\"\nmomentum = \"reset\"\n"),
        "hierarchical.toml": tiny.replace("[algorithm]\n", "[algorithm]\nkind = \"hierarchical\"\nlocal_steps = 2\n"
                                          "block_size = 2\nblock_steps = 2\n")
                             + "[comm]\nbackend = \"simulated\"\nglobal_delay = 0.01\nlatency = 1e-5\n"
                               "bandwidth = 1e9\nblock_latency = 1e-6\nblock_bandwidth = 1e10\n",
        "local-warmup.toml": tiny.replace("epochs = 1\n", "epochs = 2\n").replace(
            "[algorithm]\n", "[algorithm]\nkind = \"local-warmup\"\nlocal_steps = 8\n"
                             "local_steps_warmup = \"exponential\"\nlocal_steps_warmup_epochs = 1.5\n"),
        "densenet-cifar100.toml": "[run]\nepochs = 3\ncheckpoint_every_steps = 10\n"
                                  "[data]\ndataset = \"cifar100\"\npath = \"/data/cifar-100-binary\"\n"
                                  "augment = false\neval_batch = 250\n"
                                  "[model]\narch = \"densenet\"\ndepth = 40\nwidth = 0.5\ngrowth_rate = 12\n"
                                  "bottleneck = false\ncompression = 1.0\n"
                                  "[optimizer]\nnesterov = false\ndecay_bn = true\ndecay_bias = false\n"
                                  "[schedule]\nwarmup_epochs = 0.5\nwarmup_lr = 0.01\ndecay_at = [0.5]\n"
                                  "decay_factor = 0.2\n",
        "densenet-bc-cifar10.toml": "[data]\ndataset = 'cifar10'\npath = '''/data/cifar-10-batches-bin'''\n"
                                    "[model]\narch = \"densenet\"\ndepth = 100\nbottleneck = true\n"
                                    "compression = 0.5\n"
                                    "[algorithm]\nkind = \"local\"\nworkers = 16\nlocal_batch = 128\n"
                                    "local_steps = 16\n",
    }
    for name, text in seeds.items():
        (d / name).write_text(text)


# ------------------------------------------------------------------ IDX (Fashion-MNIST)
def idx_images(count, seed):
    pixels = bytes((seed * 131 + i * 7) % 256 for i in range(count * 28 * 28))
    return struct.pack(">IIII", 0x00000803, count, 28, 28) + pixels


def idx_labels(count, seed):
    return struct.pack(">II", 0x00000801, count) + bytes((seed + i) % 10 for i in range(count))


def idx_seeds():
    d = reset("idx")
    one = [idx_images(1, 0), idx_labels(1, 0)]
    (d / "one-image-plain").write_bytes(FILE_SEP.join(one))
    (d / "one-image-gzip").write_bytes(FILE_SEP.join(gz(p) for p in one))
    splits = [idx_images(2, 1), idx_labels(2, 1), idx_images(1, 2), idx_labels(1, 2)]
    (d / "two-splits-gzip").write_bytes(FILE_SEP.join(gz(p) for p in splits))
    (d / "two-splits-mixed").write_bytes(FILE_SEP.join(p if i % 2 else gz(p) for i, p in enumerate(splits)))
    # An empty test split (count 0) is valid.
    empty_test = [idx_images(1, 3), idx_labels(1, 3), idx_images(0, 0), idx_labels(0, 0)]
    (d / "empty-test-plain").write_bytes(FILE_SEP.join(empty_test))


# ------------------------------------------------------------------ CIFAR-10/100
def cifar_records(count, label_bytes, seed, classes):
    out = b""
    for r in range(count):
        labels = bytes((seed + r + k) % classes for k in range(label_bytes))
        out += labels + bytes((seed * 17 + r * 5 + i) % 256 for i in range(3 * 32 * 32))
    return out


def cifar_seeds():
    d = reset("cifar")
    # Mode byte (fuzz/fuzz_cifar.cpp): bit 0 cifar100, bit 1 the record parser with
    # 1 + bits 2-3 records per file (else load_dataset, which wants the full-size files).
    # Parts repeat cyclically over the files (CIFAR-10: 5 training batches + test; CIFAR-100: 2).
    (d / "parser-cifar10-one-record").write_bytes(b"\x02" + cifar_records(1, 1, 0, 10))
    (d / "parser-cifar10-one-record-gzip").write_bytes(b"\x02" + gz(cifar_records(1, 1, 1, 10)))
    (d / "parser-cifar10-two-parts").write_bytes(b"\x02" + FILE_SEP.join(
        [cifar_records(1, 1, 2, 10), gz(cifar_records(1, 1, 3, 10))]))
    (d / "parser-cifar100-one-record").write_bytes(b"\x03" + cifar_records(1, 2, 4, 100))
    (d / "parser-cifar100-two-records-gzip").write_bytes(b"\x07" + FILE_SEP.join(
        [gz(cifar_records(2, 2, 5, 100)), gz(cifar_records(2, 2, 6, 100))]))
    (d / "reject-load-cifar10-short").write_bytes(b"\x00" + gz(cifar_records(1, 1, 7, 10)))
    (d / "reject-load-cifar100-short").write_bytes(b"\x01" + FILE_SEP.join(
        [gz(cifar_records(3, 2, 8, 100)), cifar_records(1, 2, 9, 100)]))


if __name__ == "__main__":
    config_seeds()
    idx_seeds()
    cifar_seeds()
    for t in ("config", "idx", "cifar"):
        files = sorted((CORPUS / t).iterdir())
        print(f"{t}: {len(files)} seeds, largest {max(f.stat().st_size for f in files)} bytes")
