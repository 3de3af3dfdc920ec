"""One-time migration of the catalogues from positional contexts to ids (issue 14).

Message contexts used to be the place of an item in its list (`background.2`,
`news.3.title`, `demands.israel.items.3`); they are now the item's `id`
(`background.no-one-held-to-account`, `news.still-no-justice.title`). Once every list
item in content/*/campaign.yaml has its `id`, this script renames, in every
`locales/*/LC_MESSAGES/messages.po`, the context of each entry (translated, fuzzy or
obsolete) whose context and English text are those of an item at its old place, to the
item's new context. Nothing else in the file changes: translations, flags and comments
stay byte for byte, so no translation can be lost. Then run

    python make_pdf.py extract && python make_pdf.py update

to rewrite the template and bring the catalogues' comments and locations up to date.

    .venv/bin/python tools/migrate_ids.py [PROJECT_FOLDER]

Running it again changes nothing: no entry has an old context any more.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.pofile import unescape

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

from publication.errors import InputError  # noqa: E402
from publication.files import write_atomic  # noqa: E402
from publication.model import Project, find_campaigns  # noqa: E402
from publication.source.content import CONTENT_FILE, Campaign, campaign_schema, iter_texts  # noqa: E402
from publication.source.schema import Reader, schema_problems  # noqa: E402
from publication.source.yamlsource import load_yaml  # noqa: E402

Key = tuple[str, str]  # (context, msgid: the singular of a plural)

_CONTEXT = re.compile(r'^(?P<prefix>(?:#~ )?)msgctxt "(?P<text>(?:[^"\\]|\\.)*)"\n?$')
_MSGID = re.compile(r'^(?:#~ )?msgid "(?P<text>(?:[^"\\]|\\.)*)"\n?$')
_MORE = re.compile(r'^(?:#~ )?"(?P<text>(?:[^"\\]|\\.)*)"\n?$')


def context_map(project: Project) -> dict[Key, str]:
    """(old positional context, English text) -> new context, for every campaign."""
    renamed: dict[Key, str] = {}
    for slug in find_campaigns(project.content):
        folder = project.content / slug
        doc = load_yaml(folder / CONTENT_FILE)
        problems = schema_problems(doc, campaign_schema())
        if problems:  # an item without its id, for one
            raise InputError(problems)
        new = Reader(doc, folder).read(Campaign, slug=slug, path=folder)
        old = Reader(doc, folder, by_position=True).read(Campaign, slug=slug, path=folder)
        for before, after in zip(iter_texts(old), iter_texts(new), strict=True):
            if before.context != after.context:
                renamed[(before.context, before.source)] = after.context
    return renamed


def _entries(lines: list[str]) -> Iterator[tuple[int, Key]]:
    """(index of its msgctxt line, key) of every entry with a context, obsolete too."""
    for index, line in enumerate(lines):
        match = _CONTEXT.match(line)
        if match is None or index + 1 >= len(lines):
            continue
        first = _MSGID.match(lines[index + 1])
        if first is None:
            continue
        parts = [first["text"]]
        for more in lines[index + 2:]:
            piece = _MORE.match(more)
            if piece is None:
                break
            parts.append(piece["text"])
        yield index, (unescape(f'"{match["text"]}"'), unescape(f'"{"".join(parts)}"'))


def migrate_text(text: str, renamed: dict[Key, str]) -> tuple[str, int]:
    """A catalogue's text with old contexts renamed; and how many were."""
    lines = text.splitlines(keepends=True)
    count = 0
    for index, key in list(_entries(lines)):
        new = renamed.get(key)
        if new is None:
            continue
        prefix = _CONTEXT.match(lines[index])["prefix"]  # type: ignore[index]
        ending = "\n" if lines[index].endswith("\n") else ""
        lines[index] = f'{prefix}msgctxt "{new}"{ending}'
        count += 1
    return "".join(lines), count


def migrate(project: Project) -> dict[Path, int]:
    """Rename the contexts in every catalogue of `project`; entries renamed per file."""
    renamed = context_map(project)
    done = {}
    for path in sorted(project.locales.glob("*/LC_MESSAGES/messages.po")):
        text = path.read_text("utf-8")
        new, count = migrate_text(text, renamed)
        if new != text:
            write_atomic(path, new.encode("utf-8"))
        done[path] = count
    return done


def main(argv: list[str]) -> int:
    project = Project(Path(argv[0]) if argv else Path.cwd())
    try:
        done = migrate(project)
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    for path, count in done.items():
        print(f"{path.relative_to(project.root)}: {count} context(s) renamed")
    print("now run: python make_pdf.py extract && python make_pdf.py update")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
