"""Incremental builds: what each output was made from, and whether that changed.

After a target is built, a record of its inputs and of the files it wrote goes to
`output/.cache/<campaign>/<locale>/[<group>/]<kind>-<size>.json` (written atomically).
The next build skips a target when every input is the same:

- the pipeline: what the `publication` package does, not how its text is written. Each
  module counts by its syntax tree without comments and docstrings (`code_digest`), so
  that a comment edit rebuilds nothing; the templates, schemas and the package's
  stylesheets count by their bytes. The index page's template is not an input of any
  PDF: the index is rewritten when it changes (publication/report/index.py);
- the versions of the Python libraries and native libraries (Pango, HarfBuzz,
  Fontconfig) that shape the bytes, and `SOURCE_DATE_EPOCH`;
- the campaign's content folder, the stylesheets and the fonts (folder digests);
- the build options that change what is written (imprint, print files, HTML, strict);
- the catalogue: when the `.po` file's bytes changed, only the messages this output
  used (recorded while rendering) and the plural rule are compared, so that editing
  one German string rebuilds only the German outputs that show it;

and every file it wrote is still there, unchanged. A target whose last build failed
is always rebuilt. `Inputs` takes the snapshot once per build, before any worker reads
a file; a file edited during the build makes its outputs stale for the next one.

Records are read as untrusted input (publication.build.records): one that is not
exactly what `Record` holds is no record, and its target is built again.
"""

from __future__ import annotations

import ast
import ctypes
import dataclasses
import hashlib
import json
import logging
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publication.build.records import load, record_path
from publication.build.records import records as records  # for the builder and the tests
from publication.files import sha256_bytes, sha256_file, write_atomic
from publication.kinds import CONDITIONS, KINDS
from publication.model import (
    CACHE_FOLDER,
    SOURCE_LOCALE,
    BuildOptions,
    MessageKey,
    Outcome,
    Project,
    Record,
    Target,
)

LOG = logging.getLogger(__name__)

# The package whose behaviour the outputs depend on; an attribute so that tests can
# point it at a copy.
PACKAGE = Path(__file__).resolve().parent.parent
# Its files that make the bytes: modules, templates, schemas, the stylesheets it ships.
PIPELINE_FILES = (".py", ".html", ".json", ".css")
# Under output/.cache: the digest of each module's behaviour, by the digest of its bytes,
# so that a build does not parse every module again when none changed.
PIPELINE_MEMO = "pipeline.state"

# Python distributions whose version changes the bytes written (WeasyPrint and what it
# draws with, the templates' engine, the PDF post-processing, the QR code drawing).
LIBRARIES = ("babel", "brotli", "cffi", "cssselect2", "fonttools", "jinja2", "jsonschema",
             "markupsafe", "pikepdf", "pillow", "pydyf", "pyphen", "pyyaml",
             "reportlab", "tinycss2", "tinyhtml5", "weasyprint", "webencodings", "zopfli")
# Native libraries WeasyPrint lays text out with: (soname, function returning a version).
NATIVE = (("libpango-1.0.so.0", "pango_version_string"),
          ("libharfbuzz.so.0", "hb_version_string"))
# The common inputs a layout depends on besides its HTML (`Inputs.layout_key`).
LAYOUT_INPUTS = ("pipeline", "libraries", "environment", "styles", "fonts")
# Build options that do not change any file a target writes.
NOT_OUTPUT_OPTIONS = frozenset({"jobs", "force", "fail_fast", "wait"})

def tree_digest(folder: Path, suffixes: tuple[str, ...] = ()) -> str:
    """One digest of every file under `folder` (names and bytes), hidden files left out.

    Symbolic links are followed, so a fonts folder that links elsewhere still counts.
    """
    digest = hashlib.sha256()
    for path in _tree(folder, suffixes):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(sha256_file(path).encode() + b"\n")
    return digest.hexdigest()


