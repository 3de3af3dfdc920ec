"""The types every stage shares: the project's folders, what a build makes (targets,
options, outcomes, the records of what was built) and a local group's imprint.

Plain data only, below every stage; what a publication kind is lives in `kinds`.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

from publication.files import sha256_file
from publication.kinds import PRINT_SUFFIX

SOURCE_LOCALE = "en"
# The PDF/UA parts a build can claim (`BuildOptions.standard`), each written as
# WeasyPrint's variant "pdf/<standard>"; the first is the default.
STANDARDS = ("ua-1", "ua-2")
DOMAIN = "messages"
CACHE_FOLDER = ".cache"  # output/.cache: a record per output
CHECK_FOLDER = ".check"  # output/.check: what each PDF must contain (its sidecar)
RECORD_FORMAT = 1
CONTENT_FILE = "campaign.yaml"  # content/<campaign>/campaign.yaml

# A catalogue message: (context, msgid; the singular of a plural message).
MessageKey = tuple[str | None, str]

# A content message's context names its campaign, then its place in the campaign:
# `israel-opt/news.still-no-justice.title`. Each campaign's messages are its own, though
# all share a locale's catalogue; a template's contexts (`petition.name`) have no campaign.
CAMPAIGN_MARK = "/"


def campaign_context(campaign: str, place: str) -> str:
    """The catalogue context of the content text at `place` of `campaign`."""
    return f"{campaign}{CAMPAIGN_MARK}{place}"


def context_place(context: str | None) -> tuple[str | None, str]:
    """(campaign, place) of a catalogue context; campaign None for a template's own
    message, or a content message from before contexts named their campaign."""
    campaign, mark, place = (context or "").partition(CAMPAIGN_MARK)
    return (campaign, place) if mark else (None, campaign)


def find_campaigns(content_root: Path) -> list[str]:
    """The campaign folders under `content_root` (those with a campaign.yaml), sorted."""
    return sorted(p.parent.name for p in content_root.glob(f"*/{CONTENT_FILE}"))


@dataclass(frozen=True)
class Project:
    """The folders of a project checkout; every path the pipeline reads or writes."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    def campaigns(self) -> list[str]:
        """The campaign folders under content/ (those with a campaign.yaml), sorted."""
        return find_campaigns(self.content)

    @property
    def styles(self) -> Path:
        """The stylesheets: the project's own `styles/` when it has one (this checkout's,
        a design of its own, or a test's copy), else the ones the wheel carries (built
        from the checkout's styles/ as `publication/render/styles`, see pyproject.toml)."""
        own = self.root / "styles"
        return own if own.is_dir() else Path(__file__).parent / "render" / "styles"

    @property
    def fonts(self) -> Path:
        return self.root / "fonts"

    def style_file(self, path: Path) -> Path:
        """Where a file that a stylesheet names really is. The stylesheets name their fonts
        `../fonts/NAME`: beside a project's own styles/ that is its fonts/ folder, and the
        stylesheets the package ships mean that same folder."""
        normal = Path(os.path.normpath(path))
        beside = self.styles.parent / "fonts"
        return self.fonts / normal.relative_to(beside) if normal.is_relative_to(beside) else normal

    @property
    def templates(self) -> Path:
        return Path(__file__).parent / "render" / "templates"

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def pot(self) -> Path:
        return self.locales / f"{DOMAIN}.pot"

    def po(self, locale: str) -> Path:
        return self.locales / locale / "LC_MESSAGES" / f"{DOMAIN}.po"

    def mo(self, locale: str) -> Path:
        return self.locales / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


@dataclass(frozen=True)
class Imprint:
    """A local group's details, printed in the reserved box (see publication.source.imprint)."""

    slug: str
    name: str
    meeting: str | None
    contact: tuple[str, ...]                  # as printed: e-mail, phone, web address
    lang: str | None = None                   # BCP 47 tag of the name and meeting text
    direction: str = "ltr"                    # of that language
    source: Path | None = None                # the imprint file, for error messages
    lines: tuple[tuple[str, str, int], ...] = ()  # (field, text as printed, line in source)
    responsible: str | None = None            # "V.i.S.d.P.": who answers for the content


@dataclass(frozen=True)
class Target:
    """One output file: a kind of publication at a size, for a campaign in a locale."""

    campaign: str
    locale: str
    kind: str
    size: str
    imprint: str | None = None  # the local group's slug, when built with --imprint

    def folder(self, output: Path) -> Path:
        base = output / self.campaign / self.locale
        return base / self.imprint if self.imprint else base

    def path(self, output: Path) -> Path:
        return self.folder(output) / f"{self.kind}-{self.size}.pdf"

    def print_path(self, output: Path) -> Path:
        """The print-shop file (PDF/X-4, bleed, marks) of a kind in PRINT_LAYOUTS."""
        return self.folder(output) / f"{self.kind}-{self.size}{PRINT_SUFFIX}"

    def __str__(self) -> str:
        group = f" [{self.imprint}]" if self.imprint else ""
        return f"{self.campaign}/{self.locale}/{self.kind}-{self.size}{group}"


