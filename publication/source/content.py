"""Stage 1: load a campaign's content, validate it against the schema, return plain data.

Staff edit `content/<campaign>/campaign.yaml` by hand. Every mistake is collected and
reported as `file:line: what is wrong`. Each translatable unit becomes a `Text` whose
`context` names where it sits (`demands.israel.items.2`); that context is its
catalogue context too.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

import jsonschema

from publication.errors import InputError, Problem
from publication.source.markup import MarkupProblem, parse_inline
from publication.source.yamlsource import JsonPath, YamlDocument, load_yaml

CONTENT_FILE = "campaign.yaml"

# Translator comments for the places where a note helps (space, tone, what it is).
NOTES: dict[str, str] = {
    "title": "Campaign title: window title of every PDF and the leaflet cover.",
    "headline": "Poster headline and leaflet cover, set very large: keep it short "
                "(about 40 characters).",
    "subtitle": "Line under the headline on the poster and leaflet cover.",
    "quote.author": "A person's name: transliterate if your script needs it.",
    "petition.title": "Heading of the petition sheet: keep it short.",
    "letter.salutation": "Opening of a formal letter to a minister.",
    "letter.closing": "Formal closing of a letter, before the signature.",
}


@dataclass(frozen=True)
class Text:
    """One translatable unit of content: a catalogue message with its context."""

    context: str
    source: str
    line: int
    plural: str | None = None
    count: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Quote:
    text: Text
    author: Text
    role: Text | None


@dataclass(frozen=True)
class Demand:
    party: str
    heading: Text
    intro: Text | None
    items: tuple[Text, ...]


@dataclass(frozen=True)
class Section:
    heading: Text
    paragraphs: tuple[Text, ...]


@dataclass(frozen=True)
class Actions:
    heading: Text
    petition: Text
    letter: Text


@dataclass(frozen=True)
class Petition:
    title: Text
    demand: Text
    rows: int
    privacy: Text
    return_to: tuple[str, ...]  # a postal address: never translated


@dataclass(frozen=True)
class Letter:
    recipient: tuple[str, ...]  # a postal address: never translated
    salutation: Text
    body: tuple[Text, ...]
    closing: Text


@dataclass(frozen=True)
class NewsItem:
    date: dt.date
    type: str
    title: Text


@dataclass(frozen=True)
class Image:
    path: Path
    alt: Text
    place: str


@dataclass(frozen=True)
class Campaign:
    """A campaign's content, validated; every text still in the source language."""

    slug: str
    path: Path
    date: dt.date
    petition_urls: dict[str, str]
    title: Text
    headline: Text
    subtitle: Text | None
    quote: Quote
    background: tuple[Text, ...]
    facts: tuple[Text, ...]
    urging: Text
    demands: tuple[Demand, ...]
    governments: Section
    law: Section
    actions: Actions
    petition: Petition
    letter: Letter
    news_heading: Text
    news: tuple[NewsItem, ...]
    images: tuple[Image, ...]

    def petition_url(self, locale: str) -> str:
        """The petition address for `locale`, or the default one."""
        return self.petition_urls.get(locale, self.petition_urls["default"])


@functools.cache
def campaign_schema() -> dict[str, Any]:
    """The JSON Schema that campaign.yaml must satisfy."""
    text = (Path(__file__).parent / "campaign.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def find_campaigns(content_root: Path) -> list[str]:
    """The campaign folders under `content_root` (those with a campaign.yaml), sorted."""
    return sorted(p.parent.name for p in content_root.glob(f"*/{CONTENT_FILE}"))


def load_campaign(folder: Path) -> Campaign:
    """Load and validate `folder/campaign.yaml`; raise InputError listing every problem."""
    path = folder / CONTENT_FILE
    doc = load_yaml(path)
    problems = schema_problems(doc, campaign_schema())
    if problems:
        raise InputError(problems)
    builder = _Builder(doc)
    campaign = builder.campaign(folder)
    problems = builder.problems + _markup_problems(campaign, path)
    if problems:
        raise InputError(problems)
    return campaign


def schema_problems(doc: YamlDocument, schema: dict[str, Any]) -> list[Problem]:
    """Every way `doc` breaks `schema`, as file:line problems (unknown keys one by one)."""
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.FormatChecker())
    problems = []
    for error in validator.iter_errors(doc.data):
        where: JsonPath = tuple(error.absolute_path)
        name = ".".join(str(p) for p in where) or "top level"
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - known):
                problems.append(Problem(doc.path, doc.line_of((*where, key)),
                                        f"{name}: unknown key '{key}' (known: "
                                        f"{', '.join(sorted(known))})"))
            continue
        problems.append(Problem(doc.path, doc.line_of(where), f"{name}: {_explain(error)}"))
    return sorted(problems, key=lambda p: p.line)


