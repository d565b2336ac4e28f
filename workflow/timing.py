"""Times of one training run, for the time-to-accuracy and speedup tables.

A run directory holds metrics.jsonl (deterministic: epoch, step, test_accuracy, ...) and
timing.jsonl (measured: time_seconds per step), joined here on `step`. time_seconds is the
trainer's reported time: measured training time when the workers ran in separate processes,
modelled time (one worker's compute, calibrated by comm.compute_step_seconds and
comm.compute_sample_seconds or else the measured share, + the [comm] cost model + injected
delay) when they were simulated; summary.json's time_basis says which.

Time to accuracy is the time of the first evaluation that reaches the target: its resolution is
the run's eval_every_epochs.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path


class TimingError(ValueError):
    """A run's files are missing or malformed; the message names the file and line."""


@dataclass(frozen=True)
class Point:
    epoch: float
    seconds: float
    test_accuracy: float


@dataclass(frozen=True)
class RunTimes:
    path: Path
    basis: str                     # "measured" | "modelled"
    local_from_epoch: float | None  # post-local SGD: where its local phase starts
    points: tuple                  # of Point, one per evaluation, in order

    def time_to(self, accuracy: float) -> float | None:
        """Seconds to the first evaluation at or above `accuracy` (a fraction); None if never."""
        for p in self.points:
            if p.test_accuracy >= accuracy:
                return p.seconds
        return None

    def total(self) -> float:
        """Seconds of the whole training (to its last evaluation, which ends the run)."""
        return self.points[-1].seconds

    def since_epoch(self, epoch: float) -> float:
        """Seconds from the last evaluation at or before `epoch` (the start if none) to the end."""
        before = [p.seconds for p in self.points if p.epoch <= epoch + 1e-9]
        return self.total() - (before[-1] if before else 0.0)

    @property
    def best_accuracy(self) -> float:
        return max(p.test_accuracy for p in self.points)


def json_lines(path: Path) -> list:
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        raise TimingError(f"{path}: {e.strerror or e}") from e
    records = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append((n, json.loads(line)))
        except json.JSONDecodeError as e:
            raise TimingError(f"{path}:{n}: {e.msg}") from e
    return records


def _number(record, key, where) -> float:
    value = record.get(key) if isinstance(record, dict) else None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise TimingError(f"{where}: {key} = {value!r} is not a finite number")
    return float(value)


def load_run_times(run_dir, summary: dict) -> RunTimes:
    """The times of a completed run (summary: its summary.json, already read)."""
    run_dir = Path(run_dir)
    basis = summary.get("time_basis")
    if basis not in ("measured", "modelled"):
        raise TimingError(f"{run_dir / 'summary.json'}: time_basis = {basis!r}: not a run of "
                          "this trainer version (rerun it)")
    seconds = {}
    timing = run_dir / "timing.jsonl"
    for n, r in json_lines(timing):
        seconds[_number(r, "step", f"{timing}:{n}")] = _number(r, "time_seconds", f"{timing}:{n}")
    points = []
    metrics = run_dir / "metrics.jsonl"
    for n, r in json_lines(metrics):
        where = f"{metrics}:{n}"
        step = _number(r, "step", where)
        if step not in seconds:
            raise TimingError(f"{timing}: no record for step {int(step)} ({where})")
        points.append(Point(_number(r, "epoch", where), seconds[step],
                            _number(r, "test_accuracy", where)))
    if not points:
        raise TimingError(f"{metrics}: no evaluations")
    start = summary.get("local_from_epoch")
    return RunTimes(path=run_dir, basis=basis, points=tuple(points),
                    local_from_epoch=None if start is None else float(start))