def _tree(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                             for part in p.relative_to(folder).parts)
                  and (not suffixes or p.suffix in suffixes))


def code_digest(source: bytes) -> str:
    """What a module does: a digest of its syntax tree without docstrings. Comments,
    blank lines, line breaks, quotes and the places of things (line numbers) are not
    in the tree, so an edit of those alone leaves the digest as it was. A module that
    does not parse counts by its bytes."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return "bytes:" + sha256_bytes(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                node.body = node.body[1:]
    return sha256_bytes(ast.dump(tree).encode("utf-8"))


# sha256 of a module's bytes -> its code_digest, for this process (a watcher's builds).
_BEHAVIOUR: dict[str, str] = {}


def pipeline_digest(package: Path, memo: Path | None = None) -> str:
    """One digest of what `package` does: its modules by `code_digest`, its other
    PIPELINE_FILES by their bytes. `memo` (output/.cache/pipeline.state) keeps the
    modules' digests from build to build; it is read as a hint only for the same
    Python and the same bytes, and rewritten when they change."""
    known = _read_memo(memo) if memo is not None else {}
    used: dict[str, str] = {}
    digest = hashlib.sha256()
    for path in _tree(package, PIPELINE_FILES):
        data = path.read_bytes()
        raw = sha256_bytes(data)
        if path.suffix == ".py":
            behaviour = _BEHAVIOUR.get(raw) or known.get(raw) or code_digest(data)
            _BEHAVIOUR[raw] = used[raw] = behaviour
        else:
            behaviour = raw
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(behaviour.encode() + b"\n")
    if memo is not None and used != known:
        state = {"python": _python(), "modules": used}
        try:
            write_atomic(memo, json.dumps(state, sort_keys=True).encode("utf-8"))
        except OSError as exc:  # a read-only output folder: the next build parses again
            LOG.debug("%s not written: %s", memo, exc)
    return digest.hexdigest()


def _python() -> str:
    """The Python whose syntax trees the digests are of."""
    return f"{sys.implementation.cache_tag} {sys.version}"


def _read_memo(memo: Path) -> dict[str, str]:
    try:
        state = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(state, dict) or state.get("python") != _python():
        return {}
    modules = state.get("modules")
    if not isinstance(modules, dict):
        return {}
    return {raw: behaviour for raw, behaviour in modules.items()
            if isinstance(behaviour, str) and len(raw) == len(behaviour) == 64}


def library_versions() -> dict[str, str]:
    """Versions of the LIBRARIES installed where this Python imports from, and of NATIVE.

    Read from the `.dist-info` folder names: no package is imported and no metadata
    parsed, so this costs a directory listing.
    """
    found: dict[str, str] = {"python": sys.version.split()[0]}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                dist, _, version = name[: -len(".dist-info")].partition("-")
                dist = dist.lower().replace("_", "-")
                if dist in LIBRARIES and dist not in found:
                    found[dist] = version
    for soname, function in NATIVE:
        try:
            func = getattr(ctypes.CDLL(soname), function)
            func.restype = ctypes.c_char_p
            found[soname] = func().decode()
        except (OSError, AttributeError):
            found[soname] = "missing"
    return found


def options_digest(options: BuildOptions) -> str:
    """The options that change what a target writes (every option not known not to)."""
    fields = {f.name: getattr(options, f.name) for f in dataclasses.fields(options)
              if f.name not in NOT_OUTPUT_OPTIONS}
    return _digest(_plain(fields))


@dataclass
class Inputs:
    """The inputs of one build, read once before any target is made.

    Digests shared by every target are computed on creation; a campaign's content
    and a locale's catalogue on first use.
    """

    project: Project
    common: dict[str, str]
    _content: dict[str, str] = field(default_factory=dict)
    _po: dict[str, bytes | None] = field(default_factory=dict)
    _messages: dict[str, Catalogue | None] = field(default_factory=dict)

    @classmethod
    def take(cls, project: Project, options: BuildOptions, package: Path | None = None
             ) -> Inputs:
        """The snapshot; `package`: the pipeline's code (PACKAGE, this package)."""
        memo = project.output / CACHE_FOLDER / PIPELINE_MEMO
        common = {
            "pipeline": pipeline_digest(package or PACKAGE, memo),
            "libraries": _digest(library_versions()),
            "environment": _digest({"SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH")}),
            "styles": tree_digest(project.styles),
            "fonts": tree_digest(project.fonts),
            "options": options_digest(options),
            # The print-shop files embed their printing condition's ICC profile (a file
            # outside the project) and convert colours with it.
            "print_profile": _digest({name: _file_digest(condition.profile)
                                      for name, condition in CONDITIONS.items()})
            if options.print_files else "",
        }
        return cls(project, common)

    def status_key(self) -> str:
        """One digest of what the messages each kind shows are made from: the pipeline's
        code, the libraries and every campaign's content (the index's completeness
        figures and the campaigns' titles)."""
        return _digest({"pipeline": self.common["pipeline"],
                        "libraries": self.common["libraries"],
                        "content": {name: self.content(name)
                                    for name in self.project.campaigns()}})

    @property
    def layout_key(self) -> str:
        """One digest of what a layout depends on besides its HTML (FitHint)."""
        return _digest({key: self.common[key] for key in LAYOUT_INPUTS})

    def content(self, campaign: str) -> str:
        if campaign not in self._content:
            self._content[campaign] = tree_digest(self.project.content / campaign)
        return self._content[campaign]

    def po_bytes(self, locale: str) -> bytes | None:
        """The catalogue's bytes as the build found them (None: source locale, or none)."""
        if locale not in self._po:
            raw = None
            if locale != SOURCE_LOCALE:
                # As the build reads it, never through a symbolic link (imported here:
                # the module brings Babel's reader, which a no-op build does without).
                from publication.i18n.pofile import read_po_file

                try:
                    raw = read_po_file(self.project.po(locale))
                except OSError:
                    raw = b""
            self._po[locale] = raw
        return self._po[locale]

    def po_digest(self, locale: str) -> str:
        raw = self.po_bytes(locale)
        return "" if raw is None else sha256_bytes(raw)

    def catalogue(self, locale: str) -> Catalogue | None:
        """Per-message digests of the snapshot's catalogue; None when it does not parse."""
        if locale not in self._messages:
            raw = self.po_bytes(locale)
            self._messages[locale] = (Catalogue("", {}) if raw is None
                                      else Catalogue.parse(self.project.po(locale), raw, locale))
        return self._messages[locale]

    def of(self, target: Target) -> dict[str, str]:
        """Every whole-file input digest of one target."""
        return {**self.common, "content": self.content(target.campaign),
                "catalogue": self.po_digest(target.locale)}


