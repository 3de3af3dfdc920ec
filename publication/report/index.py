"""What was built, at a glance: `output/index.html` for people, `output/manifest.json`
for scripts.

The manifest lists every PDF the cache records (publication/build/cache.py) by campaign,
locale and kind: its size in bytes, page count, SHA-256, the checks' result, its state
(ok, fallbacks: some messages shown in English, failed) and a thumbnail of its first page
(`output/.thumbs/`, drawn with PDFium by the worker that built the file), each locale's
translation completeness from `status`, and every output whose last build failed. Nothing
in it depends on when a file was written: the same build gives the same manifest.

The page is the dashboard of publication/report/dashboard.py (a language x kind grid
per campaign, with build times and what the last build did), written with Jinja2
(autoescape on) from `index.html.jinja`: English, headings, tables with captions and
header cells, names marked up in their own language and direction, alternate text on
every thumbnail, native `<details>` and plain links in keyboard order with a visible
focus. Records of campaigns, locales, kinds or sizes that no longer exist are left out.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from publication.errors import PublicationError
from publication.files import sha256_bytes, write_atomic
from publication.kinds import KINDS, OFFICE_SUFFIX, PRINT_SUFFIX, PROOF_NAME
from publication.model import (
    CACHE_FOLDER,
    SOURCE_LOCALE,
    MessageKey,
    Outcome,
    Product,
    Project,
    Record,
)
from publication.pdf.pictures import page_png
from publication.report.memo import StatusMemo, read_state, write_state

if TYPE_CHECKING:
    import jinja2

    from publication.report.status import LocaleStatus

LOG = logging.getLogger(__name__)

FORMAT_VERSION = 1
THUMBS_FOLDER = ".thumbs"
THUMB_PIXELS = 240        # the longer side of a thumbnail
INDEX_NAME = "index.html"
MANIFEST_NAME = "manifest.json"
TEMPLATE = Path(__file__).parent / "index.html.jinja"  # an input of the index, of no PDF
KINDS_MEMO = "kinds.state"  # in output/.cache: the messages each kind shows (_kind_messages)


# -- facts about the files a target wrote (in the worker) and their thumbnails ----------


def describe(output: Path, written: Iterable[Path], pages: int) -> tuple[Product, ...]:
    """The products of a target from the files it wrote (first: its accessible PDF with
    `pages` pages): checksums, page counts and, for PDFs, a thumbnail of the first page."""
    products = []
    for index, path in enumerate(dict.fromkeys(written)):
        if not path.is_file():
            continue
        if path.suffix == ".pdf":
            thumbnail = thumbnail_path(output, path)
            drawn = _draw(path, thumbnail)
            count = pages if index == 0 else drawn  # PDFium counts the others' pages
            products.append(Product.of(output, path, count, thumbnail if drawn else None))
        else:
            products.append(Product.of(output, path))
    return tuple(products)


def thumbnail_path(output: Path, pdf: Path) -> Path:
    return output / THUMBS_FOLDER / pdf.relative_to(output).with_suffix(".png")


def draw_thumbnail(pdf: Path, target: Path) -> bool:
    """Draw the first page of `pdf` as a PNG at `target`, THUMB_PIXELS on its longer
    side, with PDFium; False (and a log line) when the PDF cannot be drawn."""
    return _draw(pdf, target) is not None


def _draw(pdf: Path, target: Path) -> int | None:
    """`draw_thumbnail`, returning the PDF's page count (None: not drawn)."""
    drawn = page_png(pdf, lambda width, height: THUMB_PIXELS / max(width, height),
                     "thumbnail")
    if drawn is None:
        return None
    write_atomic(target, drawn[0])
    return drawn[1]


def draw_missing(output: Path, products: Iterable[Product]) -> None:
    """Draw the thumbnails earlier builds' PDFs should have and do not."""
    for product in products:
        if product.thumbnail and not (output / product.thumbnail).is_file():
            draw_thumbnail(output / product.path, output / product.thumbnail)


