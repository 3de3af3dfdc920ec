"""A local group's imprint: `make_pdf.py build --imprint group.yaml`.

The file names the group, when it meets and how to reach it. It is validated like the
content, against the schema of its declaration `GroupFile` (written out as
imprint.schema.json): unknown keys, missing or too-long values, an e-mail or web
address in the wrong form are `file:line` errors. It is then printed in the reserved
box of the leaflet's back panel, the poster's foot and the petition's "send to" line,
in every language built, into `output/<campaign>/<locale>/<group slug>/`.

The box has a fixed size (styles/*.css, `.imprint`), so text that does not fit it is
not allowed to spill: `publication.typeset.fit.check_fit` reads the laid-out document
and turns such text into an error at the line of the imprint file it came from.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any

from anyascii import anyascii
from babel import Locale, UnknownLocaleError

from publication.errors import InputError, Problem
from publication.model import Imprint
from publication.source.schema import Help, Keys, Reader, Str, json_schema, schema_problems
from publication.source.yamlsource import YamlDocument, load_yaml, strict_problems

SLUG_MAX = 40


@dataclass(frozen=True)
class Contact:
    """How to reach the group: at least one way, printed in this order."""

    email: Annotated[str, Str(max_length=45, pattern=r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$",
                              form="an e-mail address")] | None
    phone: Annotated[str, Str(max_length=25, pattern=r"^\+?[0-9][0-9 ()./-]{4,}$",
                              form="digits, spaces and + ( ) . / -")] | None
    web: Annotated[str, Str(max_length=50, pattern=r"^https?://[^\s/]+\.[^\s]+$",
                            form="an address starting https:// or http://")] | None


@dataclass(frozen=True)
class GroupFile:
    """An imprint file as written: the declaration its schema comes from."""

    name: Annotated[str, Str(min_length=1, max_length=60)]
    meeting: Annotated[str, Str(min_length=1, max_length=90)] | None
    language: Annotated[str, Str(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
                                 form="a language tag such as de or pt-BR")] | None
    slug: Annotated[str, Str(max_length=SLUG_MAX, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
                             form="lower-case letters and digits, joined by single hyphens")
                    ] | None
    contact: Annotated[Contact, Keys(min=1), Help(
        "give at least one of email:, phone:, web:, each on its own line indented "
        "below contact: (see examples/group.yaml)")]
    # Who answers for the content, printed as its own line: German press law asks for a
    # "V.i.S.d.P." (verantwortlich im Sinne des Presserechts) with name and address.
    responsible: Annotated[str, Str(min_length=1, max_length=90)] | None


CONTACT_ORDER = tuple(f.name for f in fields(Contact))  # the order contact lines are printed in


@functools.cache
def imprint_schema() -> dict[str, Any]:
    """The JSON Schema an imprint file must satisfy, from the GroupFile dataclasses."""
    return json_schema(
        GroupFile, title="A local group's imprint",
        description="The group's details printed in the reserved box of the leaflet's back "
                    "panel, the poster's foot and the petition's 'send to' line. Lengths are "
                    "what fits the smallest box (the leaflet's, on Letter paper).")


def load_imprint(path: Path) -> Imprint:
    """Read and validate an imprint file; raise InputError listing every problem."""
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(path, doc.line_of(()), "an imprint file is a map with "
                                  "name, meeting and contact (see examples/group.yaml)")])
    doc = _plain_contact(doc)
    problems = strict_problems(doc, ("contact",)) or schema_problems(doc, imprint_schema())
    if problems:
        raise InputError(problems)
    given = Reader(doc).read(GroupFile)
    lines: list[tuple[str, str, int]] = [("name", given.name, doc.line_of(("name",)))]
    if given.meeting is not None:
        lines.append(("meeting", given.meeting, doc.line_of(("meeting",))))
    contact = []
    for key in CONTACT_ORDER:
        value = getattr(given.contact, key)
        if value is not None:
            shown = _printed(key, value)
            contact.append(shown)
            lines.append((f"contact.{key}", shown, doc.line_of(("contact", key))))
    if given.responsible is not None:
        lines.append(("responsible", given.responsible, doc.line_of(("responsible",))))
    slug = given.slug or slugify(given.name)
    lang, direction = None, "ltr"
    if given.language is not None:
        try:
            locale = Locale.parse(given.language.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            raise InputError([Problem(path, doc.line_of(("language",)),
                                      f"language: {given.language!r} is not a language "
                                      "code Babel knows (use a form like 'de' or 'pt-BR')",
                                      "language")]
                             ) from None
        lang = given.language
        direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    return Imprint(slug=slug, name=given.name, meeting=given.meeting,
                   contact=tuple(contact), lang=lang, direction=direction, source=path,
                   lines=tuple(lines), responsible=given.responsible)


def _plain_contact(doc: YamlDocument) -> YamlDocument:
    """`contact: x@example.org` read as `contact: {email: x@example.org}`: a contact
    written as one plain value is taken when it is clearly an e-mail address, a phone
    number or a web address (by the schema's own patterns)."""
    value = doc.data.get("contact")
    if not isinstance(value, str):
        return doc
    properties = imprint_schema()["properties"]["contact"]["properties"]
    for key in CONTACT_ORDER:
        if re.fullmatch(properties[key]["pattern"], value.strip()):
            line = doc.line_of(("contact",))
            return YamlDocument(doc.path, {**doc.data, "contact": {key: value.strip()}},
                                {**doc.lines, ("contact", key): line})
    return doc


def _printed(key: str, value: str) -> str:
    """A contact value as printed: a web address without its scheme and final slash."""
    if key == "web":
        return re.sub(r"^https?://", "", value).rstrip("/")
    return value


def slugify(name: str) -> str:
    """An ASCII folder name from a group's name in any script, transliterated:
    'Gruppe Köln-Süd' -> 'gruppe-koln-sud', 'مجموعة رام الله' -> 'mjmw-h-rm-llh',
    'קבוצת תל אביב' -> 'kvvtst-tl-vyv'. A name with nothing to transliterate (only
    punctuation) gets 'group-' and a short hash of itself: always the same folder. An
    empty name gives ''."""
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-")[:SLUG_MAX].rstrip("-")
    if slug or not name.strip():
        return slug
    return "group-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
