"""A local group's imprint: `make_pdf.py build --imprint group.yaml`.

The file names the group, when it meets and how to reach it. It is validated like the
content (imprint.schema.json: unknown keys, missing or too-long values, an e-mail or
web address in the wrong form are `file:line` errors), then printed in the reserved
box of the leaflet's back panel, the poster's foot and the petition's "send to" line,
in every language built, into `output/<campaign>/<locale>/<group slug>/`.

The box has a fixed size (styles/*.css, `.imprint`), so text that does not fit it is
not allowed to spill: `publication.typeset.fit.check_fit` reads the laid-out document
and turns such text into an error at the line of the imprint file it came from.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from publication.errors import InputError, Problem
from publication.model import Imprint
from publication.source.content import schema_problems
from publication.source.yamlsource import load_yaml

CONTACT_ORDER = ("email", "phone", "web")  # the order the contact lines are printed in
SLUG_MAX = 40


@functools.cache
def imprint_schema() -> dict[str, Any]:
    """The JSON Schema an imprint file must satisfy."""
    text = (Path(__file__).parent / "imprint.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_imprint(path: Path) -> Imprint:
    """Read and validate an imprint file; raise InputError listing every problem."""
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(path, doc.line_of(()), "an imprint file is a map with "
                                  "name, meeting and contact (see examples/group.yaml)")])
    problems = schema_problems(doc, imprint_schema())
    if problems:
        raise InputError(problems)
    data = doc.data
    lines: list[tuple[str, str, int]] = [("name", data["name"], doc.line_of(("name",)))]
    if "meeting" in data:
        lines.append(("meeting", data["meeting"], doc.line_of(("meeting",))))
    contact = []
    for key in CONTACT_ORDER:
        if key in data["contact"]:
            shown = _printed(key, data["contact"][key])
            contact.append(shown)
            lines.append((f"contact.{key}", shown, doc.line_of(("contact", key))))
    slug = data.get("slug") or slugify(data["name"])
    if not slug:
        raise InputError([Problem(path, doc.line_of(("name",)),
                                  "name: no letters or digits a folder name can use; "
                                  "add 'slug: <ascii-name>' for the output folder")])
    lang, direction = None, "ltr"
    if "language" in data:
        try:
            locale = Locale.parse(data["language"].replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            raise InputError([Problem(path, doc.line_of(("language",)),
                                      f"language: {data['language']!r} is not a language "
                                      "code Babel knows (use a form like 'de' or 'pt-BR')")]
                             ) from None
        lang = data["language"]
        direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    return Imprint(slug=slug, name=data["name"], meeting=data.get("meeting"),
                   contact=tuple(contact), lang=lang, direction=direction, source=path,
                   lines=tuple(lines))


def _printed(key: str, value: str) -> str:
    """A contact value as printed: a web address without its scheme and final slash."""
    if key == "web":
        return re.sub(r"^https?://", "", value).rstrip("/")
    return value


def slugify(name: str) -> str:
    """An ASCII folder name from a group's name: 'Gruppe Köln-Süd' -> 'gruppe-koln-sud'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")
