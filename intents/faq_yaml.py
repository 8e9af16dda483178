"""Reading a YAML file of the FAQ with the line of every mapping and list item (for problems)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from intents.faq_model import Problem

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser: FAQ start-up in milliseconds


class _LineLoader(_Base):
    """A safe loader that remembers the line of every mapping and of every list item."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    for key_node, value_node in node.value:
        if isinstance(value_node, yaml.SequenceNode):
            mapping[f"__lines__{key_node.value}"] = [n.start_mark.line + 1 for n in value_node.value]
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> tuple[Any, list[Problem]]:
    """A file's data with line marks, or the problem that stops it loading."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), 1, f"cannot read: {exc}")]
    try:
        return yaml.load(text, Loader=_LineLoader), []
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        return None, [Problem(str(path), line, f"not valid YAML: {exc.problem}")]
    except yaml.YAMLError as exc:
        return None, [Problem(str(path), 1, f"not valid YAML: {exc}")]


def strip_marks(value: Any) -> Any:
    """The data without the loader's `__line__` marks."""
    if isinstance(value, dict):
        return {k: strip_marks(v) for k, v in value.items() if not str(k).startswith("__line")}
    if isinstance(value, list):
        return [strip_marks(v) for v in value]
    return value
