"""Load hand-edited YAML safely, keeping the line of every value for error messages.

Only plain YAML (maps, lists, strings, numbers, booleans, dates) is accepted: custom
tags are refused and a key given twice in one map is an error, not a silent override.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from publication.errors import InputError, Problem

JsonPath = tuple[str | int, ...]

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True)
class YamlDocument:
    """Parsed data plus where each value sits: `lines[path]` is the 1-based line."""

    path: Path
    data: Any
    lines: dict[JsonPath, int]

    def line_of(self, where: JsonPath) -> int:
        """The line of the value at `where`, or of its nearest parent that has one."""
        while where not in self.lines and where:
            where = where[:-1]
        return self.lines.get(where, 1)


def load_yaml(path: Path) -> YamlDocument:
    """Read `path` as YAML; any syntax error, custom tag or duplicate key is an InputError."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(path, 0, f"not UTF-8 text ({exc.reason})")]) from exc
    except OSError as exc:
        raise InputError([Problem(path, 0, f"cannot read: {exc.strerror}")]) from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise InputError([Problem(path, line, f"YAML syntax: {exc.problem}")]) from exc
    lines: dict[JsonPath, int] = {}
    problems: list[Problem] = []
    scalars = yaml.constructor.SafeConstructor()  # one per document, for its scalar values
    data = _convert(node, (), path, lines, problems, scalars) if node is not None else None
    if problems:
        raise InputError(problems)
    return YamlDocument(path, data, lines)


def _convert(
    node: yaml.Node, where: JsonPath, path: Path, lines: dict[JsonPath, int],
    problems: list[Problem], scalars: yaml.constructor.SafeConstructor,
) -> Any:
    lines[where] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                problems.append(Problem(path, key_line, "keys must be plain text"))
                continue
            key = str(key_node.value)
            if key in result:
                problems.append(Problem(path, key_node.start_mark.line + 1,
                                        f"key '{key}' is given twice in this map"))
                continue
            result[key] = _convert(value_node, (*where, key), path, lines, problems, scalars)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*where, i), path, lines, problems, scalars)
                for i, item in enumerate(node.value)]
    if node.tag not in _SCALAR_TAGS:
        problems.append(Problem(path, node.start_mark.line + 1, f"unsupported YAML tag {node.tag}"))
        return None
    value = scalars.construct_object(node, deep=True)
    # Dates stay ISO strings so that the schema sees one type for them.
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
