"""The form a local group fills in: its fields as a group.yaml, validated by the imprint
rules (publication.source.imprint, through `sets.parse_imprint`), and each problem put
back next to the field it came from, as a code the page says in its language.

The fields are written one per line, each value double-quoted, with `\\`, `"` and every
character YAML would read as a line break or refuse (controls, U+0085, U+2028, U+2029:
Unicode categories Cc, Zl, Zp) and every format character (Cf) written as an escape, so
that the value read back is exactly what was typed, each field stays on its own line
(every problem's line names its field), and what the imprint rules allow or refuse
(bidi controls, direction marks, joiners) is decided by them alone, as for a group.yaml.
Problems are put back on fields by their machine code (publication.errors.Problem.code),
never by their English words.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from publication.errors import InputError, Problem
from publication.kinds import GROUP_KINDS, KINDS, default_sizes
from publication.model import Imprint
from publication.serve.sets import IMPRINT_LINE, parse_imprint
from publication.source.imprint import imprint_schema, slugify
from publication.typeset.fit import FIT_CODE

# (form field, its key in group.yaml); contact's keys are written under `contact:`.
FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "name"), ("meeting", "meeting"), ("language", "language"),
    ("responsible", "responsible"),
    ("email", "contact.email"), ("phone", "contact.phone"), ("web", "contact.web"))
FIELD_NAMES = tuple(name for name, _ in FIELDS)
MAX_FIELD = 2000  # characters read of a field; the imprint's own limits are far lower
MAX_TARGETS = 12  # publications one set may ask for (locales x kinds x sizes)
_ESCAPED = ("Cc", "Cf", "Zl", "Zp")  # written as \\uXXXX escapes (see the docstring)
DEFAULT_SLUG = "group"  # the folder of a group whose name has no letters a-z (Arabic)


@dataclass(frozen=True)
class FieldError:
    """A problem with one field: `code` names the sentence the page shows (in its
    language), `values` fill it in; `english` is the imprint rules' own words."""

    field: str
    code: str
    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    english: str = ""


@dataclass(frozen=True)
class Request:
    """A validated form: what to make and the group's details."""

    campaign: str
    locales: tuple[str, ...]
    kinds: tuple[str, ...]
    sizes: tuple[str, ...]
    group_yaml: str
    imprint: Imprint


def group_yaml(values: Mapping[str, str]) -> tuple[str, dict[int, str]]:
    """The group.yaml of the form's `values`, and which field each line holds."""
    lines: list[str] = []
    where: dict[int, str] = {}
    contact = False
    for name, key in FIELDS:
        value = values.get(name, "")
        if not value:
            continue
        if key.startswith("contact.") and not contact:
            lines.append("contact:")
            contact = True
        indent = "  " if key.startswith("contact.") else ""
        lines.append(f'{indent}{key.rpartition(".")[2]}: {_quoted(value)}')
        where[len(lines)] = name
    lines.append(f'slug: "{slugify(values.get("name", "")) or DEFAULT_SLUG}"')
    return "\n".join(lines) + "\n", where


def fields_by_line(text: str) -> dict[int, str]:
    """Which form field each line of a `group_yaml` text holds."""
    keys = {key.rpartition(".")[2]: name for name, key in FIELDS}
    found = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"\s*(\w+):", line)
        if match and match[1] in keys:
            found[number] = keys[match[1]]
    return found


def _quoted(value: str) -> str:
    """`value` as a YAML double-quoted scalar on one line that reads back as `value`."""
    def escape(char: str) -> str:
        if char in '\\"':
            return "\\" + char
        if unicodedata.category(char) in _ESCAPED:
            code = ord(char)
            return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
        return char
    return '"' + "".join(escape(c) for c in value) + '"'


def clean(raw: Mapping[str, str]) -> dict[str, str]:
    """The text fields as typed, trimmed, at most MAX_FIELD characters. A line break
    typed into a field (a browser sends CR LF) is a space; any other invisible character
    is left for the imprint rules to judge."""
    return {name: re.sub(r"[\r\n]+", " ", str(raw.get(name, ""))[:MAX_FIELD]).strip()
            for name in FIELD_NAMES}


