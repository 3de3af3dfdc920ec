"""Stage 1: load a campaign's content, validate it against the schema, return plain data.

Staff edit `content/<campaign>/campaign.yaml` by hand. Every mistake is collected and
reported as `file:line: what is wrong`. Each translatable unit becomes a `Text` whose
catalogue context names its campaign and where it sits
(`israel-opt/demands.israel.items.end-the-occupation`: `model.campaign_context`).

The dataclasses below are the file's one description: what each key holds, its limits
and the translators' notes are written on their fields (publication.source.schema), and
both the JSON Schema (`campaign_schema`, written out as campaign.schema.json) and the
reading of a valid file into a `Campaign` come from them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Annotated, Any

from publication.errors import InputError, Problem, shown
from publication.model import CONTENT_FILE, context_place
from publication.model import find_campaigns as find_campaigns  # where it was
from publication.source.images import image_problems
from publication.source.markup import MarkupProblem, parse_inline
from publication.source.placeholders import format_problem, specs
from publication.source.schema import (
    DERIVED,
    ID,
    At,
    Context,
    ItemKey,
    Items,
    Keys,
    Note,
    Plural,
    Range,
    Reader,
    Str,
    Text,
    json_schema,
    schema_problems,
)
from publication.source.yamlsource import load_yaml, strict_problems

# What the file's values are (the schema's building blocks).
SHORT = Str(min_length=1, max_length=120)
LONG = Str(min_length=1, max_length=600)
ShortText = Annotated[Text, SHORT]
LongText = Annotated[Text, LONG]
# Every list of translatable items names each by its `id` (publication.source.schema.ID),
# so that a message's context stays the same when items are added, removed or moved.
Paragraphs = Annotated[tuple[LongText, ...], Items(min=1), ItemKey("id")]
Id = Annotated[str, ID]
Address = Annotated[tuple[Annotated[str, SHORT], ...], Items(min=1, max=6)]  # never translated
Date = Annotated[dt.date, Str(format="date", pattern=r"^\d{4}-\d{2}-\d{2}$",
                              form="a date written YYYY-MM-DD")]
Url = Annotated[str, Str(pattern=r"^https://[^\s]+$", form="an address starting https://")]
LOCALE_KEY = Keys(pattern=r"^(default|[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2})?)$",
                  form="'default' or a locale code such as fr, pt_BR or sr_Latn",
                  required=("default",))
COUNTED = Plural(SHORT.also(pattern=r"%\(count\)[sd]",
                            form="with %(count)s where the number goes"))

# Translator comments (`Note`) where a note helps: space, tone, what it is.
FACT_NOTE = "A number and what it counts; %(count)s is replaced by the number."

# The kinds whose template lists news items (render/templates/leaflet.html): a news item
# is shown on those its `show_on` names, and only a shown one is given to translators.
NEWS_KINDS = ("leaflet",)


@dataclass(frozen=True)
class Quote:
    text: LongText
    author: Annotated[ShortText, Note("A person's name: transliterate if your script needs it.")]
    role: LongText | None


@dataclass(frozen=True)
class Demand:
    party: Annotated[str, Str(pattern=r"^[a-z][a-z0-9_]*$",
                              form="lower-case letters, digits and _, first a letter")]
    heading: ShortText
    intro: LongText | None
    items: Paragraphs


@dataclass(frozen=True)
class Section:
    heading: ShortText
    paragraphs: Paragraphs


@dataclass(frozen=True)
class Statement:
    """A heading and one paragraph: a Section of one, written `heading` and `text`."""

    heading: ShortText
    text: LongText

    @property
    def paragraphs(self) -> tuple[Text, ...]:
        return (self.text,)


@dataclass(frozen=True)
class Actions:
    heading: ShortText
    petition: LongText
    letter: LongText


@dataclass(frozen=True)
class Petition:
    title: Annotated[ShortText, Note("Heading of the petition sheet: keep it short.")]
    demand: LongText
    rows: Annotated[int, Range(minimum=1, maximum=60)]
    privacy: Annotated[LongText, Note("Data-protection notice on every petition page.")]
    return_to: Address
    # Who decides what happens to the signers' details (printed with the notice).
    data_controller: Address | None


@dataclass(frozen=True)
class Letter:
    recipient: Address
    salutation: Annotated[ShortText, Note("Opening of a formal letter to a minister.")]
    body: Paragraphs
    closing: Annotated[ShortText, Note("Formal closing of a letter, before the signature.")]


@dataclass(frozen=True)
class NewsItem:
    id: Id
    date: Date
    type: Annotated[str, Str(enum=("news", "blog", "report", "qa"))]
    title: LongText
    # The kinds it is printed on; none: kept in the file, not printed nor translated.
    show_on: Annotated[tuple[Annotated[str, Str(enum=NEWS_KINDS)], ...], Items(max=len(NEWS_KINDS))]


@dataclass(frozen=True)
class Image:
    id: Id
    path: Annotated[Path, At("src"), Str(pattern=r"^[A-Za-z0-9_./-]+\.(png|jpg|jpeg|svg)$",
                                         form="a file name ending .png, .jpg, .jpeg or .svg")]
    alt: LongText
    # Where it goes (each kind's `images` in publication.kinds): the campaign mark (leaflet cover,
    # poster head, petition head), the leaflet cover's picture, the facts graphic, the back.
    place: Annotated[str, Str(enum=("mark", "cover", "facts", "back"))]
    credit: Annotated[ShortText, Note("Photo or illustration credit, printed small beside "
                                      "the image.")] | None = None


@dataclass(frozen=True)
class Colour:
    """A campaign colour, given once for both outputs: sRGB for screen and the accessible
    files, CMYK (per cent of each ink) for the print-shop files."""

    srgb: Annotated[str, Str(pattern=r"^#[0-9a-fA-F]{6}$", form="#rrggbb")]
    cmyk: Annotated[tuple[Annotated[int, Range(minimum=0, maximum=100)], ...],
                    Items(min=4, max=4)]


@dataclass(frozen=True)
class Colours:
    accent: Colour


@dataclass(frozen=True)
class Campaign:
    """A campaign's content, validated; every text still in the source language.

    The declaration of campaign.yaml too: each field is the key of its name unless
    marked otherwise (publication.source.schema), and the schema comes from it.
    """

    slug: Annotated[str, DERIVED]           # the folder's name
    path: Annotated[Path, DERIVED]          # the folder
    date: Date
    petition_urls: Annotated[dict[str, Url], At("petition_url"), LOCALE_KEY]
    title: Annotated[ShortText, Note("Campaign title: window title of every PDF and the "
                                     "leaflet cover.")]
    headline: Annotated[ShortText, Note("Poster headline and leaflet cover, set very large: "
                                        "keep it short (about 40 characters).")]
    subtitle: Annotated[ShortText,
                        Note("Line under the headline on the poster and leaflet cover.")] | None
    quote: Quote
    background: Paragraphs
    facts: Annotated[tuple[Annotated[Text, COUNTED, Note(FACT_NOTE)], ...], Items(min=1, max=8),
                     ItemKey("id")]
    urging: LongText
    demands: Annotated[tuple[Demand, ...], Items(min=1), ItemKey("party")]
    governments: Statement
    law: Section
    actions: Actions
    petition: Petition
    letter: Letter
    news_heading: Annotated[ShortText, At("news", "heading")]
    news: Annotated[tuple[NewsItem, ...], At("news", "items"), Context("news"), ItemKey("id")]
    images: Annotated[tuple[Image, ...], ItemKey("id")] = ()
    colours: Colours | None = None
    # Personal names as written in the texts: never broken across lines.
    names: tuple[Annotated[str, SHORT], ...] = ()

    def petition_url(self, locale: str) -> str:
        """The petition address for `locale`, or the default one."""
        return self.petition_urls.get(locale, self.petition_urls["default"])

    def news_on(self, kind: str) -> tuple[NewsItem, ...]:
        """The news items printed on `kind`, in the file's order."""
        return tuple(item for item in self.news if kind in item.show_on)