@dataclass(frozen=True)
class Catalogue:
    """A catalogue as the cache sees it: its plural rule and a digest per message."""

    plural: str
    messages: dict[MessageKey, str]

    @classmethod
    def parse(cls, path: Path, raw: bytes, locale: str) -> Catalogue | None:
        from publication.i18n.catalog import entry_states
        from publication.i18n.pofile import parse_po

        parsed = parse_po(raw, path, locale)
        if parsed.catalog is None:
            return None
        states = entry_states(parsed.catalog)
        messages: dict[MessageKey, str] = {}
        for message in parsed.catalog:
            if not message.id:
                continue
            key: MessageKey = (message.context,
                               message.id if isinstance(message.id, str) else message.id[0])
            entry = states[key]
            strings = [message.string] if isinstance(message.string, str | None) \
                else list(message.string)
            plural = None if isinstance(message.id, str) else list(message.id)
            # The line only matters where a warning names it: messages shown in the
            # source language.
            line = entry.line if entry.state != "translated" else 0
            messages[key] = _digest([entry.state, strings, plural, line])
        return cls(parsed.catalog.plural_forms or "", messages)

    def digest(self, key: MessageKey) -> str:
        return self.messages.get(key, "absent")

    def digests(self, keys: Iterable[MessageKey]) -> dict[str, str]:
        return {_key_text(key): self.digest(key) for key in keys}