# -- in the build's parent: the page and the manifest -----------------------------------


@dataclass(frozen=True)
class Entry:
    """One PDF in the manifest."""

    campaign: str
    locale: str
    kind: str
    size: str
    imprint: str | None
    variant: str             # "accessible", "print" (print shop) or "office" (office sheet)
    product: Product
    checks: tuple[int, int] | None
    failed: tuple[str, ...]  # the last build of this target failed: this file is older
    fallbacks: int = 0       # messages shown in the source language

    @property
    def check_result(self) -> str:
        if self.variant != "accessible":  # written only when its own checks passed
            return "preflight passed" if self.checks is not None else "not checked"
        if self.checks is None:
            return "not checked"
        errors, warnings = self.checks
        if errors:
            return f"failed: {errors} error(s)"
        return f"passed, {warnings} warning(s)" if warnings else "passed"

    @property
    def state(self) -> str:
        return "failed" if self.failed else "fallbacks" if self.fallbacks else "ok"

    def as_json(self) -> dict[str, Any]:
        return {"path": self.product.path, "campaign": self.campaign, "locale": self.locale,
                "kind": self.kind, "size": self.size, "imprint": self.imprint,
                "variant": self.variant, "bytes": self.product.size,
                "sha256": self.product.sha256, "pages": self.product.pages,
                "thumbnail": self.product.thumbnail,
                "checks": None if self.checks is None else
                {"errors": self.checks[0], "warnings": self.checks[1],
                 "result": self.check_result},
                "state": self.state, "fallbacks": self.fallbacks,
                "last_build_failed": list(self.failed) or None}


def entries(project: Project, found: Sequence[Record]) -> list[Entry]:
    """Every PDF the records name that is still there, in campaign, locale, kind order."""
    from publication.report import dashboard  # here: a build with nothing to do lists none

    kinds = list(KINDS)
    result = []
    for record in found:
        warnings, failed = dashboard.texts(record.warnings), dashboard.texts(record.failed)
        fallbacks = sum(1 for w in warnings if w.endswith(dashboard.FALLBACK_MARK))
        checks = dashboard.checks(record.checks)
        for product in record.products if isinstance(record.products, tuple) else ():
            path = dashboard.inside(project.output, getattr(product, "path", None))
            if path is None or not path.endswith(".pdf"):
                continue
            variant = "print" if path.endswith(PRINT_SUFFIX) else \
                "office" if path.endswith(OFFICE_SUFFIX) else "accessible"
            thumbnail = dashboard.readable_png(project.output, product.thumbnail)
            pages = product.pages if isinstance(product.pages, int) else None
            if (thumbnail, pages) != (product.thumbnail, product.pages):
                product = dataclasses.replace(product, thumbnail=thumbnail, pages=pages)
            result.append(Entry(record.campaign, record.locale, record.kind, record.size,
                                record.imprint, variant, product, checks, failed, fallbacks))

    def order(entry: Entry) -> tuple[Any, ...]:
        locale = (entry.locale != SOURCE_LOCALE, entry.locale)
        kind = kinds.index(entry.kind) if entry.kind in kinds else len(kinds)
        return (entry.campaign, locale, entry.imprint or "", kind, entry.size, entry.variant)

    return sorted(result, key=order)


def catalogue_digests(project: Project, locales: Iterable[str]) -> dict[str, str]:
    """The SHA-256 of each locale's `.po` file: the index is rewritten when one changes,
    since its completeness figures come from them."""
    digests = {}
    for code in sorted(set(locales)):
        if code == SOURCE_LOCALE:
            continue
        try:
            digests[code] = sha256_bytes(project.po(code).read_bytes())
        except OSError:
            digests[code] = ""
    return digests


