"""The form a local group fills in: its fields as a group.yaml, validated by the imprint
rules (publication.source.imprint, through `sets.parse_imprint`), and each problem put
back next to the field it came from, as a code the page says in its language.

The fields are written one per line, each value double-quoted with only `\\` and `"`
escaped, so that the file says exactly what was typed (an invisible control character
is refused by the YAML reader, as in a file written by hand) and every problem's line
names its field.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from publication.errors import InputError, Problem
from publication.kinds import KINDS, PAPERS
from publication.model import Imprint
from publication.serve.sets import parse_imprint
from publication.source.imprint import slugify

# (form field, its key in group.yaml); contact's keys are written under `contact:`.
FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "name"), ("meeting", "meeting"), ("language", "language"),
    ("responsible", "responsible"),
    ("email", "contact.email"), ("phone", "contact.phone"), ("web", "contact.web"))
FIELD_NAMES = tuple(name for name, _ in FIELDS)
MAX_FIELD = 2000  # characters read of a field; the imprint's own limits are far lower
# Reordering characters: a name with them can print in another order than it reads
# (and than the screen reader says). Joiners (U+200C, U+200D) are letters' business.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
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
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def clean(raw: Mapping[str, str]) -> dict[str, str]:
    """The text fields as typed, trimmed, line breaks as spaces, at most MAX_FIELD."""
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
    for name in FIELD_NAMES:
        if any(ch in BIDI_CONTROLS for ch in values.get(name, "")):
            errors.append(FieldError(name, "controls"))
    text, where = group_yaml(values)
    imprint = None
    if not any(e.code == "controls" for e in errors):
        try:
            imprint = parse_imprint(text)
        except InputError as exc:
            errors.extend(field_error(p, where) for p in exc.problems)
    if errors or imprint is None:
        return None, errors
    if not any(size in KINDS[kind].sizes or size in KINDS[kind].extra_sizes
               for kind in picked["kinds"] for size in picked["sizes"]):
        return None, [FieldError("sizes", "choice")]
    return Request(picked["campaign"][0], picked["locales"], picked["kinds"], picked["sizes"],
                   text, imprint), []


def offered_kinds() -> dict[str, tuple[str, ...]]:
    """Kinds and the sizes they are made in (the A2 poster only when asked for)."""
    return {"kinds": tuple(KINDS), "sizes": tuple(p for p in PAPERS if p != "a2")}


_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"too long: (?P<length>\d+) characters, at most (?P<max>\d+)"), "too_long"),
    (re.compile(r"is not in the expected form"), "form"),
    (re.compile(r"'(?P<key>\w+)' is a required property"), "required"),
    (re.compile(r"should be non-empty|is too short|does not have enough properties"),
     "required"),
    (re.compile(r"control character"), "controls"),
    (re.compile(r"not a language code"), "language"),
    (re.compile(r"does not fit|runs? .*past|overflow", re.IGNORECASE), "fit"),
)


def field_error(problem: Problem, where: Mapping[int, str]) -> FieldError:
    """The field a problem of the form's group.yaml is about, and what it says."""
    message = problem.message
    for pattern, code in _MESSAGES:
        found = pattern.search(message)
        if found is None:
            continue
        values = {k: v for k, v in found.groupdict().items() if k != "key"}
        name = where.get(problem.line, "name")
        key = found.groupdict().get("key")
        if key == "contact":
            return FieldError("email", "contact", english=message)
        if key in FIELD_NAMES:
            name = key
        if code == "required" and message.startswith("contact"):
            return FieldError("email", "contact", english=message)
        return FieldError(name, code, values, english=message)
    return FieldError(where.get(problem.line, "name"), "other", english=message)


def build_errors(messages: Sequence[str], where: Mapping[int, str]) -> list[FieldError]:
    """Problems a build found with the group's details (`group.yaml:LINE: …`, a box
    the text does not fit), next to their fields."""
    found = []
    for message in messages:
        match = re.match(r"group\.yaml:(\d+): (.*)", message, re.DOTALL)
        if match:
            found.append(field_error(Problem(None, int(match[1]), match[2]), where))  # type: ignore[arg-type]
    return found


def visible(text: str) -> str:
    """`text` with invisible characters shown as U+XXXX (for messages)."""
    return "".join(f"U+{ord(ch):04X}" if unicodedata.category(ch) in ("Cc", "Cf") else ch
                   for ch in text)