def stale(project: Project, target: Target, inputs: Inputs) -> tuple[str | None, Record | None]:
    """Why `target` must be built, or None with its record when it is up to date.

    When only the catalogue's bytes changed and none of the messages the target used
    did, the record is brought up to date so that the next check is quick again.
    """
    record = load(project, target)
    if record is None:
        return "not built before", None
    if record.failed:
        return "its last build failed", record
    current = inputs.of(target)
    changed = [name for name, digest in current.items()
               if record.inputs.get(name) != digest and name != "catalogue"]
    if changed:
        return f"changed: {', '.join(sorted(changed))}", record
    if record.inputs.get("catalogue") != current["catalogue"]:
        catalogue = inputs.catalogue(target.locale)
        if catalogue is None:
            return "its catalogue does not parse", record
        if catalogue.plural != record.plural:
            return "the catalogue's plural rule changed", record
        for text, digest in record.messages.items():
            if catalogue.digest(_text_key(text)) != digest:
                return f"message changed: {text.replace(chr(4), ' | ')}", record
    for product in record.products:
        if not product.unchanged(project.output):
            return f"{product.path} is missing or was changed", record
    if record.inputs.get("catalogue") != current["catalogue"]:
        record = dataclasses.replace(record, inputs=current)
        save(project, target, record)
    return None, record


def built(project: Project, inputs: Inputs, outcome: Outcome) -> Record | None:
    """Record a target that was just built: its inputs as the build found them, the
    messages it used and the files it wrote. None (and no record) when its catalogue
    does not parse, so that the next build tries again."""
    target = outcome.target
    catalogue = inputs.catalogue(target.locale)
    if catalogue is None:
        forget(project, target)
        return None
    used = sorted(outcome.used, key=lambda k: (k[0] or "", k[1]))
    record = Record(dataclasses.asdict(target), inputs.of(target), catalogue.plural,
                    catalogue.digests(used), outcome.products, outcome.pages,
                    tuple(outcome.messages), outcome.checks, round(outcome.seconds, 3),
                    headline_pt=outcome.headline_pt, too_tall=outcome.too_tall)
    save(project, target, record)
    return record


def failed(project: Project, outcome: Outcome) -> None:
    """Mark a target's record as failed: its files (if any are left) are from an earlier
    build, and the next build must try again."""
    record = load(project, outcome.target)
    if record is not None:
        save(project, outcome.target,
             dataclasses.replace(record, failed=tuple(outcome.messages) or ("failed",)))


def save(project: Project, target: Target, record: Record) -> None:
    write_atomic(record_path(project, target), record.to_json().encode("utf-8"))


def forget(project: Project, target: Target) -> None:
    record_path(project, target).unlink(missing_ok=True)


def expected_seconds(target: Target, record: Record | None) -> float:
    """How long the target took last time (its `record`), or a guess by kind: the slow
    ones go first."""
    if record is not None and record.seconds:
        return record.seconds
    kind = KINDS.get(target.kind)
    return kind.seconds if kind else 0.3


def _key_text(key: MessageKey) -> str:
    return f"{key[0] or ''}\x04{key[1]}"


def _text_key(text: str) -> MessageKey:
    context, _, msgid = text.partition("\x04")
    return (context or None, msgid)


def _plain(value: Any) -> Any:
    """A JSON-able form of option values (dataclasses, paths, tuples)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _file_digest(path: Path) -> str:
    try:
        return sha256_bytes(path.read_bytes())
    except OSError:
        return "missing"


def _digest(value: Any) -> str:
    return sha256_bytes(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8"))