def needs_update(project: Project, found: Sequence[Record]) -> bool:
    """Whether index.html and manifest.json miss a change: cheap, for a no-op build."""
    if not all((project.output / name).is_file() for name in (INDEX_NAME, MANIFEST_NAME)):
        return True
    try:
        made_from = json.loads(_state_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return bool(made_from != _state(project, found))


def _state_path(project: Project) -> Path:
    """What the index was last made from (not in the manifest: record digests hold times)."""
    return project.output / CACHE_FOLDER / "index.state"


def _state(project: Project, found: Sequence[Record]) -> dict[str, Any]:
    from publication.i18n.locales import skipped_locales  # Babel: only when it is asked

    # repr, not to_json: the same digest of the same records, at a third of the cost.
    return {"records": sha256_bytes("".join(map(repr, found)).encode("utf-8")),
            "catalogues": catalogue_digests(project, {r.locale for r in found}),
            "template": sha256_bytes(TEMPLATE.read_bytes()),
            # A campaign removed from the content leaves the page (its outputs stay).
            "campaigns": project.campaigns(),
            "skipped": skipped_locales(project)}


def write(project: Project, found: Sequence[Record], outcomes: Sequence[Outcome] = (),
          status_key: str = "") -> Path:
    """Write `output/index.html` and `output/manifest.json` from the cache's records and
    the `outcomes` of the build that writes them (what it rebuilt, skipped, failed).
    `status_key`: what the messages each kind shows are made from (`_kind_messages`;
    "": find them again)."""
    from publication.report import dashboard, proof

    records = dashboard.current(project, found)
    listed = entries(project, records)
    # The proof sheets (the page links them), written while the page is made: each
    # campaign's accessible files without a group's details.
    proof_files = [proof.ProofFile(e.campaign, e.locale, e.kind, e.size,
                                   project.output / e.product.path)
                   for e in listed if e.variant == "accessible" and not e.imprint]
    coming = {f"{campaign}/{PROOF_NAME}" for campaign in proof.sheets(proof_files)}
    aside = proof.write_proofs_aside(project, proof_files)
    try:
        locales = sorted({e.locale for e in listed}, key=lambda c: (c != SOURCE_LOCALE, c))
        shown, titles = _shown(project, status_key)
        memo = StatusMemo(project, status_key)
        completeness = _completeness(project, locales, shown, memo)
        page = dashboard.build(project, records, outcomes, shown=shown,
                               titles=titles, memo=memo, proofs=coming)
    except BaseException:
        aside.abandon()
        raise
    proofs = aside.result()
    written = {p.relative_to(project.output).as_posix() for p in proofs}
    if written != coming:  # the page links the sheets there are
        page = dashboard.build(project, records, outcomes, shown=shown,
                               titles=titles, memo=memo, proofs=written)
    memo.save()
    manifest = {
        "version": FORMAT_VERSION,
        "files": [e.as_json() for e in listed],
        "proofs": [{"path": p.relative_to(project.output).as_posix(),
                    "sha256": sha256_bytes(p.read_bytes()), "bytes": p.stat().st_size}
                   for p in proofs],
        "locales": {code: {"language": completeness[code].language,
                           **completeness[code].overall.as_dict(),
                           "problems": [str(p) for p in completeness[code].problems]}
                    for code in locales if code in completeness},
        # Every output whose last build failed, with a file from an earlier build or none.
        "failed": [{"target": cell.target, "reasons": list(cell.reasons)}
                   for _, cell in page.attention],
    }
    write_atomic(project.output / MANIFEST_NAME,
                 (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
                 .encode("utf-8"))
    html = page_template().render(page=page, total=len(listed), source_locale=SOURCE_LOCALE)
    path = project.output / INDEX_NAME
    write_atomic(path, html.encode("utf-8"))
    write_atomic(_state_path(project), json.dumps(_state(project, found)).encode("utf-8"))
    return path


def _completeness(project: Project, locales: Sequence[str],
                  shown: Mapping[str, Mapping[str, frozenset[MessageKey]]],
                  memo: StatusMemo | None = None) -> dict[str, LocaleStatus]:
    """Each locale's translation status, as `make_pdf.py status` reports it (`shown`:
    what each campaign's kinds show, `_shown`), as `status.status` counts it (`memo`:
    where the counts of catalogues that did not change are kept)."""
    if not locales:
        return {}
    per_kind: dict[str, frozenset[MessageKey]] = {}
    for kinds in shown.values():
        for name, keys in kinds.items():
            per_kind[name] = per_kind.get(name, frozenset()) | keys
    messages = sorted({key for keys in per_kind.values() for key in keys},
                      key=lambda key: (key[0] or "", key[1]))
    locale_status = (memo or StatusMemo(project, "")).locale_status
    try:
        return {code: locale_status(code, messages, per_kind) for code in locales}
    except PublicationError as exc:  # content that does not load: the build says why
        LOG.info("no translation completeness in the index: %s", exc)
        return {}


Shown = dict[str, dict[str, frozenset[MessageKey]]]  # campaign -> kind -> messages


def _shown(project: Project, key: str) -> tuple[Shown, dict[str, str]]:
    """What each campaign's kinds show (`status.campaign_kind_messages`: every kind
    rendered), and the campaigns' titles, kept in output/.cache/kinds.state under `key`,
    a digest of what they are made from (the pipeline's code and the campaigns'
    content): a build that changed neither, such as one after a translator's edit,
    renders nothing for the index. The file is read as untrusted: anything but exactly
    that shape is made again. A campaign whose content does not load is left out (the
    build says why); no titles: the dashboard reads them from the content."""
    from publication.report.status import campaign_kind_messages

    state = read_state(project, KINDS_MEMO, key)
    known = _read_shown(state, key)
    if known is not None and state is not None:
        return known, _read_titles(state.get("titles"))
    from publication.report.dashboard import campaign_title

    shown: Shown = {}
    complete = True
    for slug in project.campaigns():
        try:
            shown[slug] = campaign_kind_messages(project, slug)
        except Exception as exc:  # the page is written whatever the content holds
            LOG.info("no completeness for campaign %s: %s", slug, exc)
            complete = False  # not kept: the next build tries again
    if not (key and complete):
        return shown, {}
    # The titles too (their content loaded above: `campaign_title` reads it).
    titles = {slug: campaign_title(project, slug) for slug in shown}
    write_state(project, KINDS_MEMO, key, {"campaigns": {
        slug: {name: sorted([context, msgid] for context, msgid in keys)
               for name, keys in kinds.items()} for slug, kinds in shown.items()},
        "titles": titles})
    return shown, titles


def _read_titles(titles: object) -> dict[str, str]:
    """The titles `_shown` kept, those that are what it writes."""
    if not isinstance(titles, dict):
        return {}
    return {slug: title for slug, title in titles.items()
            if isinstance(slug, str) and isinstance(title, str) and title}


def _read_shown(state: object, key: str) -> Shown | None:
    if not isinstance(state, dict) or state.get("key") != key:
        return None
    campaigns = state.get("campaigns")
    if not isinstance(campaigns, dict):
        return None
    result: Shown = {}
    for slug, kinds in campaigns.items():
        if not isinstance(kinds, dict) or set(kinds) != set(KINDS):
            return None
        result[slug] = {}
        for name, keys in kinds.items():
            if not isinstance(keys, list) or not all(
                    isinstance(k, list) and len(k) == 2 and isinstance(k[0], str | None)
                    and isinstance(k[1], str) for k in keys):
                return None
            result[slug][name] = frozenset((k[0], k[1]) for k in keys)
    return result


def page_template() -> jinja2.Template:
    """The page's template, compiled once per process and again whenever its file
    changes (Jinja checks the file at each `get_template`: a build server's process
    outlives edits)."""
    return _environment(str(TEMPLATE.parent)).get_template(TEMPLATE.name)


@functools.cache
def _environment(folder: str) -> jinja2.Environment:
    import jinja2  # here: a build with nothing to do writes no page

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True)
    env.filters["filesize"] = _filesize
    env.filters["url"] = lambda path: quote(str(path))
    return env


def _filesize(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


