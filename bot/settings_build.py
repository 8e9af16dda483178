"""How config.yaml and the environment become settings: any frozen dataclass built from a mapping
of raw values, each value checked against its field's type, with errors that name the setting.
The settings themselves and their defaults are in bot/settings.py."""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from bot.errors import SettingsError

SIGNED = {"signed": True}  # field metadata: this number may be negative (numbers are not, by default)


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"{path}: configuration file not found") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected sections of settings at the top level")
    return data


class EnvText(str):
    """A value from the environment: read as its setting's type (`_from_env`), not as YAML up front."""


def _yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return str(text)


def _from_env(hint: Any, text: EnvText) -> Any:
    """Text and paths as written (`no` stays `no`, `0123` stays `0123`), lists as `[a, b]` or `a, b`
    (each element read as its type), anything else as YAML (`-5`, `0.05`, `true`, `null`)."""
    if hint in (str, Path):
        return str(text)
    if typing.get_origin(hint) is tuple and not text.lstrip().startswith("["):
        return [EnvText(v.strip()) for v in text.split(",") if v.strip()]
    return _yaml(text)


def build(cls: type, raw: Any, prefix: str, base: Path) -> Any:
    if not isinstance(raw, dict):
        raise SettingsError(f"{prefix.rstrip('.')}: expected a section of settings")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in known:
            raise SettingsError(f"{prefix}{key}: unknown setting")
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in raw:
            continue
        name = f"{prefix}{f.name}"
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            values[f.name] = build(typing.cast(type, hint), raw[f.name] or {}, f"{name}.", base)
        else:
            values[f.name] = _coerce(hint, raw[f.name], name, base, signed=f.metadata.get("signed", False))
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{prefix.rstrip('.')}: {exc}") from None


def _coerce(hint: Any, value: Any, name: str, base: Path, signed: bool = False) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if isinstance(value, EnvText) and _yaml(value) is None:  # `null`, `~` or empty
            value = None
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(inner[0], value, name, base, signed)
    if isinstance(value, EnvText):
        value = _from_env(hint, value)
    if origin is tuple:
        if isinstance(value, str):  # `a, b` in the file too
            value = _from_env(hint, EnvText(value))
        if not isinstance(value, list | tuple):
            raise SettingsError(f"{name}: expected a list, got {value!r}")
        return tuple(_coerce(args[0], v, f"{name}[{i}]", base, signed) for i, v in enumerate(value))
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise SettingsError(f"{name}: expected true or false, got {value!r}")
    if hint in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingsError(f"{name}: expected a number, got {value!r}")
        if hint is int and isinstance(value, float) and not value.is_integer():
            raise SettingsError(f"{name}: expected a whole number, got {value!r}")
        if value < 0 and not signed:
            raise SettingsError(f"{name}: must not be negative, got {value!r}")
        return hint(value)
    if hint is Path:
        if not isinstance(value, str) or not value:
            raise SettingsError(f"{name}: expected a path, got {value!r}")
        path = Path(value).expanduser()
        return path if path.is_absolute() else (base / path).resolve()
    if hint is str:
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):  # YAML reads `no` as false
            raise SettingsError(f"{name}: expected text (in quotes), got {value!r}")
        return str(value)
    raise SettingsError(f"{name}: unsupported setting type {hint!r}")