def validate(values: Mapping[str, str], choices: Mapping[str, Sequence[str]],
             offered: Mapping[str, Sequence[str]]) -> tuple[Request | None, list[FieldError]]:
    """A Request, or every problem of the form: the choices (`offered` says which values
    each may take), then the group's details by the imprint rules."""
    errors = []
    picked: dict[str, tuple[str, ...]] = {}
    for name, allowed in offered.items():
        given = tuple(dict.fromkeys(choices.get(name, ())))
        if not given or any(v not in allowed for v in given) or (
                name == "campaign" and len(given) != 1):
            errors.append(FieldError(name, "choice"))
        picked[name] = tuple(v for v in given if v in allowed)
    text, where = group_yaml(values)
    imprint = None
    try:
        imprint = parse_imprint(text)
    except InputError as exc:
        errors.extend(field_error(p, where, values) for p in exc.problems)
    if errors or imprint is None:
        return None, errors
    count = target_count(picked["locales"], picked["kinds"], picked["sizes"])
    if not count:
        return None, [FieldError("sizes", "choice")]
    if count > MAX_TARGETS:
        return None, [FieldError("sizes", "too_many", {"count": count, "max": MAX_TARGETS})]
    return Request(picked["campaign"][0], picked["locales"], picked["kinds"], picked["sizes"],
                   text, imprint), []


def target_count(locales: Sequence[str], kinds: Sequence[str], sizes: Sequence[str]) -> int:
    """How many publications a set of these locales, kinds and sizes holds."""
    return len(locales) * sum(KINDS[k].makes(s) for k in kinds if k in KINDS for s in sizes)


def offered_kinds() -> dict[str, tuple[str, ...]]:
    """Kinds that carry a group's details and the sizes they are made in by default (the
    A2 poster is not offered; nor is the letter, its sender's own)."""
    return {"kinds": GROUP_KINDS, "sizes": default_sizes()}


def default_choices() -> dict[str, tuple[str, ...]]:
    """The kinds and sizes ticked on a new form: the kinds with a preview, each in its
    first size."""
    shown = [kind for kind in KINDS.values() if kind.preview_foot is not None]
    return {"kinds": tuple(k.name for k in shown),
            "sizes": tuple(dict.fromkeys(k.sizes[0] for k in shown))}


def field_error(problem: Problem, where: Mapping[int, str],
                values: Mapping[str, str] | None = None) -> FieldError:
    """The field a problem of the form's group.yaml is about (by its line, or the key a
    "required:<key>" problem names), and its code; `values`: the form's, for the length
    of a value that is too long."""
    name = where.get(problem.line, "name")
    code, _, key = problem.code.partition(":")
    if code == "required" and key:
        missing = next((n for n, k in FIELDS if k == key), None)
        if missing is None:  # a map: `contact`
            return FieldError("email", "contact", english=problem.message)
        name = missing
    if code == "too_long":
        limit = _max_length(dict(FIELDS)[name])
        length = len((values or {}).get(name, ""))
        if limit is not None and length:
            return FieldError(name, code, {"length": length, "max": limit},
                              english=problem.message)
        code = "other"
    known = {"too_long", "form", "required", "controls", "language", FIT_CODE}
    return FieldError(name, code if code in known else "other", english=problem.message)


def _max_length(key: str) -> int | None:
    """The imprint schema's limit for the value at `key` ("contact.email")."""
    schema: Any = imprint_schema()
    for part in key.split("."):
        schema = schema.get("properties", {}).get(part, {})
    limit = schema.get("maxLength")
    return int(limit) if limit is not None else None


def build_errors(messages: Sequence[str], where: Mapping[int, str]) -> list[FieldError]:
    """Problems a build found with the group's details, next to their fields. A build
    reports only one kind of problem at the imprint's lines, text that does not fit its
    box (publication.typeset.fit, code FIT_CODE); its message names the line."""
    found = []
    for message in messages:
        match = IMPRINT_LINE.match(message)
        if match:
            found.append(FieldError(where.get(int(match[1]), "name"), FIT_CODE,
                                    english=match[2]))
    return found


def visible(text: str) -> str:
    """`text` with invisible characters shown as U+XXXX (for messages)."""
    return "".join(f"U+{ord(ch):04X}" if unicodedata.category(ch) in ("Cc", "Cf") else ch
                   for ch in text)
