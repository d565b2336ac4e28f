"""What every part of the registry shares: RegistryError, the small value checks, reading a
TOML file, writing a value as TOML, and the trainer's description as the registry sees it."""
from __future__ import annotations

import math
import tomllib

import trainer_description  # workflow/trainer_description.py


class RegistryError(ValueError):
    """A declaration or scale file is malformed; the message names the file."""


def req(cond, path, msg):
    if not cond:
        raise RegistryError(f"{path}: {msg}")


def is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def load_toml(path):
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise RegistryError(f"{path}: {e}") from e


def toml_value(value) -> str:
    """A Python value as a TOML value, for the trainer's --set section.key=value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RegistryError(f"non-finite number {value!r} in an override")
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise RegistryError(f"cannot pass {value!r} ({type(value).__name__}) as an override")


def description(desc=None) -> trainer_description.TrainerDescription:
    """`desc`, or the committed trainer description; its problems as a RegistryError."""
    if desc is not None:
        return desc
    try:
        return trainer_description.load()
    except trainer_description.DescriptionError as e:
        raise RegistryError(str(e)) from e