@functools.cache
def campaign_schema() -> dict[str, Any]:
    """The JSON Schema that campaign.yaml must satisfy, from the Campaign dataclasses."""
    return json_schema(Campaign, title="Campaign content")


def load_campaign(folder: Path) -> Campaign:
    """Load and validate `folder/campaign.yaml`; raise InputError listing every problem."""
    path = folder / CONTENT_FILE
    doc = load_yaml(path)
    problems = strict_problems(doc, ("petition_url",)) or schema_problems(doc, campaign_schema())
    if problems:
        raise InputError(problems)
    reader = Reader(doc, folder, campaign=folder.name)
    campaign = reader.read(Campaign, slug=folder.name, path=folder)
    problems = (reader.problems + _markup_problems(campaign, path)
                + _percent_problems(campaign, path)
                + image_problems(campaign.images, doc))
    if problems:
        raise InputError(problems)
    return campaign


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


def place(text: Text) -> str:
    """Where a Text is in its campaign's file (`headline`), as errors about the file say."""
    return context_place(text.context)[1]


def shown_texts(campaign: Campaign) -> Iterator[Text]:
    """The Texts some publication prints, in document order: what translators are asked
    for. A news item shown on no kind is left out, and the news heading with it when no
    item is shown."""
    hidden = {text for item in campaign.news if not item.show_on for text in iter_texts(item)}
    if not any(item.show_on for item in campaign.news):
        hidden.add(campaign.news_heading)
    return (text for text in iter_texts(campaign) if text not in hidden)


def _percent_problems(campaign: Campaign, path: Path) -> list[Problem]:
    """A text's `%` as TRANSLATING.md says: a percent sign, except in a text with a
    number (`count`), which is formatted, so there `%%` is one and `%(count)s` the number.
    A placeholder in a text without a number would never be replaced. The text is read,
    never formatted (a width such as %(count)999999999s would allocate gigabytes)."""
    problems = []
    for text in iter_texts(campaign):
        for source in filter(None, (text.source, text.plural)):
            if text.count is None:
                for spec in specs(source):
                    if spec.placeholder:
                        problems.append(Problem(path, text.line, (
                            f"{place(text)}: {shown(spec.text, 30)[1:-1]} is replaced only in a "
                            "text with a number (count, one, other); write the words "
                            "themselves here")))
                continue
            problem = format_problem(source, ("count",))
            if problem is not None:
                if problem.startswith("a % sign"):
                    problem = ("a % sign that is not %(count)s: in a text with a number, "
                               "write %% for a percent sign")
                problems.append(Problem(path, text.line, f"{place(text)}: {problem}"))
    return problems


def _markup_problems(campaign: Campaign, path: Path) -> list[Problem]:
    problems = []
    for text in iter_texts(campaign):
        for source in filter(None, (text.source, text.plural)):
            try:
                parse_inline(source)
            except MarkupProblem as exc:
                problems.append(Problem(path, text.line, f"{place(text)}: {exc}"))
    return problems