def _explain(error: jsonschema.ValidationError) -> str:
    if error.validator == "pattern" and isinstance(error.instance, str):
        return f"{error.instance!r} is not in the expected form"
    if error.validator == "maxLength" and isinstance(error.instance, str):
        return (f"too long: {len(error.instance)} characters, at most "
                f"{error.validator_value} fit")
    return error.message


def iter_texts(value: object) -> Iterator[Text]:
    """Every Text in a content object, in document order."""
    if isinstance(value, Text):
        yield value
    elif is_dataclass(value) and not isinstance(value, type):
        for field in fields(value):
            yield from iter_texts(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from iter_texts(item)


def _markup_problems(campaign: Campaign, path: Path) -> list[Problem]:
    problems = []
    for text in iter_texts(campaign):
        for source in filter(None, (text.source, text.plural)):
            try:
                parse_inline(source)
            except MarkupProblem as exc:
                problems.append(Problem(path, text.line, f"{text.context}: {exc}"))
    return problems


class _Builder:
    """Turns validated YAML data into the Campaign dataclasses, with contexts and lines."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def text(self, *where: str | int, context: str | None = None) -> Text:
        value: Any = self.doc.data
        for key in where:
            value = value[key]
        ctx = context or ".".join(str(w + 1) if isinstance(w, int) else w for w in where)
        source = " ".join(str(value).split())  # folded YAML: one space between words
        return Text(ctx, source, self.doc.line_of(where), note=NOTES.get(ctx, ""))

    def optional(self, *where: str | int) -> Text | None:
        parent: Any = self.doc.data
        for key in where[:-1]:
            parent = parent[key]
        return self.text(*where) if where[-1] in parent else None

    def texts(self, *where: str | int, context: str | None = None) -> tuple[Text, ...]:
        value: Any = self.doc.data
        for key in where:
            value = value[key]
        prefix = context or ".".join(str(w) for w in where)
        return tuple(self.text(*where, i, context=f"{prefix}.{i + 1}") for i in range(len(value)))

    def campaign(self, folder: Path) -> Campaign:
        data = self.doc.data
        return Campaign(
            slug=folder.name,
            path=folder,
            date=dt.date.fromisoformat(data["date"]),
            petition_urls=dict(data["petition_url"]),
            title=self.text("title"),
            headline=self.text("headline"),
            subtitle=self.optional("subtitle"),
            quote=Quote(self.text("quote", "text"), self.text("quote", "author"),
                        self.optional("quote", "role")),
            background=self.texts("background"),
            facts=tuple(self.fact(i) for i in range(len(data["facts"]))),
            urging=self.text("urging"),
            demands=tuple(self.demand(i) for i in range(len(data["demands"]))),
            governments=Section(self.text("governments", "heading"),
                                (self.text("governments", "text"),)),
            law=Section(self.text("law", "heading"), self.texts("law", "paragraphs")),
            actions=Actions(self.text("actions", "heading"), self.text("actions", "petition"),
                            self.text("actions", "letter")),
            petition=Petition(
                self.text("petition", "title"), self.text("petition", "demand"),
                int(data["petition"]["rows"]), self.text("petition", "privacy"),
                tuple(data["petition"]["return_to"])),
            letter=Letter(tuple(data["letter"]["recipient"]), self.text("letter", "salutation"),
                          self.texts("letter", "body"), self.text("letter", "closing")),
            news_heading=self.text("news", "heading"),
            news=tuple(
                NewsItem(dt.date.fromisoformat(item["date"]), item["type"],
                         self.text("news", "items", i, "title",
                                   context=f"news.{i + 1}.title"))
                for i, item in enumerate(data["news"]["items"])),
            images=tuple(self.image(folder, i) for i in range(len(data.get("images", [])))),
        )

    def fact(self, index: int) -> Text:
        item = self.doc.data["facts"][index]
        one = self.text("facts", index, "one", context=f"facts.{index + 1}")
        return Text(one.context, one.source, one.line,
                    plural=" ".join(item["other"].split()), count=int(item["count"]),
                    note="A number and what it counts; %(count)s is replaced by the number.")

    def demand(self, index: int) -> Demand:
        party = self.doc.data["demands"][index]["party"]
        prefix = f"demands.{party}"
        return Demand(
            party,
            self.text("demands", index, "heading", context=f"{prefix}.heading"),
            (self.text("demands", index, "intro", context=f"{prefix}.intro")
             if "intro" in self.doc.data["demands"][index] else None),
            self.texts("demands", index, "items", context=f"{prefix}.items"),
        )

    def image(self, folder: Path, index: int) -> Image:
        item = self.doc.data["images"][index]
        path = (folder / item["src"]).resolve()
        if not path.is_relative_to(folder.resolve()) or not path.is_file():
            self.problems.append(Problem(self.doc.path, self.doc.line_of(("images", index, "src")),
                                         f"image {item['src']!r} is not a file in {folder.name}/"))
        return Image(path, self.text("images", index, "alt", context=f"images.{index + 1}.alt"),
                     item["place"])
