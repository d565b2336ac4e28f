"""What the trainer can do, as it describes itself: workflow/trainer_description.json.

The file is the JSON that `build/localsgd-train --describe` prints (format 1), committed so that
the workflow needs no build to plan. It lists the algorithm kinds and the algorithm.* keys each
one alone uses, the model architectures, the datasets and their image shapes, the trainer's
features, and every config key with its type, default and allowed values. The registry
(workflow/experiment_registry/) decides from it which kinds and datasets a run can use, which
keys a kind takes, and which override keys exist; nothing in the workflow lists them again.

    desc = trainer_description.load()        # the committed file, read once
    desc.takes("postlocal", "algorithm.switch_epoch")   # True
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

PATH = Path(__file__).resolve().with_name("trainer_description.json")
FORMAT = 1
TYPES = ("integer", "float", "boolean", "string", "array")
SECTIONS = ("format", "algorithms", "models", "datasets", "features", "keys")
SHAPE = ("channels", "height", "width", "classes")


class DescriptionError(ValueError):
    """The description file is missing or malformed; the message names the file."""


@dataclass(frozen=True)
class Key:
    """One config key of the trainer ("section.key")."""
    name: str
    type: str              # integer | float | boolean | string | array
    default: object        # None for an optional key (omitted when absent)
    choices: tuple = ()    # the allowed values of a key with a fixed set of them
    optional: bool = False


@dataclass(frozen=True)
class Kind:
    """An algorithm kind or a model architecture and the keys that only it uses."""
    summary: str
    keys: tuple


@dataclass(frozen=True)
class TrainerDescription:
    path: Path
    algorithms: dict       # kind -> Kind, in the trainer's order
    models: dict           # model.arch -> Kind
    datasets: dict         # data.dataset -> {"channels", "height", "width", "classes"}
    features: tuple
    keys: dict             # "section.key" -> Key, in the trainer's order

    def takes(self, kind: str, key: str) -> bool:
        """Whether algorithm `kind` uses the key `key` (an algorithm.* key of its own)."""
        return key in self.algorithms[kind].keys

    def capabilities(self) -> frozenset:
        """The algorithm kinds, datasets and features: what a declaration may need of it."""
        return frozenset(self.algorithms) | frozenset(self.datasets) | frozenset(self.features)


def _req(cond, path, msg):
    if not cond:
        raise DescriptionError(f"{path}: {msg}")


def _kinds(raw, path, section, keys) -> dict:
    _req(isinstance(raw, dict) and raw, path, f"{section}: a non-empty object")
    out = {}
    for name, entry in raw.items():
        where = f"{section}.{name}"
        _req(isinstance(entry, dict) and set(entry) == {"summary", "keys"}, path,
             f"{where}: an object with summary and keys")
        _req(isinstance(entry["summary"], str), path, f"{where}.summary: a string")
        ks = entry["keys"]
        _req(isinstance(ks, list) and all(isinstance(k, str) for k in ks), path,
             f"{where}.keys: a list of key names")
        unknown = [k for k in ks if k not in keys]
        _req(not unknown, path, f"{where}.keys: {unknown} not in keys")
        out[name] = Kind(entry["summary"], tuple(ks))
    return out


def _keys(raw, path) -> dict:
    _req(isinstance(raw, dict) and raw, path, "keys: a non-empty object")
    out = {}
    for name, entry in raw.items():
        where = f"keys.{name}"
        _req(isinstance(entry, dict), path, f"{where}: an object")
        unknown = sorted(set(entry) - {"type", "default", "choices", "optional"})
        _req(not unknown, path, f"{where}: unknown fields {unknown}")
        _req(entry.get("type") in TYPES, path, f"{where}.type: one of {', '.join(TYPES)}")
        optional = entry.get("optional", False)
        _req(isinstance(optional, bool), path, f"{where}.optional: true or false")
        _req("default" in entry and (not optional or entry["default"] is None), path,
             f"{where}: needs a default (null for an optional key)")
        choices = entry.get("choices", [])
        _req(isinstance(choices, list), path, f"{where}.choices: a list")
        out[name] = Key(name, entry["type"], entry["default"], tuple(choices), optional)
    return out


def parse(text: str, path) -> TrainerDescription:
    """The description in `text` (the contents of `path`), checked."""
    try:
        d = json.loads(text)
    except json.JSONDecodeError as e:
        raise DescriptionError(f"{path}: not JSON: {e}") from e
    _req(isinstance(d, dict), path, "not a JSON object")
    missing = [s for s in SECTIONS if s not in d]
    _req(not missing, path, f"missing {', '.join(missing)}")
    _req(d["format"] == FORMAT, path, f"format {d['format']!r}, expected {FORMAT}")
    keys = _keys(d["keys"], path)
    algorithms = _kinds(d["algorithms"], path, "algorithms", keys)
    models = _kinds(d["models"], path, "models", keys)
    datasets = d["datasets"]
    _req(isinstance(datasets, dict) and datasets and all(
        isinstance(s, dict) and set(s) == set(SHAPE) for s in datasets.values()), path,
        f"datasets: an object of {{{', '.join(SHAPE)}}} per dataset")
    features = d["features"]
    _req(isinstance(features, list) and all(isinstance(f, str) for f in features), path,
         "features: a list of names")
    for key, names in (("algorithm.kind", algorithms), ("model.arch", models),
                       ("data.dataset", datasets)):
        _req(key in keys and keys[key].choices == tuple(names), path,
             f"keys.{key}.choices must be {list(names)}, the names it describes")
    return TrainerDescription(path=Path(path), algorithms=algorithms, models=models,
                              datasets=dict(datasets), features=tuple(features), keys=keys)


def load(path=None) -> TrainerDescription:
    """The description in `path` (default: the committed workflow/trainer_description.json,
    read once)."""
    return _load(Path(path).resolve() if path is not None else PATH)


@functools.lru_cache(maxsize=None)
def _load(path: Path) -> TrainerDescription:
    try:
        text = path.read_text()
    except OSError as e:
        raise DescriptionError(f"{path}: cannot read the trainer's description ({e.strerror}); "
                               "it is the output of `localsgd-train --describe`") from e
    return parse(text, path)
