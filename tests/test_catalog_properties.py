"""Property: whatever staff write in the content, extract and update write catalogues
that GNU gettext accepts and that read back as written, with every `#|` previous msgid a
complete earlier source text (publication/catalog.py, publication/pofile.py).

Needs hypothesis (a test dependency)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publication.i18n import catalog
from publication.i18n.checks import message_state
from publication.i18n.pofile import parse_po
from publication.model import Project
from publication.source.placeholders import PLACEHOLDER
from tests.gettext_check import assert_all_gettext_readable, start_full_catalog
from tests.projects import make_project
from tests.translating import ctx

# (line of the fixture's campaign.yaml, its YAML prefix, the schema's length limit)
TARGETS = {
    "headline": ("headline: Free the fixture\n", "headline: ", 120),
    "quote.text": ("  text: Justice delayed is justice denied.\n", "  text: ", 600),
    "background.first": ("    text: The first paragraph of background, with <em>emphasis</em>.\n",
                         "    text: ", 600),
    "background.second": ("    text: The second paragraph of background.\n", "    text: ", 600),
    "urging": ("urging: We urge everyone to act now.\n", "urging: ", 600),
    # A plural's other form: its previous msgid has a `#| msgid_plural` line.
    "facts.protest-days": ('    other: "%(count)s days of protest"\n', "    other: ", 120),
}
TRANSLATED: dict[str, str | tuple[str, ...]] = {
    "headline": "Libérez le détenu",
    "quote.text": "Justice différée, justice refusée.",
    "background.first": "Le premier paragraphe, avec <em>emphase</em>.",
    "background.second": "Le deuxième paragraphe.",
    "facts.protest-days": ("%(count)s jour de manifestation", "%(count)s jours de manifestation"),
}

# Any printable character but "<" and "&" (the content's inline markup has its own
# tests), and the pieces that have broken PO files: quotes, backslashes, escapes that
# are not escapes, newlines and tabs (folded to spaces by the content loader), percent
# signs, runs of spaces, non-ASCII and words longer than a line.
_CHARS = st.characters(exclude_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp"),
                       exclude_characters="<&")
_PIECES = st.one_of(
    st.text(_CHARS, min_size=1, max_size=12),
    st.sampled_from(['"', "\\", '\\"', "\\n", "%", "%(n)s", "{n}", "\n", "\t", "   ", "''"]),
    st.sampled_from(["é", "ß", "中文", "العربية", "עברית", "🙂", "—"]),
    st.integers(80, 160).map(lambda n: "https://example.org/" + "x" * n),
)


def _texts(limit: int) -> st.SearchStrategy[str]:
    return (st.lists(_PIECES, min_size=1, max_size=40)
            .map(lambda pieces: " ".join(pieces)[:limit])
            .filter(lambda text: bool(text.split())))


def _plain(text: str) -> str:
    """A text as a text without a number may be: its %(name)s broken up (the content
    refuses a placeholder there; a lone % is a percent sign)."""
    return PLACEHOLDER.sub(lambda m: m.group().replace("(", "( "), text)


def _original(context: str) -> str:
    line, prefix, _ = TARGETS[context]
    return str(yaml.safe_load(line[len(prefix):]))


@st.composite
def _edits(draw: st.DrawFn) -> dict[str, str]:
    """New texts for some of the TARGETS; sometimes the original one (an edit undone)."""
    chosen = draw(st.lists(st.sampled_from(sorted(TARGETS)), min_size=1, unique=True))
    edits = {}
    for context in chosen:
        if draw(st.integers(0, 4)) == 0:
            edits[context] = _original(context)
            continue
        limit = TARGETS[context][2]
        text = _plain(draw(_texts(limit - len("%(count)s ") - 20)))
        # In a text with a number `%%` is a percent sign (and %(count)s the number).
        edits[context] = (f"%(count)s {text.replace('%', '%%')}"
                          if context == "facts.protest-days" else text)
    return edits


# New background paragraphs inserted at the top: (id, text), each id new.
_INSERTS = st.lists(st.tuples(st.sampled_from(["new-top", "another", "third-one"]),
                              # _plain may add a space per placeholder: room for it
                              _texts(580).map(_plain)),
                    max_size=2, unique_by=lambda item: item[0])


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, fonts_dir: Path) -> Project:
    """The fixture campaign with its template and French and Arabic catalogues."""
    project = make_project(tmp_path_factory.mktemp("base") / "project", fonts_dir)
    start_full_catalog(project, "fr", TRANSLATED)
    start_full_catalog(project, "ar", {"headline": "حرروا المعتقل"})
    return project


def _source_texts(project: Project) -> set[str]:
    return {text for message in catalog._read(project.pot, None) if message.id
            for text in ([message.id] if isinstance(message.id, str) else message.id)}


@settings(max_examples=25, deadline=None,
          # The module's project is copied for each example; the autouse warning check
          # (function scope) rightly spans all of them.
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rounds=st.lists(st.tuples(_edits(), _INSERTS), min_size=1, max_size=3))
def test_random_content_edits_give_catalogues_gettext_reads(
        base: Project, tmp_path_factory: pytest.TempPathFactory,
        rounds: list[tuple[dict[str, str], list[tuple[str, str]]]]) -> None:
    project = Project(tmp_path_factory.mktemp("example") / "project")
    shutil.copytree(base.root, project.root, symlinks=True)
    campaign = project.content / "fixture" / "campaign.yaml"
    lines = campaign.read_text("utf-8").splitlines(keepends=True)
    where = {context: lines.index(line) for context, (line, _, _) in TARGETS.items()}
    seen = _source_texts(project)  # every source text so far: what a #| may hold
    untouched = set(TRANSLATED)  # translated, never edited: must stay translated
    top = lines.index("background:\n") + 1
    inserted: set[str] = set()
    for edits, inserts in rounds:
        untouched -= set(edits)
        for context, text in edits.items():
            # A JSON string is a YAML double-quoted scalar: any text, quoted and escaped.
            lines[where[context]] = f"{TARGETS[context][1]}{json.dumps(text, ensure_ascii=False)}\n"
        for name, text in inserts:
            if name in inserted:
                continue
            inserted.add(name)
            lines[top:top] = [f"  - id: {name}\n",
                              f"    text: {json.dumps(text, ensure_ascii=False)}\n"]
            where = {context: row + 2 if row >= top else row for context, row in where.items()}
        campaign.write_text("".join(lines), "utf-8")
        catalog.write_pot(project, catalog.extract(project))
        catalog.update(project, ["fr", "ar"])
        assert_all_gettext_readable(project)
        assert catalog.update(project, ["fr", "ar"]) == []
        for code in ("fr", "ar"):
            path = project.po(code)
            parsed = parse_po(path.read_bytes(), path, code)
            assert parsed.catalog is not None and not parsed.previous_problems
            for message in parsed.catalog:
                assert set(message.previous_id) <= seen, (code, message.previous_id)
            if code == "fr":  # inserting items fuzzes nothing it did not change
                states = {m.context: message_state(m) for m in parsed.catalog if m.id}
                assert {c: states[ctx(c)] for c in untouched} == dict.fromkeys(
                    untouched, "translated")
        seen |= _source_texts(project)