@dataclass(frozen=True)
class Selection:
    """What to build; empty tuples mean 'all'."""

    campaigns: tuple[str, ...] = ()
    locales: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildOptions:
    """How to build: parallelism, strictness and extra outputs."""

    jobs: int = 1
    force: bool = False
    write_html: bool = False
    strict: bool = False
    fail_fast: bool = False
    imprint: Imprint | None = None
    print_files: bool = False  # also <kind>-<size>-print.pdf for the kinds in PRINT_LAYOUTS
    wait: float = 300.0  # seconds to wait for another build writing the same output folder
    standard: str = STANDARDS[0]  # the PDF/UA part the accessible files claim (STANDARDS)


@dataclass(frozen=True)
class Outcome:
    """What happened to one target."""

    target: Target
    status: str  # "built", "skipped" or "failed"
    path: Path
    seconds: float = 0.0
    pages: int = 0
    messages: tuple[str, ...] = ()  # warnings for a built target, errors for a failed one
    checks: tuple[int, int] | None = None  # the gate's (errors, warnings); None: not checked
    used: frozenset[MessageKey] = frozenset()  # the catalogue messages it showed
    products: tuple[Product, ...] = ()   # the files it wrote, its PDF first
    headline_pt: float = 0.0  # a poster's headline size (0: none)
    too_tall: tuple[str, ...] = ()  # layouts that ran past the page (see FitHint)


@dataclass(frozen=True)
class FitHint:
    """What a target's last build learnt about fitting it on its pages, to try first.

    `headline_pt`: the poster headline size it settled on (0: none). `too_tall`: the
    layouts it found running past the page, each by the digest of its HTML and of
    everything else a layout depends on (the pipeline's code, the libraries, the
    stylesheets, the fonts: `Inputs.layout_key`). A layout is a pure function of those,
    so a digest found again needs no layout to know that it does not fit."""

    headline_pt: float = 0.0
    too_tall: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Product:
    """A file a target wrote: where (relative to the output folder) and what it is."""

    path: str
    sha256: str
    size: int
    mtime_ns: int
    pages: int | None = None        # PDFs only
    thumbnail: str | None = None    # PDFs only: a PNG of the first page, relative path

    @classmethod
    def of(cls, output: Path, path: Path, pages: int | None = None,
           thumbnail: Path | None = None) -> Product:
        info = path.stat()
        return cls(path.relative_to(output).as_posix(), sha256_file(path), info.st_size,
                   info.st_mtime_ns, pages,
                   thumbnail.relative_to(output).as_posix() if thumbnail else None)

    def unchanged(self, output: Path) -> bool:
        """The file is still the one written (by size and time, else by content)."""
        try:
            info = (output / self.path).stat()
        except OSError:
            return False
        if info.st_size != self.size:
            return False
        return info.st_mtime_ns == self.mtime_ns or sha256_file(output / self.path) == self.sha256


@dataclass(frozen=True)
class Record:
    """What a target was last built from and what it wrote; kept in `output/.cache/`."""

    target: dict[str, str | None]       # the Target's fields: campaign, locale, kind...
    inputs: dict[str, str]
    plural: str
    messages: dict[str, str]            # used message -> digest ("context\x04msgid")
    products: tuple[Product, ...]
    pages: int = 0
    warnings: tuple[str, ...] = ()
    checks: tuple[int, int] | None = None
    seconds: float = 0.0
    failed: tuple[str, ...] = ()        # the last build's errors; () when it succeeded
    headline_pt: float = 0.0            # a poster's headline size: the next build tries it first
    too_tall: tuple[str, ...] = ()      # layouts found not to fit (FitHint.too_tall)

    def hint(self) -> FitHint:
        return FitHint(self.headline_pt, frozenset(self.too_tall))

    @property
    def campaign(self) -> str:
        return str(self.target["campaign"])

    @property
    def locale(self) -> str:
        return str(self.target["locale"])

    @property
    def kind(self) -> str:
        return str(self.target["kind"])

    @property
    def size(self) -> str:
        return str(self.target["size"])

    @property
    def imprint(self) -> str | None:
        return self.target.get("imprint")

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["version"] = RECORD_FORMAT
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Record:
        data = json.loads(text)
        if data.pop("version", None) != RECORD_FORMAT:
            raise ValueError("another format version")
        data["products"] = tuple(Product(**p) for p in data["products"])
        data["warnings"] = tuple(data["warnings"])
        data["failed"] = tuple(data["failed"])
        data["too_tall"] = tuple(data.get("too_tall", ()))
        data["checks"] = tuple(data["checks"]) if data["checks"] is not None else None
        return cls(**data)


def usable_cores() -> int:
    """The processor cores this process may run on (its CPU affinity, where the system
    says it; else every core)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
